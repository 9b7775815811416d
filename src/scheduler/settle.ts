import type { Logger } from '../shared/logger.js';
import type { Db } from '../store/db.js';
import { REACHED_OUTCOMES, type Outcome } from '../calls/outcome.js';
import type { Dialer } from '../dialer/dialer.js';
import { attemptCounts } from '../calls/attempt.recovery.sql.js';
import { decideRetry, parseRetryPolicy, retryClassOf } from './retry.js';
import { addNextAttempt, type Queues } from './queues.js';
import { completeCampaignIfDone, type DialCampaign } from '../campaigns/campaign.repo.js';
import { setContactState } from '../contacts/contacts.repo.js';

/** An originate that never reached Asterisk is re-queued at once, this many times at most. */
export const MAX_NOT_DIALLED = 5;
const NOT_DIALLED_DELAY_SECONDS = 1;

export interface SettleContext {
  db: Db;
  log: Logger;
  queues: Pick<Queues, 'dial'>;
  /** The agents module's callback delay after an abandoned call, through the dialer's hooks. */
  dialer: Pick<Dialer, 'callbackDelaySeconds'>;
}

/**
 * After an attempt ended: the contact's next state, and the next attempt as a delayed job if
 * earned. Idempotent (the next attempt's job id is deterministic), so the dial job, the
 * reconciler and an adopting worker may all settle one attempt.
 */
export async function settleContact(
  ctx: SettleContext,
  campaign: Pick<DialCampaign, 'id' | 'retryPolicy'>,
  contactId: string,
  attemptNo: number,
  outcome: Outcome,
  answered: boolean,
  endReason?: string | null,
  /** The campaign moves on to the customer's next number after this outcome: dial it now. */
  nextNumber = false,
): Promise<void> {
  const { db } = ctx;
  const queueNext = async (nextAttemptNo: number, delaySeconds: number) => {
    const at = new Date(Date.now() + delaySeconds * 1000);
    // Settling the same outcome twice adds the next attempt once.
    await addNextAttempt(ctx.queues.dial, { campaignId: campaign.id, contactId, attemptNo: nextAttemptNo, at });
    await setContactState(db, contactId, { state: 'queued', lastOutcome: outcome, attempts: attemptNo, nextAttemptAt: at });
  };
  // The ledger's counts matter only when a retry may follow (most calls end completed: one
  // statement per call fewer).
  const counts = endReason === 'not_dialled' || retryClassOf(outcome, endReason) !== null ? await attemptCounts(db, contactId) : undefined;
  let callback: number | null = null;
  if (counts && endReason === 'not_dialled') {
    // Nothing reached Asterisk: not a dial, so straight back in the queue (bounded, in case
    // Asterisk refuses this one call for good).
    if (counts.notDialled <= MAX_NOT_DIALLED) await queueNext(attemptNo + 1, NOT_DIALLED_DELAY_SECONDS);
    else await setContactState(db, contactId, { state: 'failed', reason: 'not_dialled', attempts: attemptNo });
  } else if (outcome === 'opted_out') {
    await setContactState(db, contactId, { state: 'opted_out', lastOutcome: outcome, attempts: attemptNo, reason: 'opted_out' });
  } else if (outcome === 'abandoned' && (callback = await ctx.dialer.callbackDelaySeconds(contactId)) !== null) {
    // Nobody could take the customer: the promised callback, a new attempt that passes the gate again.
    await queueNext(attemptNo + 1, callback);
  } else if (nextNumber) {
    await queueNext(attemptNo + 1, 0);
  } else {
    const retry = decideRetry(parseRetryPolicy(campaign.retryPolicy), outcome, attemptNo, answered, endReason, counts);
    if (retry.retry) {
      await queueNext(retry.attemptNo, retry.delaySeconds);
    } else {
      const final = REACHED_OUTCOMES.includes(outcome) ? 'completed' : 'failed';
      await setContactState(db, contactId, { state: final, lastOutcome: outcome, attempts: attemptNo });
    }
  }
  if (await completeCampaignIfDone(db, campaign.id)) ctx.log.info({ campaignId: campaign.id }, 'campaign completed');
}
