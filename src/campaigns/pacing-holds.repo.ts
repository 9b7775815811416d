import type { Queryable } from '../store/db.js';

/** The only writer of `pacing_holds` (migration 0045): backpressure's record for the stats. */
export async function openPacingHolds(db: Queryable, campaignIds: readonly string[], workerId: string, reason: string, factor: number): Promise<string[]> {
  const r = await db.query<{ id: string }>(
    `INSERT INTO pacing_holds (campaign_id, worker_id, reasons, lowest_factor)
     SELECT c, $2, ARRAY[$3], $4 FROM unnest($1::bigint[]) AS c
     RETURNING id::text`,
    [campaignIds, workerId, reason, factor],
  );
  return r.rows.map((x) => x.id);
}

export async function closePacingHolds(db: Queryable, ids: readonly string[], reasons: readonly string[], lowestFactor: number): Promise<void> {
  await db.query(`UPDATE pacing_holds SET ended_at = now(), reasons = $2, lowest_factor = $3 WHERE id = ANY($1::bigint[])`, [ids, reasons, lowestFactor]);
}

export interface PacingHold {
  startedAt: string;
  endedAt: string | null;
  reasons: string[];
  /** The lowest share of the campaign's calls per second allowed during the hold. */
  lowestFactor: number;
}

export interface PacingHoldSummary {
  count: number;
  heldSeconds: number;
  /** The latest holds, newest first (at most 10). */
  recent: PacingHold[];
}

export async function loadPacingHolds(q: Queryable, campaignId: number): Promise<PacingHoldSummary> {
  const r = await q.query<{ count: number; held: number | null; recent: PacingHold[] | null }>(
    `SELECT count(*)::int AS count,
            coalesce(sum(extract(epoch FROM coalesce(ended_at, now()) - started_at)), 0)::float8 AS held,
            (SELECT json_agg(h) FROM (
               SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startedAt",
                      to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "endedAt",
                      reasons, lowest_factor AS "lowestFactor"
                 FROM pacing_holds WHERE campaign_id = $1 ORDER BY started_at DESC LIMIT 10) h) AS recent
       FROM pacing_holds WHERE campaign_id = $1`,
    [campaignId],
  );
  const row = r.rows[0];
  return { count: row?.count ?? 0, heldSeconds: Math.round((row?.held ?? 0) * 10) / 10, recent: row?.recent ?? [] };
}
