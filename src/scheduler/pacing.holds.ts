import type { Db } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import { closePacingHolds, openPacingHolds } from '../campaigns/pacing-holds.repo.js';
import type { Pressure } from './pacing.backpressure.js';

/** A campaign that took a token this recently counts as dialing when a hold begins. */
const ACTIVE_MS = 5_000;

/**
 * Records backpressure holds for the campaigns' stats: when the factor drops below 1, one row per
 * campaign this worker was dialing; when it is back at 1, the rows end with every reason seen
 * and the lowest factor. Two writes per hold, none per call. Failures are logged, never thrown:
 * the record must not stop the pacing it describes.
 */
export function createHoldRecorder(deps: { db: Db; log: Logger; workerId: string; clock?: () => number }) {
  const clock = deps.clock ?? Date.now;
  const dialing = new Map<string, number>();
  let hold: { ids: Promise<string[]>; reasons: Set<string>; lowest: number } | null = null;
  return {
    /** A token was taken for this campaign. */
    dialed(campaignId: string): void {
      dialing.set(campaignId, clock());
    },
    onChange(now: Pressure): void {
      if (now.factor < 1) {
        if (!hold) {
          const t = clock();
          const active = [...dialing].filter(([, at]) => t - at < ACTIVE_MS).map(([id]) => id);
          for (const [id, at] of dialing) if (t - at >= ACTIVE_MS) dialing.delete(id);
          const reason = now.reason ?? 'unknown';
          deps.log.warn({ factor: now.factor, reason, campaigns: active.length }, 'pacing held back by Asterisk');
          const ids = active.length ? openPacingHolds(deps.db, active, deps.workerId, reason, now.factor) : Promise.resolve([]);
          hold = {
            ids: ids.catch((err: unknown) => (deps.log.error({ err }, 'pacing hold record failed'), [])),
            reasons: new Set([reason]),
            lowest: now.factor,
          };
        } else {
          if (now.reason) hold.reasons.add(now.reason);
          hold.lowest = Math.min(hold.lowest, now.factor);
        }
        return;
      }
      if (!hold) return;
      const h = hold;
      hold = null;
      deps.log.info({ reasons: [...h.reasons], lowestFactor: h.lowest }, 'pacing back at full speed');
      void h.ids
        .then((ids) => (ids.length ? closePacingHolds(deps.db, ids, [...h.reasons], h.lowest) : undefined))
        .catch((err: unknown) => deps.log.error({ err }, 'pacing hold record failed'));
    },
  };
}
