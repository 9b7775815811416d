import type { Queryable } from '../store/db.js';

/**
 * Abandoned calls as the rules count them. FCC 47 CFR 64.1200(a)(7)(i): a call is abandoned when
 * it is not connected to a live representative within 2 seconds after the called person's
 * completed greeting; at most 3% of the calls answered by a live person, measured over 30 days
 * per calling campaign. Ofcom (UK, persistent misuse policy) counts the same way over 24 hours.
 *
 * For ringwise a call is meant for an agent when it is handed to the agent flow: a high-risk
 * customer after the greeting, or a customer who pressed the agent key. The 2 s run from that
 * hand-off (`agent_sought_at`) to the agent's bridge (`bridged_at`). Both are in the ledger;
 * `endAttempt` turns them into `abandoned` and `live_answered` once, when the call ends.
 */
export const ABANDON_AFTER_MS = 2_000;
export const ABANDON_WINDOW_DAYS = 30;

/** One campaign's rolling window: abandoned calls over calls a person answered. */
export interface AbandonWindow {
  abandoned: number;
  liveAnswered: number;
  /** The window's start (now - ABANDON_WINDOW_DAYS), by answer time. */
  since: Date;
}

export function windowStart(now: Date, days = ABANDON_WINDOW_DAYS): Date {
  return new Date(now.getTime() - days * 86_400_000);
}

/** abandoned / liveAnswered; null before anyone answered. */
export function abandonRate(w: Pick<AbandonWindow, 'abandoned' | 'liveAnswered'>): number | null {
  return w.liveAnswered > 0 ? w.abandoned / w.liveAnswered : null;
}

/** One campaign's window (reads only call_attempts_abandon_window_idx). */
export async function loadAbandonWindow(q: Queryable, campaignId: string | number, now = new Date()): Promise<AbandonWindow> {
  const since = windowStart(now);
  const r = await q.query<{ abandoned: number; live: number }>(
    `SELECT count(*) FILTER (WHERE abandoned)::int AS abandoned, count(*)::int AS live
       FROM call_attempts WHERE campaign_id = $1 AND live_answered AND answered_at > $2`,
    [campaignId, since],
  );
  return { abandoned: r.rows[0]?.abandoned ?? 0, liveAnswered: r.rows[0]?.live ?? 0, since };
}

/**
 * Every running or paused campaign, or one that ended in the last day, with a live-answered call
 * in the window, for the metrics scrape (older finished campaigns dial no more: their windows
 * would only grow the scrape).
 */
export async function loadAbandonWindows(q: Queryable, now = new Date()): Promise<Array<AbandonWindow & { campaignId: string }>> {
  const since = windowStart(now);
  const r = await q.query<{ campaignId: string; abandoned: number; live: number }>(
    `SELECT a.campaign_id::text AS "campaignId", count(*) FILTER (WHERE a.abandoned)::int AS abandoned, count(*)::int AS live
       FROM campaigns c JOIN call_attempts a ON a.campaign_id = c.id AND a.live_answered AND a.answered_at > $1
      WHERE c.state IN ('running', 'paused') OR c.ended_at > $2
      GROUP BY a.campaign_id`,
    [since, new Date(now.getTime() - 86_400_000)],
  );
  return r.rows.map((x) => ({ campaignId: x.campaignId, abandoned: x.abandoned, liveAnswered: x.live, since }));
}
