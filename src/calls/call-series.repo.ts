import type { Queryable } from '../store/db.js';

/** Time series of one campaign's ledger for the console's charts; read-only, one function per query. */

export interface MinutePoint {
  at: Date;
  calls: number;
  /** Attempts placed in this bucket by how they ended (`in_progress` while not ended). */
  outcomes: Record<string, number>;
}

/** Attempts per bucket (by the time they were placed) and their outcomes; empty buckets are left out. */
export async function campaignSeries(q: Queryable, campaignId: number, bucket: 'minute' | 'hour', from: Date | null, to: Date | null): Promise<MinutePoint[]> {
  const { rows } = await q.query<MinutePoint>(
    `SELECT at, sum(n)::int AS calls, jsonb_object_agg(outcome, n) AS outcomes
       FROM (SELECT date_trunc($2, reserved_at) AS at, coalesce(outcome, 'in_progress') AS outcome, count(*)::int AS n
               FROM call_attempts
              WHERE campaign_id = $1 AND ($3::timestamptz IS NULL OR reserved_at >= $3) AND ($4::timestamptz IS NULL OR reserved_at < $4)
              GROUP BY 1, 2) s
      GROUP BY at ORDER BY at`,
    [campaignId, bucket, from, to],
  );
  return rows;
}

/**
 * Attempts per hour of the customer's local day (the zone the calling window applies in: the
 * customer's, else the campaign's default, else UTC).
 */
export async function attemptsByLocalHour(q: Queryable, campaignId: number): Promise<Array<{ hour: number; attempts: number }>> {
  const { rows } = await q.query<{ hour: number; attempts: number }>(
    `SELECT extract(hour FROM timezone(coalesce(cu.time_zone, cp.default_time_zone, 'UTC'), a.reserved_at))::int AS hour, count(*)::int AS attempts
       FROM call_attempts a
       JOIN customers cu ON cu.id = a.customer_id
       JOIN campaigns cp ON cp.id = a.campaign_id
      WHERE a.campaign_id = $1
      GROUP BY 1 ORDER BY 1`,
    [campaignId],
  );
  return rows;
}
