import type { Queryable } from '../store/db.js';
import { loadStatsRows, summarizeStats, type CampaignStats } from './campaign.stats.js';

/** What the console's live campaign list shows for one campaign, refreshed about once a second. */
export interface CampaignLive {
  id: number;
  state: string;
  /** Calls originated in the last RATE_WINDOW_S seconds, per second. */
  callsPerSecond: number;
  stats: CampaignStats;
}

export const RATE_WINDOW_S = 10;

/**
 * The campaigns asked for (unknown ids are left out). Rates come from one query over the
 * campaign's recent ledger rows (call_attempts_campaign_idx); stats are the same as
 * `GET /v1/campaigns/:id/stats`, computed by the same functions.
 */
export async function loadCampaignsLive(q: Queryable, ids: readonly number[], defaultProfile?: string): Promise<CampaignLive[]> {
  if (ids.length === 0) return [];
  const states = await q.query<{ id: number; state: string }>(`SELECT id::int, state FROM campaigns WHERE id = ANY($1::bigint[])`, [ids]);
  const rates = await q.query<{ id: number; n: number }>(
    `SELECT campaign_id::int AS id, count(*)::int AS n FROM call_attempts
      WHERE campaign_id = ANY($1::bigint[]) AND reserved_at > now() - make_interval(secs => $2) AND originated_at > now() - make_interval(secs => $2)
      GROUP BY 1`,
    [ids, RATE_WINDOW_S],
  );
  const rate = new Map(rates.rows.map((r) => [r.id, r.n / RATE_WINDOW_S]));
  const out: CampaignLive[] = [];
  for (const c of states.rows) {
    out.push({ id: c.id, state: c.state, callsPerSecond: rate.get(c.id) ?? 0, stats: summarizeStats(c.id, await loadStatsRows(q, c.id, defaultProfile)) });
  }
  return out;
}
