import type { ChannelInfo } from '../dialer/ports.js';
import { channelPlace } from '../dialer/originate.check.js';

/**
 * The reconciler's decisions, pure: what to do with a contact waiting for a dial job, and with a
 * live attempt no session drives. The I/O (PostgreSQL, Redis, ARI) is in reconciler.ts.
 */

/** The contact's dial job in Redis: there, gone (data loss, eviction), or failed for good. */
export type JobPresence = 'present' | 'missing' | 'failed';

export function jobPresence(exists: number, failedScore: string | null): JobPresence {
  if (failedScore !== null) return 'failed';
  return exists > 0 ? 'present' : 'missing';
}

// A job that failed for good is tried again, but not in a tight loop.
export const FAILED_JOB_BACKOFF_MS = 30_000;

export type WaitingDecision = { action: 'keep' } | { action: 'enqueue'; attemptNo: number; at: Date; removeFailed: boolean };

/**
 * A `queued`/`deferred` contact of a running campaign: its job must exist. When Redis lost it,
 * it is added again, due when it was due (a retry keeps its delay, a deferral its time).
 */
export function decideWaitingContact(c: { attemptNo: number; nextAttemptAt: Date | null }, job: JobPresence, now: Date): WaitingDecision {
  if (job === 'present') return { action: 'keep' };
  const earliest = job === 'failed' ? now.getTime() + FAILED_JOB_BACKOFF_MS : now.getTime();
  const at = new Date(Math.max(earliest, c.nextAttemptAt?.getTime() ?? 0));
  return { action: 'enqueue', attemptNo: c.attemptNo, at, removeFailed: job === 'failed' };
}

export type OrphanDecision = 'adopt' | 'lose';

/**
 * A live attempt of this worker that no session drives (a previous life's call, or a dead
 * worker's claimed by us). Asterisk still has the channel → adopt it: in our app or another's
 * (moved), in the AMD dialplan (comes back to us), or still ringing (its answer enters the app
 * it was originated into). Gone, or somewhere we cannot take it from → lost (and retried).
 */
export function decideOrphan(channel: ChannelInfo | null, amdContext: string): OrphanDecision {
  if (!channel) return 'lose';
  const place = channelPlace(channel, amdContext);
  if (place.inStasis || place.inAmd) return 'adopt';
  return channel.state === 'Up' ? 'lose' : 'adopt';
}

/** Whether a campaign's pass must look at every waiting contact's job now. */
export function jobCheckDue(redisLost: boolean, lastCheckAt: number, now: number, everyMs: number): boolean {
  return redisLost || now - lastCheckAt >= everyMs;
}
