import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Db } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import type { Dialer } from '../dialer/dialer.js';
import type { GatePort, PromptPort } from '../dialer/ports.js';
import type { Outcome } from '../calls/outcome.js';
import { countAbandoned, deleteReservedAttempt, getAttempt, markOriginating, type AttemptRow } from '../calls/attempts.repo.js';
import { isAppError } from '../shared/errors.js';
import { agentCallContext, isHighRisk, renderAgentMessages, type AgentDialing } from '../agents/agent-dialing.js';
import { highRiskLimit } from '../agents/agent-pacing.js';
import type { Pacer } from './pacing.js';
import type { TokenQueue } from './token-queue.js';
import { tokenThenGate } from './pacing.gate.js';
import { decideRetry, parseRetryPolicy } from './retry.js';
import { addNextAttempt, type DialJob, type Queues } from './queues.js';
import { completeCampaignIfDone, getCampaignState, getDialCampaign, type DialCampaign } from '../campaigns/campaign.repo.js';
import { contactBackToPending, FINAL_CONTACT_STATES, getDialContact, setContactState } from '../contacts/contacts.repo.js';
import type { CampaignState } from '../campaigns/campaign.state.js';

export interface DialContext {
  db: Db;
  log: Logger;
  queues: Pick<Queues, 'dial'>;
  pacer: Pacer;
  /** Calls-per-second tokens, taken right before the gate and the originate. */
  tokens: TokenQueue;
  /** The campaign row, possibly a second old (`campaign-cache.ts`); default: read it. */
  getCampaign?: (campaignId: string) => Promise<DialCampaign | null>;
  /** This job has its token (frees its place among the jobs preparing, `pacing.admission.ts`). */
  onToken?: () => void;
  dialer: Dialer;
  gate: GatePort;
  renderPrompt: PromptPort;
  workerId: string;
  /** Agent bridging (digit 1, high-risk customers); absent when no agent pool is wired. */
  agents?: AgentDialing;
  now?: () => Date;
}

/** Outcomes after which the contact was reached: its final state is completed. */
const REACHED = new Set<Outcome>(['answered_human', 'answered_machine', 'answered_unknown', 'completed', 'hangup_during_prompt', 'abandoned']);
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

  const campaign = await (ctx.getCampaign ?? ((id: string) => getDialCampaign(db, id)))(campaignId);
  if (!campaign) return 'campaign_missing';
  const stop = await stopForCampaignState(ctx, campaign.state, contactId, job, token);
  if (stop) return stop;
  // Most jobs of a big campaign wait for pacing: they go back to waiting before any more work.
  const early = (await ctx.pacer.peek?.(campaignId, { maxChannels: campaign.maxConcurrent, callsPerSecond: campaign.callsPerSecond })) ?? 0;
  if (early > 0) return delayJob(job, token, Date.now() + early + pacingJitter(job));
  const contact = await getDialContact(db, contactId);
  if (!contact) return 'contact_missing';
  if (FINAL_CONTACT_STATES.has(contact.state)) return `contact_${contact.state}`;

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

  const agents = ctx.agents;
  // Abandoned now, this call would earn a callback only within the contact's allowance (settleContact).
  const promiseCallback = agents !== undefined && contact.abandonedCalls < agents.maxCallbacks;
  const media = agents ? await renderAgentMessages(ctx.renderPrompt, { ...contact, id: contact.customerId }, contact.locale, log, promiseCallback) : null;
  const highRisk = agents !== undefined && isHighRisk(campaign.riskThreshold, contact.riskScore);
  // High-risk calls go to an agent after the greeting: no more in flight than agents to take them.
  const hrMember = `${campaignId}:${contactId}:${attemptNo}`;
  const releaseHighRisk = () => (highRisk ? agents!.capacity.release(hrMember).catch((err: unknown) => log.error({ err }, 'high-risk lease release failed')) : Promise.resolve());
  if (highRisk) {
    const limit = highRiskLimit(await agents!.availableCount(), agents!.pacingRatio);
    const hrWait = await agents!.capacity.tryAcquire(hrMember, limit);
    if (hrWait > 0) {
      log.debug({ limit }, 'high-risk contact waits for agent capacity');
      return delayJob(job, token, Date.now() + hrWait + Math.floor(Math.random() * 100));
    }
  }

  const member = `${contactId}:${attemptNo}`;
  const wait = await ctx.pacer.tryAcquire(campaignId, member, { maxChannels: campaign.maxConcurrent, callsPerSecond: campaign.callsPerSecond });
  if (wait > 0) {
    await releaseHighRisk();
    return delayJob(job, token, Date.now() + wait + pacingJitter(job));
  }

  const renew = setInterval(() => {
    void ctx.pacer.renew(campaignId, member).catch(() => undefined);
    if (highRisk) void agents!.capacity.renew(hrMember).catch(() => undefined);
  }, LEASE_RENEW_MS);
  renew.unref();
  try {
    // Token, then gate, then originate (pacing.gate.ts): no reservation waits for the rate.
    const limits = { maxChannels: campaign.maxConcurrent, callsPerSecond: campaign.callsPerSecond };
    const decision = await tokenThenGate({ tokens: ctx.tokens, onToken: ctx.onToken, ask: () => ctx.gate({ campaignId, contactId, customerId: contact.customerId, attemptNo, phone: contact.phone, now: now(), workerId: ctx.workerId }) }, campaignId, limits);
    if (decision.kind === 'defer') {
      log.info({ until: decision.until.toISOString(), rule: decision.rule }, 'deferred by policy');
      await ctx.pacer.release(campaignId, member);
      await setContactState(db, contactId, { state: 'deferred', reason: decision.reason, nextAttemptAt: decision.until });
      return delayJob(job, token, decision.until.getTime());
    }
    if (decision.kind === 'block') {
      log.info({ rule: decision.rule }, 'blocked by policy');
      await setContactState(db, contactId, { state: 'blocked', reason: decision.reason });
      await completeCampaignIfDone(db, campaignId);
      throw new UnrecoverableError(`blocked: ${decision.reason}`);
    }

    const attemptId = decision.attemptId;
    if (decision.existing) {
      const row = await getAttempt(db, attemptId);
      if (row && row.state !== 'reserved') return recoverAttempt(ctx, campaign, row, contact.state, log);
    }
    // A pause takes effect for new dials at once: look again right before dialing.
    // The database decides (a missed pub/sub message must never stall a campaign).
    const state = await getCampaignState(db, campaignId);
    if (state !== 'running') {
      await deleteReservedAttempt(db, attemptId);
      return (await stopForCampaignState(ctx, state ?? 'cancelled', contactId, job, token)) ?? 'stopped';
    }
    // Asterisk hangs up answered calls whose app has no websocket: never dial while disconnected.
    if (!ctx.dialer.connected) {
      await deleteReservedAttempt(db, attemptId);
      await ctx.pacer.release(campaignId, member);
      return delayJob(job, token, Date.now() + 1_000);
    }
    // The crash-safety boundary: after this, a replay never dials this attempt again.
    if (!(await markOriginating(db, attemptId, ctx.workerId, new Date(job.data.queuedAt), prompt.version))) {
      const row = await getAttempt(db, attemptId);
      if (row) return recoverAttempt(ctx, campaign, row, contact.state, log);
      return 'attempt_missing';
    }
    const result = await ctx.dialer.placeCall({
      attemptId,
      phone: contact.phone,
      customerId: contact.customerId,
      callerId: campaign.callerId,
      media: prompt.media,
      promptVersion: prompt.version,
      amd: { enabled: campaign.amdEnabled, machineAction: campaign.amdMachineAction },
      agent: media ? agentCallContext(campaign, contact, highRisk, media, highRisk ? () => void releaseHighRisk() : undefined) : undefined,
      log,
    });
    await ctx.pacer.release(campaignId, member);
    await settleContact(ctx, campaign, contactId, attemptNo, result.outcome, result.facts.answered);
    return result.outcome;
  } finally {
    clearInterval(renew);
    await ctx.pacer.release(campaignId, member).catch((err: unknown) => log.error({ err }, 'slot release failed'));
    await releaseHighRisk();
  }
}

async function stopForCampaignState(ctx: DialContext, state: CampaignState, contactId: string, job: Job<DialJob>, token: string | undefined): Promise<string | null> {
  if (state === 'running') return null;
  if (state === 'paused' || state === 'draft') {
    if (await contactBackToPending(ctx.db, contactId)) return 'paused';
    // Resumed meanwhile (its expand may already have run): keep this job and try again soon.
    if ((await getCampaignState(ctx.db, job.data.campaignId)) === 'running') return delayJob(job, token, Date.now() + 200);
    return 'paused';
  }
  const contact = await getDialContact(ctx.db, contactId);
  if (contact && !FINAL_CONTACT_STATES.has(contact.state)) await setContactState(ctx.db, contactId, { state: 'cancelled', reason: `campaign ${state}` });
  return state;
}

/** A replayed job whose attempt already went past 'reserved': end it, never dial it again. */
async function recoverAttempt(ctx: DialContext, campaign: DialCampaign, row: AttemptRow, contactState: string, log: Logger): Promise<string> {
  if (row.state !== 'ended') {
    log.warn({ attemptId: row.id, state: row.state }, 'replayed job found its attempt live: ending it as lost');
    await ctx.dialer.endOrphan(row);
  }
  const ended = await getAttempt(ctx.db, row.id);
  if (ended && contactState === 'dialing' && row.contactId) {
    await settleContact(ctx, campaign, row.contactId, row.attemptNo, ended.outcome ?? 'failed', ended.answeredAt !== null);
  }
  return `recovered_${ended?.outcome ?? 'unknown'}`;
}

/** After an outcome: the contact's next state, and the next attempt as a delayed job if earned. */
export async function settleContact(
  ctx: Pick<DialContext, 'db' | 'queues' | 'log' | 'agents'>,
  campaign: Pick<DialCampaign, 'id' | 'retryPolicy'>,
  contactId: string,
  attemptNo: number,
  outcome: Outcome,
  answered: boolean,
): Promise<void> {
  const { db } = ctx;
  const queueNext = async (nextAttemptNo: number, delaySeconds: number) => {
    const at = new Date(Date.now() + delaySeconds * 1000);
    // Settling the same outcome twice adds the next attempt once.
    await addNextAttempt(ctx.queues.dial, { campaignId: campaign.id, contactId, attemptNo: nextAttemptNo, at });
    await setContactState(db, contactId, { state: 'queued', lastOutcome: outcome, attempts: attemptNo, nextAttemptAt: at });
  };
  if (outcome === 'opted_out') {
    await setContactState(db, contactId, { state: 'opted_out', lastOutcome: outcome, attempts: attemptNo, reason: 'opted_out' });
  } else if (outcome === 'abandoned' && ctx.agents && (await countAbandoned(db, contactId)) <= ctx.agents.maxCallbacks) {
    // Nobody could take the customer: the promised callback, a new attempt that passes the gate again.
    await queueNext(attemptNo + 1, ctx.agents.callbackDelaySeconds);
  } else {
    const retry = decideRetry(parseRetryPolicy(campaign.retryPolicy), outcome, attemptNo, answered);
    if (retry.retry) {
      await queueNext(retry.attemptNo, retry.delaySeconds);
    } else {
      const final = REACHED.has(outcome) ? 'completed' : 'failed';
      await setContactState(db, contactId, { state: final, lastOutcome: outcome, attempts: attemptNo });
    }
  }
  if (await completeCampaignIfDone(db, campaign.id)) ctx.log.info({ campaignId: campaign.id }, 'campaign completed');
}
