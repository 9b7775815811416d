import { DelayedError, type Job } from 'bullmq';
import type { Db } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import { completeCampaignIfDone, getDialCampaign } from '../campaigns/campaign.repo.js';
import { getDialContact, setContactState } from '../contacts/contacts.repo.js';
import { lastCallEndedAt, nextAttemptNo } from '../calls/attempts.repo.js';
import { hasPaymentSince } from '../payments/payments.repo.js';
import { hasPromiseSince } from '../agents/dispositions.repo.js';
import { isOptedOutEverywhere } from '../compliance/dnc.repo.js';
import { selectCurrentTiers } from '../risk/risk.repo.js';
import { recomputeRisk } from '../risk/risk.service.js';
import type { RiskTier, ScorecardSettings } from '../risk/scorecard.js';
import { sendMessage, type MessagingDeps } from '../messaging/messaging.service.js';
import { nextPlanAction, planTier, type ContactPlan, type PlanFacts } from '../plans/contact-plan.js';
import { advancePlanRun, endPlanRun, getPlanRun, setPlanWait, startPlanRun, type PlanRun } from '../plans/plan-runs.repo.js';
import { addNextAttempt, type PlanJob, type Queues } from './queues.js';

export interface PlanContext {
  db: Db;
  log: Logger;
  queues: Pick<Queues, 'dial'>;
  messaging: MessagingDeps;
  /** Scores a customer never scored before when its plan starts (absent: such a plan follows the medium tier). */
  scorecard?: ScorecardSettings;
  now?: () => Date;
}

// A paused campaign's plans look again this often (a resume needs no event to reach them).
const PAUSED_RECHECK_MS = 5_000;
// A step after a call looks this often whether the call has settled.
const CALL_RECHECK_MS = 2_000;
// Contact states of a call still under way: waiting for its turn or its gate, ringing, retried.
const CALL_PENDING_STATES = ['queued', 'deferred', 'dialing'];

async function delayJob(job: Job<PlanJob>, token: string | undefined, until: number): Promise<never> {
  await job.moveToDelayed(until, token);
  throw new DelayedError();
}

async function planFacts(db: Db, customerId: string, since: Date): Promise<PlanFacts> {
  const [paid, promised, optedOut] = await Promise.all([
    hasPaymentSince(db, customerId, since),
    hasPromiseSince(db, customerId, since),
    isOptedOutEverywhere(db, customerId),
  ]);
  return { paid, promised, optedOut };
}

/**
 * One contact's plan, as one job that delays itself until its next step is due (BullMQ's
 * step-job pattern, like expand): stop conditions first (payment, promise, opt-out since the
 * plan started), then the step. Messages go through the messaging service (the message gate);
 * calls are the contact's normal dial job (the call gate, the dialer), an agent call marked
 * for the agent hand-off. The run's row (contact_plan_runs) is the truth: a replay finds the
 * step done and moves on; a message step is recorded once per contact and step by the ledger.
 */
export async function processPlan(ctx: PlanContext, job: Job<PlanJob>, token?: string): Promise<string> {
  const { campaignId, contactId } = job.data;
  const now = ctx.now ?? (() => new Date());
  const log = ctx.log.child({ jobId: job.id, campaignId, contactId });
  const campaign = await getDialCampaign(ctx.db, campaignId);
  // Validated when it was saved (api/campaigns.routes.ts).
  const plan = campaign?.contactPlan as ContactPlan | null | undefined;
  if (!campaign || !plan) return 'no_plan';
  if (campaign.state === 'paused' || campaign.state === 'draft') return delayJob(job, token, Date.now() + PAUSED_RECHECK_MS);
  const contact = await getDialContact(ctx.db, contactId);
  if (!contact) return 'contact_missing';
  if (campaign.state !== 'running') return finish(ctx, campaignId, contactId, `campaign_${campaign.state}`, contact.state);

  const run =
    (await getPlanRun(ctx.db, contactId)) ?? (await startPlanRun(ctx.db, { contactId, campaignId, tier: await currentTier(ctx, Number(contact.customerId)) }));
  if (run.endedAt) return `ended_${run.endReason ?? ''}`;
  const facts = await planFacts(ctx.db, contact.customerId, run.startedAt);
  const steps = plan.tiers[run.tier]?.steps ?? [];
  const afterCall = ['call', 'agent_call'].includes(steps[run.nextStep - 1]?.channel ?? '');
  const progress = {
    nextStep: run.nextStep,
    startedAt: run.startedAt,
    lastRunAt: run.lastRunAt,
    callPending: afterCall && CALL_PENDING_STATES.includes(contact.state),
    callEndedAt: afterCall ? await lastCallEndedAt(ctx.db, contactId) : null,
  };
  const action = nextPlanAction(plan, run.tier, progress, facts, contact.dueDate, now());
  if (action.kind === 'stop' || action.kind === 'done') {
    const reason = action.kind === 'stop' ? action.reason : 'done';
    log.info({ reason, step: run.nextStep }, 'contact plan ended');
    // A plan whose last step was a call leaves its contact to that call's settle.
    return finish(ctx, campaignId, contactId, reason, action.kind === 'done' && afterCall ? 'left_to_call' : contact.state);
  }
  if (action.kind === 'await_call') {
    await setPlanWait(ctx.db, contactId, { at: null, reason: 'call_in_progress' });
    return delayJob(job, token, Date.now() + CALL_RECHECK_MS);
  }
  if (action.kind === 'wait') {
    await setPlanWait(ctx.db, contactId, { at: action.until, reason: 'spacing' });
    return delayJob(job, token, action.until.getTime());
  }

  const outcome = await runStep(ctx, plan, run, contact.customerId, action.step, action.channel, log);
  if (outcome.deferred) {
    // The message gate deferred the step (quiet hours, a cap): it runs when the gate allows.
    const { until, rule, reason } = outcome.deferred;
    await setPlanWait(ctx.db, contactId, { at: until, reason: rule, detail: reason });
    log.info({ step: action.step, channel: action.channel, rule, until }, 'contact plan step deferred');
    return delayJob(job, token, until.getTime());
  }
  await advancePlanRun(ctx.db, contactId, action.step, now());
  log.info({ step: action.step, channel: action.channel, result: outcome.result }, 'contact plan step ran');
  // Straight back: the next step's spacing (or the end of the plan) is decided by the next run.
  return delayJob(job, token, Date.now());
}

/** The customer's tier now: its latest score, or one computed now (an imported score overrides, recorded as such). */
async function currentTier(ctx: PlanContext, customerId: number): Promise<RiskTier> {
  const current = (await selectCurrentTiers(ctx.db, [customerId])).get(customerId)?.tier;
  if (current || !ctx.scorecard) return planTier(current);
  const scored = await recomputeRisk({ db: ctx.db, log: ctx.log, scorecard: ctx.scorecard }, ctx.db, customerId, 'plan');
  return planTier(scored?.tier);
}

async function runStep(
  ctx: PlanContext,
  plan: ContactPlan,
  run: PlanRun,
  customerId: string,
  step: number,
  channel: 'sms' | 'email' | 'call' | 'agent_call',
  log: Logger,
): Promise<{ result: string; deferred?: { until: Date; rule: string; reason: string } }> {
  if (channel === 'sms' || channel === 'email') {
    const r = await sendMessage(ctx.messaging, {
      customerId: Number(customerId),
      channel,
      campaignId: Number(run.campaignId),
      contactId: Number(run.contactId),
      planStep: step,
      templates: plan.templates ?? null,
    });
    if (r.kind === 'defer') return { result: 'deferred', deferred: r };
    // A block (this channel's opt-out, a cap) or no address skips the step: the plan goes on.
    if (r.kind === 'block') log.info({ rule: r.rule }, 'plan message blocked');
    return { result: r.kind };
  }
  // The contact's next attempt, as the dialer runs it: its gate defers or blocks like any call.
  const contact = await getDialContact(ctx.db, run.contactId);
  if (contact?.state === 'completed') await setContactState(ctx.db, run.contactId, { state: 'queued' });
  const attemptNo = await nextAttemptNo(ctx.db, run.contactId);
  await addNextAttempt(ctx.queues.dial, { campaignId: run.campaignId, contactId: run.contactId, attemptNo, at: new Date(), agent: channel === 'agent_call' });
  return { result: `dial_queued_${attemptNo}` };
}

/** The plan is over: a contact still only waiting for it is completed, and so may the campaign be. */
async function finish(ctx: PlanContext, campaignId: string, contactId: string, reason: string, contactState: string): Promise<string> {
  await endPlanRun(ctx.db, contactId, reason);
  // A call step's call not yet placed is not placed now (its dial job finds the contact finished).
  if (contactState === 'queued' || contactState === 'deferred') await setContactState(ctx.db, contactId, { state: 'completed', reason: `plan_${reason}` });
  await completeCampaignIfDone(ctx.db, campaignId);
  return reason;
}
