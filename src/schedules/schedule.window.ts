import { audit } from '../audit/audit.js';
import { completeCampaignIfDone, getCampaignState } from '../campaigns/campaign.repo.js';
import type { Logger } from '../shared/logger.js';
import { withTransaction, type Db } from '../store/db.js';
import { countWaitingContacts, lockClosedRuns, markRunWindow } from './schedule.repo.js';
import { expireWaitingContacts } from '../contacts/contacts.repo.js';

export interface WindowSweepResult {
  runId: number;
  action: 'expired' | 'deferred' | null;
  left: number;
}

/**
 * The end of a run's calling window. `expire`: contacts still pending, queued or deferred
 * become `expired` and the campaign completes (at once, or when its live calls end — the dialer
 * completes a campaign with nothing left to dial). `defer`: they stay; the compliance gate
 * already holds them until the next window, and the run records how many were left.
 * A run whose campaign had already finished only records the time. Runs are locked with SKIP
 * LOCKED, so two workers sweeping at once settle each run once.
 */
export async function closeEndedWindows(db: Db, now: Date, log?: Pick<Logger, 'info'>, limit = 100): Promise<WindowSweepResult[]> {
  return withTransaction(db, async (c) => {
    const out: WindowSweepResult[] = [];
    for (const run of await lockClosedRuns(c, now, limit)) {
      const state = run.campaignId === null ? null : await getCampaignState(c, String(run.campaignId));
      let action: WindowSweepResult['action'] = null;
      let left = 0;
      if (run.campaignId !== null && (state === 'running' || state === 'paused')) {
        if (run.onWindowEnd === 'expire') {
          left = await expireWaitingContacts(c, run.campaignId);
          await completeCampaignIfDone(c, String(run.campaignId));
          action = 'expired';
        } else {
          left = await countWaitingContacts(c, run.campaignId);
          action = 'deferred';
        }
      }
      await markRunWindow(c, run.id, action, left, now);
      await audit(c, null, 'schedule.window_end', { type: 'schedule_run', id: run.id }, { campaignId: run.campaignId, action, left, via: 'schedule' });
      out.push({ runId: run.id, action, left });
    }
    if (out.length > 0) log?.info({ runs: out }, 'calling windows closed');
    return out;
  });
}
