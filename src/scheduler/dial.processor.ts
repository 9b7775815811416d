import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from '../shared/logger.js';
import type { GatePort } from '../dialer/ports.js';
import { deleteReservedAttempt, getAttempt, markOriginating, nextAttemptNo, type AttemptRow } from '../calls/attempts.repo.js';
import { isAppError } from '../shared/errors.js';
import { hasNextNumber, phoneForAttempt } from '../contacts/phone-order.js';
import { renderMenu } from '../dialer/menu.render.js';
import { machineAction, renderLimitedContent } from '../dialer/voicemail.js';
import type { Pacer } from './pacing.js';
import type { TokenQueue } from './token-queue.js';
import { tokenThenGate } from './pacing.gate.js';
import type { DialJob } from './queues.js';
import { completeCampaignIfDone, getCampaignState, getDialCampaign, type DialCampaign } from '../campaigns/campaign.repo.js';
import { contactBackToPending, getDialContact, setContactState } from '../contacts/contacts.repo.js';
import { isFinishedContact } from '../contacts/contact.states.js';
import type { CampaignState } from '../campaigns/campaign.state.js';
import { callParams } from './call-params.js';
import { settleContact } from './settle.js';
import { recoverLiveAttempt, type RecoveryContext } from './recovery.js';

export { settleContact } from './settle.js';

export interface DialContext extends RecoveryContext {
  pacer: Pacer;
  /** Calls-per-second tokens, taken right before the gate and the originate. */
  tokens: TokenQueue;
  /** The campaign row, possibly a second old (`campaign-cache.ts`); default: read it. */
  getCampaign?: (campaignId: string) => Promise<DialCampaign | null>;
  /** This job has its token (frees its place among the jobs preparing, `pacing.admission.ts`). */
  onToken?: () => void;
  gate: GatePort;
  now?: () => Date;
  /** True once the worker is stopping: a job that has not dialled yet hands its contact back. */
  stopping?: () => boolean;
}

const LEASE_RENEW_MS = 30_000;

/**
 * Random spread added to a pacing wait, growing with how often this job has already waited (to
 * 1.6 s): the wait itself is the same for every waiting job (the next token), so without it a
 * large backlog retries in lockstep, thousands of times a second, for the one call that fits.
 */
export function pacingJitter(job: Pick<Job, 'attemptsStarted'>, random = Math.random): number {
  const waited = Math.min(4, Math.max(0, (job.attemptsStarted ?? 1) - 1));
  return Math.floor(random() * 100 * 2 ** waited);
}

async function delayJob(job: Job<DialJob>, token: string | undefined, until: number): Promise<never> {
  await job.moveToDelayed(until, token);
  throw new DelayedError();
}

/**
 * One dial job: campaign state → prompt → pacing slot → token → compliance gate → 'originating' in the
 * ledger → the call → the outcome, the contact's next state and any retry. The job lives as
 * long as its call, so a crashed worker's job is replayed, finds its attempt through the gate,
 * and ends it instead of dialing again.
 */
export async function processDial(ctx: DialContext, job: Job<DialJob>, token?: string): Promise<string> {
  const { campaignId, contactId, attemptNo } = job.data;
  const { db } = ctx;
  const now = ctx.now ?? (() => new Date());
  const log = ctx.log.child({ jobId: job.id, campaignId, contactId, attemptNo });

  const stored = await (ctx.getCampaign ?? ((id: string) => getDialCampaign(db, id)))(campaignId);
  if (!stored) return 'campaign_missing';
  // A plan's agent-call step: the same hand-off as a high-risk score at the campaign's threshold.
  const campaign = job.data.agent ? { ...stored, riskThreshold: 0 } : stored;
  const stop = await stopForCampaignState(ctx, campaign.state, contactId, job, token);
  if (stop) return stop;
  // Most jobs of a big campaign wait for pacing: they go back to waiting before any more work.
  const early =
    (await ctx.pacer.peek?.(campaignId, { maxChannels: campaign.maxConcurrent, callsPerSecond: campaign.callsPerSecond }, `${contactId}:${attemptNo}`)) ?? 0;
  if (early > 0) return delayJob(job, token, Date.now() + early + pacingJitter(job));
  const found = await getDialContact(db, contactId);
  if (!found) return 'contact_missing';
  const contact = job.data.agent ? { ...found, riskScore: found.riskScore ?? 0 } : found;
  if (isFinishedContact(contact.state)) return `contact_${contact.state}`;

  let prompt: { media: string[]; version: string };
  try {
    prompt = await ctx.renderPrompt(campaign.prompt, { ...contact, id: contact.customerId }, contact.locale);
  } catch (err) {
    if (!isAppError(err)) throw err;
    log.warn({ code: err.code }, 'prompt cannot be rendered for this contact');
    await setContactState(db, contactId, { state: 'failed', reason: err.code });
    await completeCampaignIfDone(db, campaignId);
    throw new UnrecoverableError(`prompt: ${err.code}`);
  }

  // Which of the customer's numbers (none callable: the first, and the gate says why).
  const phone = phoneForAttempt(contact.phones, contact.callablePhones, contact.lastAttempt, campaign.nextNumberOn) ?? contact.phone;
  const menu = await renderMenu(ctx.renderPrompt, campaign, { ...contact, id: contact.customerId }, contact.locale, log);
  const voicemail =
    campaign.amdEnabled && campaign.amdMachineAction === 'message'
      ? await renderLimitedContent(ctx.renderPrompt, { ...contact, id: contact.customerId }, contact.locale, log)
      : [];

  // The agents module's part (messages, a high-risk lease), through the dialer's hooks.
  const agent = await ctx.dialer.prepareCall({ campaign, contact, attemptNo, render: ctx.renderPrompt, log });
  if (agent.waitMs > 0) return delayJob(job, token, Date.now() + agent.waitMs);
  const releaseAgent = () => agent.release?.() ?? Promise.resolve();

  const member = `${contactId}:${attemptNo}`;
  const wait = await ctx.pacer.tryAcquire(campaignId, member, { maxChannels: campaign.maxConcurrent, callsPerSecond: campaign.callsPerSecond });
  if (wait > 0) {
    await releaseAgent();
    return delayJob(job, token, Date.now() + wait + pacingJitter(job));
  }

  // Released once the call is over (before the contact is settled), or on the way out.
  let slotHeld = true;
  const releaseSlot = async (): Promise<void> => {
    if (!slotHeld) return;
    slotHeld = false;
    await ctx.pacer.release(campaignId, member);
  };
  const renew = setInterval(() => {
    void ctx.pacer.renew(campaignId, member).catch(() => undefined);
    agent.renew?.();
  }, LEASE_RENEW_MS);
  renew.unref();
  try {
    // Token, then gate, then originate (pacing.gate.ts): no reservation waits for the rate.
    const limits = { maxChannels: campaign.maxConcurrent, callsPerSecond: campaign.callsPerSecond };
    const decision = await tokenThenGate(
      {
        tokens: ctx.tokens,
        onToken: ctx.onToken,
        ask: () => ctx.gate({ campaignId, contactId, customerId: contact.customerId, attemptNo, phone, now: now(), workerId: ctx.workerId }),
      },
      campaignId,
      limits,
    );
    if (decision.kind === 'defer') {
      log.info({ until: decision.until.toISOString(), rule: decision.rule }, 'deferred by policy');
      await releaseSlot();
      // The gate marked the contact deferred (state, reason, when) in its own transaction.
      return delayJob(job, token, decision.until.getTime());
    }
    if (decision.kind === 'block') {
      log.info({ rule: decision.rule }, 'blocked by policy');
      // The gate marked the contact blocked, with its reason, in its own transaction.
      await completeCampaignIfDone(db, campaignId);
      throw new UnrecoverableError(`blocked: ${decision.reason}`);
    }

    const attemptId = decision.attemptId;
    if (decision.existing) {
      const row = await getAttempt(db, attemptId);
      if (row && row.state !== 'reserved') return recoverAttempt(ctx, campaign, row, contact.state, log);
    }
    // Asterisk hangs up answered calls whose app has no websocket: never dial while disconnected.
    if (!ctx.dialer.connected) {
      await deleteReservedAttempt(db, attemptId);
      await releaseSlot();
      return delayJob(job, token, Date.now() + 1_000);
    }
    // A stopping worker dials nothing new: the job goes back to the queue for another worker.
    if (ctx.stopping?.()) {
      await deleteReservedAttempt(db, attemptId);
      await releaseSlot();
      return delayJob(job, token, Date.now());
    }
    // The crash-safety boundary: after this, a replay never dials this attempt again. It also
    // looks at the campaign once more: a pause takes effect for new dials at once.
    const marked = await markOriginating(db, {
      id: attemptId,
      campaignId,
      workerId: ctx.workerId,
      queuedAt: new Date(job.data.queuedAt),
      promptVersion: prompt.version,
    });
    if (marked.campaignState !== 'running') {
      await deleteReservedAttempt(db, attemptId);
      return (await stopForCampaignState(ctx, (marked.campaignState as CampaignState | null) ?? 'cancelled', contactId, job, token)) ?? 'stopped';
    }
    if (!marked.marked) {
      const row = await getAttempt(db, attemptId);
      if (row) return recoverAttempt(ctx, campaign, row, contact.state, log);
      return 'attempt_missing';
    }
    const call = callParams(campaign, contact, attemptId, prompt, agent.agent, log);
    const result = await ctx.dialer.placeCall({
      ...call,
      phone,
      media: [...prompt.media, ...menu.afterPrompt],
      menu: menu.session,
      // A machine gets the limited-content message only when the policy allows it too.
      amd: { enabled: campaign.amdEnabled, machineAction: voicemail.length > 0 ? machineAction(campaign.amdMachineAction, decision.voicemail) : 'hangup' },
      machineMessage: voicemail,
    });
    await releaseSlot();
    const nextNumber = hasNextNumber(contact.phones, contact.callablePhones, phone, result.outcome, campaign.nextNumberOn);
    await settleContact(ctx, campaign, contactId, attemptNo, result.outcome, result.facts.answered, result.facts.endReason, nextNumber);
    return result.facts.endReason === 'not_dialled' ? 'not_dialled' : result.outcome;
  } finally {
    clearInterval(renew);
    await releaseSlot().catch((err: unknown) => log.error({ err }, 'slot release failed'));
    await releaseAgent();
  }
}

async function stopForCampaignState(
  ctx: DialContext,
  state: CampaignState,
  contactId: string,
  job: Job<DialJob>,
  token: string | undefined,
): Promise<string | null> {
  if (state === 'running') return null;
  if (state === 'paused' || state === 'draft') {
    if (await contactBackToPending(ctx.db, contactId)) return 'paused';
    // Resumed meanwhile (its expand may already have run): keep this job and try again soon.
    if ((await getCampaignState(ctx.db, job.data.campaignId)) === 'running') return delayJob(job, token, Date.now() + 200);
    return 'paused';
  }
  const contact = await getDialContact(ctx.db, contactId);
  if (contact && !isFinishedContact(contact.state)) await setContactState(ctx.db, contactId, { state: 'cancelled', reason: `campaign ${state}` });
  return state;
}

/**
 * A replayed job (a crash, or a lost BullMQ lock) whose attempt already went past 'reserved':
 * never dial it again, and never settle the contact while the call may still be live.
 * - ended: settle from its outcome if the contact still waits for that (a crash between the
 *   ledger's end and the settle); a released reservation was re-queued by the reconciler.
 * - live, and ours (this worker id): driven here already, or adopted / ended as lost now.
 * - live, another worker's: that worker (or, if it died, the one that claims its calls) ends it.
 */
async function recoverAttempt(ctx: DialContext, campaign: DialCampaign, row: AttemptRow, contactState: string, log: Logger): Promise<string> {
  if (row.state === 'ended') {
    if (row.endReason === 'not_dialled') return 'released';
    const latest = row.contactId !== null && (await nextAttemptNo(ctx.db, row.contactId)) === row.attemptNo + 1;
    if (latest && contactState === 'dialing' && row.contactId) {
      await settleContact(ctx, campaign, row.contactId, row.attemptNo, row.outcome ?? 'failed', row.answeredAt !== null, row.endReason);
    }
    return `recovered_${row.outcome ?? 'unknown'}`;
  }
  if (row.workerId !== ctx.workerId) {
    log.info({ attemptId: row.id, owner: row.workerId }, 'replayed job: its call is live on another worker');
    return 'live_elsewhere';
  }
  const r = await recoverLiveAttempt(ctx, row);
  log.warn({ attemptId: row.id, state: row.state, recovery: r }, 'replayed job found its attempt live');
  return r === 'skipped' ? 'live_here' : r;
}
