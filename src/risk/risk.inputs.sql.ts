import type { Queryable } from '../store/db.js';
import { isoDate, WINDOWS } from './risk.history.js';
import type { RiskInputs } from './scorecard.js';

/**
 * The scorecard's inputs read from the ledger, the dispositions, the payments feed, the DNC
 * list and the account as imported. Read-only across other modules' tables; the definitions
 * are those of inputsFromHistory (risk.history.ts), which tests hold this to.
 */
export interface AccountRow {
  daysPastDue: number | null;
  amountDue: string | null;
  importedScore: number | null;
  importedTier: 'low' | 'medium' | 'high' | null;
}

export async function selectAccount(q: Queryable, customerId: number): Promise<AccountRow | null> {
  const { rows } = await q.query<AccountRow>(
    `SELECT days_past_due AS "daysPastDue", amount_due AS "amountDue", risk_score AS "importedScore", risk_tier AS "importedTier"
       FROM customers WHERE id = $1`,
    [customerId],
  );
  return rows[0] ?? null;
}

/** Days past due at the latest score between trendMin and trendMax days before `asOf`. */
export async function selectPreviousDpd(q: Queryable, customerId: number, asOf: Date): Promise<{ daysPastDue: number; daysAgo: number } | null> {
  const { rows } = await q.query<{ dpd: number; daysAgo: number }>(
    `SELECT (inputs->>'daysPastDue')::int AS dpd, floor(extract(epoch FROM ($2::timestamptz - computed_at)) / 86400)::int AS "daysAgo"
       FROM risk_scores
      WHERE customer_id = $1 AND inputs->>'daysPastDue' IS NOT NULL
        AND computed_at <= $2::timestamptz - make_interval(days => $3) AND computed_at >= $2::timestamptz - make_interval(days => $4)
      ORDER BY computed_at DESC LIMIT 1`,
    [customerId, asOf, WINDOWS.trendMin, WINDOWS.trendMax],
  );
  const r = rows[0];
  return r ? { daysPastDue: r.dpd, daysAgo: r.daysAgo } : null;
}

export async function selectPaymentTotals(q: Queryable, customerId: number, asOf: Date): Promise<{ paid30: string; paid90: string }> {
  const { rows } = await q.query<{ paid30: string; paid90: string }>(
    `SELECT coalesce(sum(amount) FILTER (WHERE paid_on > $2::date - $3::int), 0)::text AS paid30,
            coalesce(sum(amount) FILTER (WHERE paid_on > $2::date - $4::int), 0)::text AS paid90
       FROM payments WHERE customer_id = $1 AND paid_on <= $2::date`,
    [customerId, isoDate(asOf), WINDOWS.paymentsShort, WINDOWS.paymentsLong],
  );
  return rows[0]!;
}

/** Promises of the last 180 days with what was paid from their day to their date + grace. */
export async function selectPromiseStates(q: Queryable, customerId: number, asOf: Date): Promise<{ kept: number; broken: number; open: number }> {
  const { rows } = await q.query<{ kept: number; broken: number; open: number }>(
    `WITH p AS (
       SELECT d.amount, (d.created_at AT TIME ZONE 'UTC')::date AS made_on, d.promised_date + $4::int AS until,
              (SELECT coalesce(sum(pay.amount), 0) FROM payments pay
                WHERE pay.customer_id = $1 AND pay.paid_on >= (d.created_at AT TIME ZONE 'UTC')::date
                  AND pay.paid_on <= d.promised_date + $4::int AND pay.paid_on <= $5::date) AS paid
         FROM dispositions d JOIN call_attempts a ON a.id = d.attempt_id
        WHERE a.customer_id = $1 AND d.kind = 'promise_to_pay'
          AND d.created_at > $2::timestamptz - make_interval(days => $3) AND d.created_at <= $2::timestamptz)
     SELECT count(*) FILTER (WHERE paid >= amount)::int AS kept,
            count(*) FILTER (WHERE paid < amount AND $5::date > until)::int AS broken,
            count(*) FILTER (WHERE paid < amount AND $5::date <= until)::int AS open
       FROM p`,
    [customerId, asOf, WINDOWS.behaviour, WINDOWS.promiseGraceDays, isoDate(asOf)],
  );
  return rows[0]!;
}

export async function selectCallBehaviour(q: Queryable, customerId: number, asOf: Date): Promise<{ attempts: number; connected: number; invalid: number }> {
  const { rows } = await q.query<{ attempts: number; connected: number; invalid: number }>(
    `SELECT count(*) FILTER (WHERE reserved_at > $2::timestamptz - make_interval(days => $3))::int AS attempts,
            count(*) FILTER (WHERE reserved_at > $2::timestamptz - make_interval(days => $3) AND connected)::int AS connected,
            count(*) FILTER (WHERE outcome = 'invalid_number')::int AS invalid
       FROM call_attempts
      WHERE customer_id = $1 AND reserved_at <= $2::timestamptz AND reserved_at > $2::timestamptz - make_interval(days => $4)`,
    [customerId, asOf, WINDOWS.attempts, WINDOWS.behaviour],
  );
  return rows[0]!;
}

export async function selectDispositionCounts(q: Queryable, customerId: number, asOf: Date): Promise<Record<string, number>> {
  const { rows } = await q.query<{ kind: string; n: number }>(
    `SELECT d.kind, count(*)::int AS n
       FROM dispositions d JOIN call_attempts a ON a.id = d.attempt_id
      WHERE a.customer_id = $1 AND d.created_at > $2::timestamptz - make_interval(days => $3) AND d.created_at <= $2::timestamptz
      GROUP BY d.kind`,
    [customerId, asOf, WINDOWS.behaviour],
  );
  return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
}

/** An opt-out in force for the customer or any of its numbers (any channel). */
export async function selectOptedOut(q: Queryable, customerId: number, asOf: Date): Promise<boolean> {
  const { rows } = await q.query<{ opted: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM dnc_entries e, customers c
        WHERE c.id = $1 AND (e.customer_id = c.id OR e.phone = ANY (c.phones))
          AND e.created_at <= $2::timestamptz AND (e.expires_at IS NULL OR e.expires_at > $2::timestamptz)) AS opted`,
    [customerId, asOf],
  );
  return rows[0]!.opted;
}

export async function loadRiskInputs(q: Queryable, customerId: number, asOf: Date): Promise<{ inputs: RiskInputs; account: AccountRow } | null> {
  const account = await selectAccount(q, customerId);
  if (!account) return null;
  const [previous, paid, promises, calls, dispositions, optedOut] = await Promise.all([
    selectPreviousDpd(q, customerId, asOf),
    selectPaymentTotals(q, customerId, asOf),
    selectPromiseStates(q, customerId, asOf),
    selectCallBehaviour(q, customerId, asOf),
    selectDispositionCounts(q, customerId, asOf),
    selectOptedOut(q, customerId, asOf),
  ]);
  return {
    account,
    inputs: {
      daysPastDue: account.daysPastDue,
      previous,
      amountDue: account.amountDue === null ? null : Number(account.amountDue),
      paidLast30: Number(paid.paid30),
      paidLast90: Number(paid.paid90),
      promisesKept: promises.kept,
      promisesBroken: promises.broken,
      promisesOpen: promises.open,
      attempts90: calls.attempts,
      connected90: calls.connected,
      wrongNumbers: calls.invalid + (dispositions.wrong_party ?? 0),
      optedOut,
      disputes: dispositions.dispute ?? 0,
      refusals: dispositions.refused ?? 0,
      paidDispositions: dispositions.paid ?? 0,
    },
  };
}
