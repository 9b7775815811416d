import { loadAbandonWindow } from '../calls/abandon.js';
import { closePacingHolds, openPacingHolds } from '../campaigns/pacing-holds.repo.js';
import { decideAbandonPacing, type AbandonPacing } from '../compliance/abandon-pacing.js';
import { loadCampaignPolicy } from '../compliance/policy.store.js';
import type { Logger } from '../shared/logger.js';
import type { Queryable } from '../store/db.js';

/** The reason a pacing hold names when the abandon rate limits a campaign's agent calls. */
export const ABANDON_HOLD_REASON = 'abandon_rate';

/** The rolling window and the target are read at most this often per campaign and worker… */
const REFRESH_MS = 2_000;
/**
 * …and less often as the window grows: reading it costs about 1.2 µs per live-answered call
 * (index-only scan, measured on a 1M-row ledger), and one more call moves a large window's rate
 * very little. 0.1 ms per call in the window keeps the read near 1 % of the time between reads
 * (1M calls: every 100 s), at most every MAX_REFRESH_MS.
 */
const REFRESH_MS_PER_CALL = 0.1;
const MAX_REFRESH_MS = 120_000;

export function refreshEveryMs(liveAnswered: number): number {
  return Math.min(MAX_REFRESH_MS, Math.max(REFRESH_MS, liveAnswered * REFRESH_MS_PER_CALL));
}
/** A limited campaign with no agent-bound call to decide for this long ends its hold. */
const IDLE_MS = 60_000;

export interface AbandonGuardDeps {
  db: Queryable;
  workerId: string;
  /** The profile when no global policy was saved (RINGWISE_POLICY_PROFILE). */
  defaultProfile: string;
  clock?: () => number;
  /** Test seams; default to the ledger's window and the campaign's policy. */
  loadWindow?: (campaignId: string) => Promise<{ abandoned: number; liveAnswered: number }>;
  loadTarget?: (campaignId: string) => Promise<number>;
}

export interface AbandonGuard {
  /** The pacing for one more agent-bound call of this campaign now (compliance/abandon-pacing.ts). */
  decide(o: { campaignId: string; inFlight: number; availableAgents: number; ratio: number; log: Logger }): Promise<AbandonPacing>;
  /** Ends every open hold (worker stop). */
  close(): Promise<void>;
}

interface CampaignState {
  limited: boolean;
  lastSeen: number;
  readAt: number;
  window: { abandoned: number; liveAnswered: number };
  target: number;
  hold: { id: Promise<string | null>; lowest: number } | null;
}

/**
 * Keeps each campaign's abandon state in this worker: the window and target (refreshed every
 * REFRESH_MS), the last decision (hysteresis), and a pacing hold (`pacing_holds`, reason
 * `abandon_rate`) from the moment the campaign is limited to the moment it recovers, so the
 * campaign's stats show when and why its agent calls were slowed. Failures to record are logged,
 * never thrown; a failure to read the window limits (the safe side).
 */
export function createAbandonGuard(deps: AbandonGuardDeps): AbandonGuard {
  const clock = deps.clock ?? Date.now;
  const loadWindow = deps.loadWindow ?? ((id: string) => loadAbandonWindow(deps.db, id));
  const loadTarget = deps.loadTarget ?? (async (id: string) => (await loadCampaignPolicy(deps.db, id, deps.defaultProfile)).maxAbandonRate);
  const campaigns = new Map<string, CampaignState>();

  const endHold = (s: CampaignState, log: Logger | null) => {
    const h = s.hold;
    s.hold = null;
    if (!h) return Promise.resolve();
    return h.id
      .then((id) => (id ? closePacingHolds(deps.db, [id], [ABANDON_HOLD_REASON], h.lowest) : undefined))
      .catch((err: unknown) => log?.error({ err }, 'abandon pacing hold close failed'));
  };

  const sweepIdle = (now: number, log: Logger) => {
    for (const s of campaigns.values()) if (s.hold && now - s.lastSeen > IDLE_MS) void endHold(s, log);
  };

  return {
    async decide({ campaignId, inFlight, availableAgents, ratio, log }) {
      const now = clock();
      sweepIdle(now, log);
      let s = campaigns.get(campaignId);
      if (!s || now - s.readAt >= refreshEveryMs(s.window.liveAnswered)) {
        const [window, target] = await Promise.all([loadWindow(campaignId), loadTarget(campaignId)]).catch((err: unknown) => {
          log.error({ err }, 'abandon window not readable: agent calls limited');
          return [{ abandoned: 1, liveAnswered: 1 }, 0] as const;
        });
        // Another decision may have created the state while this one read (two dial jobs at once).
        s = campaigns.get(campaignId) ?? { limited: false, lastSeen: now, readAt: now, window, target, hold: null };
        Object.assign(s, { readAt: now, window, target });
        campaigns.set(campaignId, s);
      }
      s.lastSeen = now;
      const d = decideAbandonPacing({ ...s.window, inFlight, availableAgents, ratio, target: s.target, limited: s.limited });
      const factor = ratio > 0 ? Math.min(1, d.ratio / ratio) : 1;
      if (d.limited && !s.hold) {
        log.warn(
          { campaignId, rate: d.rate, projected: d.projected, target: s.target },
          'abandon rate near its target: one agent-bound line per available agent',
        );
        const id = openPacingHolds(deps.db, [campaignId], deps.workerId, ABANDON_HOLD_REASON, factor)
          .then((ids) => ids[0] ?? null)
          .catch((err: unknown) => (log.error({ err }, 'abandon pacing hold record failed'), null));
        s.hold = { id, lowest: factor };
      } else if (d.limited && s.hold) {
        s.hold.lowest = Math.min(s.hold.lowest, factor);
      } else if (!d.limited && s.hold) {
        log.info({ campaignId, rate: d.rate, projected: d.projected, target: s.target }, 'abandon rate clear of its target: agent pacing back to its ratio');
        void endHold(s, log);
      }
      s.limited = d.limited;
      return d;
    },
    async close() {
      await Promise.all([...campaigns.values()].map((s) => endHold(s, null)));
    },
  };
}
