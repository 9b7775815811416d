import { RISK_TIERS } from './customer.fields.js';

/**
 * Which customers a schedule's run calls. The SQL is fixed; a segment only fills its
 * parameters (an absent bound is NULL and does not filter), so no value ever becomes SQL text.
 */

export interface Segment {
  daysPastDueMin?: number;
  daysPastDueMax?: number;
  /** Due within this many days of the run's local date (inclusive), overdue ones excluded. */
  dueWithinDays?: number;
  riskTiers?: (typeof RISK_TIERS)[number][];
  /** Minimum amount due (a decimal number; compared as numeric, never through a float). */
  minAmount?: number;
  minRiskScore?: number;
}

/**
 * `$1` is the campaign id; the segment fills `$2`..`$8`. Each customer is added once (its
 * preferred, first phone is the one the dialer calls).
 */
export const SEGMENT_INSERT_SQL = `
INSERT INTO campaign_contacts (campaign_id, customer_id)
SELECT $1, c.id FROM customers c
 WHERE ($2::int IS NULL OR c.days_past_due >= $2)
   AND ($3::int IS NULL OR c.days_past_due <= $3)
   AND ($4::int IS NULL OR (c.due_date >= $8::date AND c.due_date <= $8::date + $4::int))
   AND ($5::text[] IS NULL OR c.risk_tier = ANY($5::text[]))
   AND ($6::numeric IS NULL OR c.amount_due >= $6::numeric)
   AND ($7::int IS NULL OR c.risk_score >= $7)
 ORDER BY c.id
ON CONFLICT (campaign_id, customer_id) DO NOTHING`;

/** The parameters `$2`..`$8` of SEGMENT_INSERT_SQL for a run on `localDate` (YYYY-MM-DD). */
export function segmentParams(s: Segment, localDate: string): unknown[] {
  return [
    s.daysPastDueMin ?? null,
    s.daysPastDueMax ?? null,
    s.dueWithinDays ?? null,
    s.riskTiers && s.riskTiers.length > 0 ? [...new Set(s.riskTiers)] : null,
    s.minAmount === undefined ? null : String(s.minAmount),
    s.minRiskScore ?? null,
    localDate,
  ];
}

/** Bounds that can match nobody are a mistake worth a 422, not an empty nightly run. */
export function segmentProblems(s: Segment): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  if (s.daysPastDueMin !== undefined && s.daysPastDueMax !== undefined && s.daysPastDueMin > s.daysPastDueMax) {
    out.push({ field: 'segment.daysPastDueMax', message: 'daysPastDueMax must be at least daysPastDueMin' });
  }
  return out;
}
