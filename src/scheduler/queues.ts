import { Queue, type ConnectionOptions, type Job, type JobsOptions } from 'bullmq';

/**
 * Queue names and payloads. Payloads carry ids only: no names or phone numbers ever reach
 * Redis. Job ids are deterministic, so a double launch or a replayed producer adds nothing new.
 */
export const QUEUE_DIAL = 'dial';
export const QUEUE_CAMPAIGN = 'campaign';
export const QUEUE_PLAN = 'plan';

export interface DialJob {
  campaignId: string;
  contactId: string;
  attemptNo: number;
  /** When the job was first queued (ISO), for the ledger's queued_at. */
  queuedAt: string;
  /** A contact plan's agent-call step: the answered call goes to an agent whatever the risk score. */
  agent?: boolean;
}

/** A contact's plan: one job per contact that delays itself until its next step is due. */
export interface PlanJob {
  campaignId: string;
  contactId: string;
}

export function planJobId(campaignId: string | number, contactId: string | number): string {
  return `plan-${campaignId}-${contactId}`;
}

export const PLAN_JOB_OPTS: JobsOptions = {
  removeOnComplete: true,
  removeOnFail: { count: 10_000 },
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
};

/** A contact's plan job, due at `at` (now, or when PostgreSQL says its next step is due); once-only by its id. */
export async function addPlanJob(queue: Queue<PlanJob>, p: { campaignId: string; contactId: string; at?: Date | null }): Promise<void> {
  const delay = Math.max(0, (p.at?.getTime() ?? 0) - Date.now());
  await queue.add('plan', { campaignId: p.campaignId, contactId: p.contactId }, { ...PLAN_JOB_OPTS, jobId: planJobId(p.campaignId, p.contactId), delay });
}

export interface ExpandJob {
  campaignId: string;
}

/** The recurring catch-up: queue running campaigns' pending contacts if an event was missed. */
export const CATCH_UP_SCHEDULER_ID = 'campaign-catch-up';
export const CATCH_UP_EVERY_MS = 30_000;

// BullMQ refuses ':' in custom job ids (it separates Redis key parts), hence '-'.
export function dialJobId(campaignId: string | number, contactId: string | number, attemptNo: number): string {
  return `dial-${campaignId}-${contactId}-${attemptNo}`;
}

export function expandJobId(campaignId: string | number): string {
  return `expand-${campaignId}`;
}

/** Pub/sub channel on which campaign state changes reach every worker. */
export function campaignStateChannel(prefix: string): string {
  return `${prefix}:campaign-state`;
}

// Completed dial jobs are removed so a contact put back to pending (pause) can be queued again
// under the same id; the ledger, not Redis, is what keeps a dial from happening twice.
export const DIAL_JOB_OPTS: JobsOptions = {
  removeOnComplete: true,
  removeOnFail: { count: 10_000 },
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
};

// A failed expand is removed too (the worker logs it): a kept one would hold its id, and every
// later launch, resume, top-up and catch-up of that campaign would be deduplicated against it.
export const EXPAND_JOB_OPTS: JobsOptions = {
  removeOnComplete: true,
  removeOnFail: true,
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
};

/** Adds the campaign's expand job; a no-op while one exists (the id is the dedupe key). */
export function addExpand(queue: Queue<ExpandJob>, campaignId: string): Promise<Job<ExpandJob>> {
  return queue.add('expand', { campaignId }, { ...EXPAND_JOB_OPTS, jobId: expandJobId(campaignId) });
}

/**
 * Asks for an expand of the campaign now. The job id is the dedupe key: while an expand job
 * exists, adding it is a no-op, so one that waits (delayed) for its next top-up is promoted
 * instead; a running one tops up and schedules itself again anyway.
 */
export async function requestExpand(queue: Queue<ExpandJob>, campaignId: string): Promise<void> {
  const job = await addExpand(queue, campaignId);
  if (!(await job.isDelayed())) return;
  try {
    await job.promote();
  } catch (err) {
    // It left 'delayed' in between (its time came, or another worker promoted it): done.
    if (await job.isDelayed()) throw err;
  }
}

/**
 * A later attempt of one contact (a retry, an abandoned call's callback, an agent's callback),
 * due at `at`. The deterministic id makes it once-only: asking twice adds one job.
 */
export async function addNextAttempt(
  queue: Queue<DialJob>,
  a: { campaignId: string; contactId: string; attemptNo: number; at: Date; agent?: boolean },
): Promise<void> {
  const delay = Math.max(0, a.at.getTime() - Date.now());
  await queue.add(
    'dial',
    { campaignId: a.campaignId, contactId: a.contactId, attemptNo: a.attemptNo, queuedAt: a.at.toISOString(), ...(a.agent ? { agent: true } : {}) },
    { ...DIAL_JOB_OPTS, jobId: dialJobId(a.campaignId, a.contactId, a.attemptNo), delay },
  );
}

export interface Queues {
  dial: Queue<DialJob>;
  campaign: Queue<ExpandJob>;
  plan: Queue<PlanJob>;
  close(): Promise<void>;
}

export function createQueues(connection: ConnectionOptions, prefix: string): Queues {
  const dial = new Queue<DialJob>(QUEUE_DIAL, { connection, prefix });
  const campaign = new Queue<ExpandJob>(QUEUE_CAMPAIGN, { connection, prefix });
  const plan = new Queue<PlanJob>(QUEUE_PLAN, { connection, prefix });
  return {
    dial,
    campaign,
    plan,
    async close() {
      await Promise.allSettled([dial.close(), campaign.close(), plan.close()]);
    },
  };
}
