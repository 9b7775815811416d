import { ABANDON_WINDOW_DAYS, abandonRate, loadAbandonWindow, windowStart } from '../calls/abandon.js';
import { OUTCOMES } from '../calls/outcome.js';
import { DEFAULT_PROFILE } from '../compliance/policy.profiles.js';
import { loadCampaignPolicy } from '../compliance/policy.store.js';
import { heldRuleSql } from '../contacts/contacts.repo.js';
import { CONTACT_STATES, FINISHED_CONTACT_STATES } from '../contacts/contact.states.js';
import type { Queryable } from '../store/db.js';
import { loadPacingHolds, type PacingHoldSummary } from './pacing-holds.repo.js';

/**
 * The dialer's outcomes plus `bridged`: the ledger keeps a bridged call's own outcome
 * (`answered_human`) and its `bridged_at`; stats count it as bridged (see loadStatsRows).
 */
export const CALL_OUTCOMES = [...OUTCOMES, 'bridged'] as const;

export interface CampaignStats {
  campaignId: number;
  contacts: { total: number; byState: Record<string, number>; reasons: { deferred: Record<string, number>; blocked: Record<string, number> } };
  attempts: { total: number; live: number; answeredHuman: number; byOutcome: Record<string, number> };
  /** abandoned / live-answered calls over the rolling window (`abandonment`); null before anyone answered. */
  abandonRate: number | null;
  /** The abandon rate as the rules measure it (calls/abandon.ts): its counts, window and target. */
  abandonment: AbandonStats;
  /** finished contacts / all contacts; null for a campaign without contacts. */
  progress: number | null;
  /** When and why workers dialed this campaign below its calls per second (Asterisk's backpressure). */
  pacingHolds: PacingHoldSummary;
}

export interface AbandonStats {
  rate: number | null;
  /** Agent-bound calls not connected to an agent within 2 s of the hand-off. */
  abandoned: number;
  /** Calls a person answered (the denominator). */
  liveAnswered: number;
  windowDays: number;
  /** The window's start (answer time), ISO. */
  since: string;
  /** The campaign's maxAbandonRate (its policy). */
  target: number;
}

export interface StatsRows {
  contacts: { state: string; reason: string | null; n: number }[];
  outcomes: { outcome: string | null; n: number }[];
  live: number;
  answeredHuman: number;
  pacingHolds?: PacingHoldSummary;
  abandon?: { abandoned: number; liveAnswered: number; since: Date; target: number };
}

/** Pure: turns grouped counts into the stats document (every known key present, zero if none). */
export function summarizeStats(campaignId: number, rows: StatsRows): CampaignStats {
  const byState: Record<string, number> = Object.fromEntries(CONTACT_STATES.map((s) => [s, 0]));
  const reasons = { deferred: {} as Record<string, number>, blocked: {} as Record<string, number> };
  let total = 0;
  for (const r of rows.contacts) {
    byState[r.state] = (byState[r.state] ?? 0) + r.n;
    total += r.n;
    if (r.state === 'deferred' || r.state === 'blocked') {
      const key = r.reason ?? 'unspecified';
      reasons[r.state][key] = (reasons[r.state][key] ?? 0) + r.n;
    }
  }
  const byOutcome: Record<string, number> = Object.fromEntries(CALL_OUTCOMES.map((o) => [o, 0]));
  let attempts = 0;
  for (const r of rows.outcomes) {
    attempts += r.n;
    if (r.outcome !== null) byOutcome[r.outcome] = (byOutcome[r.outcome] ?? 0) + r.n;
  }
  const abandon = rows.abandon ?? { abandoned: 0, liveAnswered: 0, since: windowStart(new Date()), target: 0.03 };
  const finished = FINISHED_CONTACT_STATES.reduce((sum, s) => sum + (byState[s] ?? 0), 0);
  return {
    campaignId,
    contacts: { total, byState, reasons },
    attempts: { total: attempts, live: rows.live, answeredHuman: rows.answeredHuman, byOutcome },
    abandonRate: abandonRate(abandon),
    abandonment: {
      rate: abandonRate(abandon),
      abandoned: abandon.abandoned,
      liveAnswered: abandon.liveAnswered,
      windowDays: ABANDON_WINDOW_DAYS,
      since: abandon.since.toISOString(),
      target: abandon.target,
    },
    progress: total > 0 ? finished / total : null,
    pacingHolds: rows.pacingHolds ?? { count: 0, heldSeconds: 0, recent: [] },
  };
}

/**
 * Outcomes that mean a person picked up, whether or not the dialer set `connected`: narrower than
 * CONNECTED_OUTCOMES (calls/outcome.ts), which also counts a hang-up during the prompt and an unsure AMD.
 */
const HUMAN_OUTCOMES = ['answered_human', 'bridged', 'abandoned', 'completed', 'opted_out'];

export async function loadStatsRows(q: Queryable, campaignId: number, defaultProfile: string = DEFAULT_PROFILE): Promise<StatsRows> {
  const contacts = await q.query<{ state: string; reason: string | null; n: number }>(
    // Held contacts are counted by the rule that holds them, not by its detail (counts, times).
    `SELECT state, CASE WHEN state IN ('deferred', 'blocked') THEN ${heldRuleSql('reason')} END AS reason, count(*) AS n
       FROM campaign_contacts WHERE campaign_id = $1 GROUP BY 1, 2`,
    [campaignId],
  );
  const outcomes = await q.query<{ outcome: string | null; n: number }>(
    `SELECT CASE WHEN bridged_at IS NOT NULL THEN 'bridged' ELSE outcome END AS outcome, count(*) AS n
       FROM call_attempts WHERE campaign_id = $1 GROUP BY 1`,
    [campaignId],
  );
  const totals = await q.query<{ live: number; human: number }>(
    `SELECT count(*) FILTER (WHERE state <> 'ended') AS live,
            count(*) FILTER (WHERE connected OR outcome = ANY($2::text[])) AS human
       FROM call_attempts WHERE campaign_id = $1`,
    [campaignId, HUMAN_OUTCOMES],
  );
  const pacingHolds = await loadPacingHolds(q, campaignId);
  const window = await loadAbandonWindow(q, campaignId);
  const { maxAbandonRate } = await loadCampaignPolicy(q, campaignId, defaultProfile);
  return {
    contacts: contacts.rows,
    outcomes: outcomes.rows,
    live: totals.rows[0]?.live ?? 0,
    answeredHuman: totals.rows[0]?.human ?? 0,
    pacingHolds,
    abandon: { ...window, target: maxAbandonRate },
  };
}

/** For the metrics scrape: campaigns per state and attempts still in progress, in one round trip. */
export async function loadGaugeRows(q: Queryable): Promise<{ campaigns: { state: string; n: number }[]; liveCalls: number }> {
  const { rows } = await q.query<{ campaigns: { state: string; n: number }[] | null; live: number }>(
    `SELECT (SELECT json_agg(json_build_object('state', state, 'n', n)) FROM (SELECT state, count(*) AS n FROM campaigns GROUP BY state) s) AS campaigns,
            (SELECT count(*) FROM call_attempts WHERE state <> 'ended') AS live`,
  );
  return { campaigns: rows[0]?.campaigns ?? [], liveCalls: rows[0]?.live ?? 0 };
}
