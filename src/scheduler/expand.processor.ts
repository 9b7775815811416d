import type { Job } from 'bullmq';
import type { Db } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import { completeCampaignIfDone, getCampaignState, markQueued, pendingContactsPage } from './campaign.repo.js';
import { DIAL_JOB_OPTS, dialJobId, type ExpandJob, type Queues } from './queues.js';

export const EXPAND_CHUNK = 1_000;

/**
 * Launch (or resume): every pending contact becomes a dial job, one bounded chunk at a time
 * (keyset pagination, one addBulk per chunk), so no campaign ever sits in memory or in one
 * Redis call. Job ids are deterministic; jobs are added before contacts become 'queued', so a
 * crash in between only re-adds the same ids.
 */
export async function processExpand(
  ctx: { db: Db; log: Logger; queues: Pick<Queues, 'dial'>; chunk?: number },
  job: Job<ExpandJob>,
): Promise<number> {
  const { campaignId } = job.data;
  const chunk = ctx.chunk ?? EXPAND_CHUNK;
  let afterId = '0';
  let total = 0;
  for (;;) {
    if ((await getCampaignState(ctx.db, campaignId)) !== 'running') break;
    const page = await pendingContactsPage(ctx.db, campaignId, afterId, chunk);
    if (page.length === 0) break;
    const queuedAt = new Date().toISOString();
    await ctx.queues.dial.addBulk(
      page.map((c) => ({
        name: 'dial',
        data: { campaignId, contactId: c.id, attemptNo: c.nextAttemptNo, queuedAt },
        opts: { ...DIAL_JOB_OPTS, jobId: dialJobId(campaignId, c.id, c.nextAttemptNo) },
      })),
    );
    await markQueued(
      ctx.db,
      page.map((c) => c.id),
    );
    total += page.length;
    afterId = page[page.length - 1]!.id;
    await job.updateProgress({ queued: total });
    if (page.length < chunk) break;
  }
  if (total === 0) await completeCampaignIfDone(ctx.db, campaignId);
  ctx.log.info({ campaignId, queued: total }, 'campaign expanded');
  return total;
}
