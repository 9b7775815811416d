import { DelayedError, type Job, type Queue } from 'bullmq';
import type { Db } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import { completeCampaignIfDone, getCampaignState, getDialCampaign } from '../campaigns/campaign.repo.js';
import { countDueContacts, hasPendingContacts, markQueued, pendingContactsPage } from '../contacts/contacts.repo.js';
import { dialWindow, minTopUp, topUpDelayMs, type WindowLimits } from './dial-window.js';
import { DIAL_JOB_OPTS, dialJobId, PLAN_JOB_OPTS, planJobId, requestExpand, type ExpandJob, type Queues } from './queues.js';

export const EXPAND_CHUNK = 1_000;
/**
 * The first page of a top-up that starts from an empty window (a launch, a resume) is small: its
 * dial jobs exist, and the first call can go out, while the rest of the window is still being
 * written (a 1,000-job page took ~1.7 s to add and mark on a loaded machine).
 */
export const FIRST_CHUNK = 50;

// States of a job that will not dial (again): its id is taken, but nothing is waiting to run.
const NOT_WAITING = new Set(['active', 'completed', 'failed', 'unknown']);
// A plan job lives as long as its plan (it delays itself between steps, and while paused): one
// already running (active) is the contact's job. Only a finished one is not.
const PLAN_NOT_WAITING = new Set(['completed', 'failed', 'unknown']);

/**
 * The contacts whose dial job is really waiting to run. addBulk skips an id that exists: a
 * contact a pause gave back may still have its job finishing (active) when the resume's expand
 * runs, and marking it queued then would leave it with no job for good. Those stay pending; the
 * next top-up queues them once the old job is gone.
 */
async function reallyQueued(jobs: ReadonlyArray<{ getState(): Promise<string> }>, contactIds: string[], notWaiting = NOT_WAITING): Promise<string[]> {
  const states = await Promise.all(jobs.map((j) => j.getState()));
  return contactIds.filter((_, i) => !notWaiting.has(states[i] ?? 'waiting'));
}

export interface ExpandContext {
  db: Db;
  log: Logger;
  queues: Pick<Queues, 'dial'> & Partial<Pick<Queues, 'plan'>>;
  chunk?: number;
  /** The window's size; `dialWindow` unless a test or bench wants a small one. */
  windowOf?: (c: WindowLimits) => number;
  now?: () => number;
  /** Renders the queued contacts' prompts in the background (`render-ahead.ts`); absent: the dial job renders. */
  renderAhead?: (campaignId: string, contactIds: readonly string[]) => void;
}

/**
 * Launch, resume, or a top-up: pending contacts become dial jobs until the campaign has its dial
 * window of due jobs (`dial-window.ts`), one bounded chunk at a time (keyset pagination, one
 * addBulk per chunk). Job ids are deterministic; jobs are added before contacts become 'queued',
 * so a crash in between only re-adds the same ids.
 *
 * While contacts remain pending, the job schedules itself again (moveToDelayed + DelayedError,
 * BullMQ's step-job pattern) instead of completing: its id `expand-<campaign>` stays the dedupe
 * key, so launch, resume, the catch-up and finishing dial jobs never run two expands of one
 * campaign at once. Returns how many contacts it queued.
 */
export async function processExpand(ctx: ExpandContext, job: Job<ExpandJob>, token?: string): Promise<number> {
  const { campaignId } = job.data;
  const chunk = ctx.chunk ?? EXPAND_CHUNK;
  const campaign = await getDialCampaign(ctx.db, campaignId);
  if (campaign?.state !== 'running') return 0;
  const window = (ctx.windowOf ?? dialWindow)(campaign);
  const due = await countDueContacts(ctx.db, campaignId);
  let room = window - due;
  let total = 0;
  let afterId = '0';
  // Below a tenth of the window the top-up waits: the window stays ≥ 90 % full anyway.
  while (room >= (total === 0 ? minTopUp(window) : 1)) {
    // A pause between chunks stops the rest (the dial jobs of a paused campaign give theirs back).
    if (total > 0 && (await getCampaignState(ctx.db, campaignId)) !== 'running') break;
    const size = total === 0 && due === 0 ? Math.min(FIRST_CHUNK, chunk) : chunk;
    const page = await pendingContactsPage(ctx.db, campaignId, afterId, Math.min(size, room));
    if (page.length === 0) break;
    const queuedAt = new Date().toISOString();
    // A campaign with a contact plan gives each contact a plan job; its call steps add the dial jobs.
    const plan = campaign.contactPlan ? ctx.queues.plan : undefined;
    if (campaign.contactPlan && !plan) throw new Error('a planned campaign needs the plan queue');
    const jobs = plan
      ? await plan.addBulk(
          page.map((c) => ({ name: 'plan', data: { campaignId, contactId: c.id }, opts: { ...PLAN_JOB_OPTS, jobId: planJobId(campaignId, c.id) } })),
        )
      : await ctx.queues.dial.addBulk(
          page.map((c) => ({
            name: 'dial',
            data: { campaignId, contactId: c.id, attemptNo: c.nextAttemptNo, queuedAt },
            opts: { ...DIAL_JOB_OPTS, jobId: dialJobId(campaignId, c.id, c.nextAttemptNo) },
          })),
        );
    const queued = await reallyQueued(
      jobs,
      page.map((c) => c.id),
      plan ? PLAN_NOT_WAITING : NOT_WAITING,
    );
    await markQueued(ctx.db, queued);
    // Their audio is rendered while they wait for their turn, so a dial job finds it ready.
    ctx.renderAhead?.(campaignId, queued);
    total += page.length;
    room -= page.length;
    afterId = page[page.length - 1]!.id;
  }
  if (total > 0) {
    await job.updateProgress({ queued: total, window, due: due + total });
    ctx.log.info({ campaignId, queued: total, window, due: due + total }, 'dial window topped up');
  }
  if (await hasPendingContacts(ctx.db, campaignId)) {
    // A paused or cancelled campaign's next run finds it not running and completes.
    await job.moveToDelayed((ctx.now ?? Date.now)() + topUpDelayMs(window, campaign.callsPerSecond), token);
    throw new DelayedError();
  }
  if (total === 0 && (await completeCampaignIfDone(ctx.db, campaignId))) ctx.log.info({ campaignId }, 'campaign completed');
  ctx.log.info({ campaignId }, 'every contact queued: no more top-ups');
  return total;
}

/**
 * Top-ups as dial jobs finish, without a query per call: at most one expand request per
 * campaign per `everyMs` from this process (requestExpand promotes the waiting expand job).
 * The expand itself decides whether the window needs anything.
 */
export function createTopUpTrigger(queue: Queue<ExpandJob>, log: Logger, everyMs = 1_000, now: () => number = Date.now): (campaignId: string) => void {
  const last = new Map<string, number>();
  return (campaignId) => {
    const t = now();
    if (t - (last.get(campaignId) ?? -Infinity) < everyMs) return;
    last.set(campaignId, t);
    // Forget campaigns not heard of for a minute, so the map does not grow with every campaign.
    if (last.size > 1_000) for (const [id, at] of last) if (t - at > 60_000) last.delete(id);
    void requestExpand(queue, campaignId).catch((err: unknown) => log.warn({ err, campaignId }, 'top-up request failed'));
  };
}
