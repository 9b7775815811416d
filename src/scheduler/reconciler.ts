import type { Redis } from 'ioredis';
import type { Db } from '../store/db.js';
import type { Outcome } from '../calls/outcome.js';
import { claimAttemptsOfDeadWorkers, heartbeat, liveAttemptsOfWorker, releaseStaleReservations } from '../calls/attempt.recovery.sql.js';
import { dialingContactsWithoutLiveCall, requeueContact, waitingContactsPage } from '../contacts/contact.recovery.sql.js';
import { completeFinishedCampaigns } from '../campaigns/campaign.recovery.sql.js';
import { campaignsWithPending, getDialCampaign } from '../campaigns/campaign.repo.js';
import { nextAttemptNo } from '../calls/attempts.repo.js';
import { openPlansPage } from '../plans/plan-runs.repo.js';
import { addExpand, addNextAttempt, addPlanJob, dialJobId, planJobId, type Queues } from './queues.js';
import { decideWaitingContact, jobCheckDue, jobPresence } from './reconcile.decide.js';
import { recoverLiveAttempt, type RecoveryContext } from './recovery.js';
import { settleContact } from './settle.js';

/**
 * PostgreSQL is the truth for what must be dialled; Redis and the live sessions are rebuilt
 * from it. Every worker runs this at start and every few seconds. Each step is idempotent
 * (deterministic job ids, conditional UPDATEs, SKIP LOCKED), so any number of workers may run it:
 * - its own live attempts no session drives (a previous life's calls, or a dead worker's it
 *   claimed): adopted if Asterisk still has the channel, else ended as lost and retried;
 * - under one advisory lock (one worker at a time does the rest): reservations never
 *   originated are released and their contacts re-queued; contacts left `dialing` after their
 *   attempt ended are settled; contacts waiting for a job Redis no longer has get it back (at
 *   once after a Redis data loss, otherwise every `jobCheckEveryMs`), a contact plan's job too,
 *   due when PostgreSQL says its next step is due; running campaigns with
 *   pending contacts get their expand job; campaigns with nothing left complete.
 */
export interface ReconcilerOptions {
  ctx: RecoveryContext;
  queues: Queues;
  redis: Redis;
  prefix: string;
  everyMs: number;
  /** A reservation never originated after this long is released. */
  reservedTimeoutMs: number;
  /** A worker silent for this long is dead: its live calls are taken over. */
  deadWorkerMs: number;
  jobCheckEveryMs?: number;
  /** After Redis lost its data (its sentinel key vanished): re-register recurring jobs. */
  onRedisLoss?: () => Promise<void>;
}

export interface PassReport {
  adopted: number;
  lost: number;
  released: number;
  settled: number;
  requeued: number;
  completed: string[];
  redisLost: boolean;
}

export interface Reconciler {
  runOnce(): Promise<PassReport>;
  stop(): Promise<void>;
}

// pg_try_advisory_lock key of the shared part ("RWHE").
const LOCK_KEY = 0x52574845;
// Left alone for this long after a change: the normal path is still on it.
const OWN_GRACE_MS = 10_000;
const SETTLE_GRACE_MS = 10_000;
const WAITING_GRACE_MS = 5_000;
const PAGE = 1_000;

export function startReconciler(o: ReconcilerOptions): Reconciler {
  const { ctx } = o;
  const log = ctx.log.child({ component: 'reconciler' });
  const sentinel = `${o.prefix}:reconciler:alive`;
  let lastJobCheck = 0;
  let running: Promise<PassReport> | null = null;

  const runOnce = (): Promise<PassReport> => {
    running ??= pass().finally(() => (running = null));
    return running;
  };

  async function pass(): Promise<PassReport> {
    const report: PassReport = { adopted: 0, lost: 0, released: 0, settled: 0, requeued: 0, completed: [], redisLost: false };
    await heartbeat(ctx.db, ctx.workerId);
    // Adopting needs Asterisk: while ARI is down the calls are left for the reconnect.
    if (ctx.dialer.connected) await ownAttempts(report);
    await withLock(ctx.db, () => shared(report));
    const changed = report.adopted + report.lost + report.released + report.settled + report.requeued + report.completed.length;
    if (changed > 0 || report.redisLost) log.warn(report, 'reconciled');
    return report;
  }

  async function ownAttempts(report: PassReport): Promise<void> {
    const claimed = await claimAttemptsOfDeadWorkers(ctx.db, ctx.workerId, o.deadWorkerMs);
    if (claimed > 0) log.warn({ claimed }, 'took over the live calls of a dead worker');
    for (const row of await liveAttemptsOfWorker(ctx.db, ctx.workerId, OWN_GRACE_MS)) {
      const r = await recoverLiveAttempt(ctx, row);
      if (r === 'adopted') report.adopted++;
      if (r === 'lost') report.lost++;
    }
  }

  async function shared(report: PassReport): Promise<void> {
    for (const r of await releaseStaleReservations(ctx.db, o.reservedTimeoutMs)) {
      report.released++;
      if (!r.campaignId || !r.contactId || (await nextAttemptNo(ctx.db, r.contactId)) !== r.attemptNo + 1) continue;
      await addNextAttempt(o.queues.dial, { campaignId: r.campaignId, contactId: r.contactId, attemptNo: r.attemptNo + 1, at: new Date() });
      await requeueContact(ctx.db, r.contactId, null);
    }
    for (const c of await dialingContactsWithoutLiveCall(ctx.db, SETTLE_GRACE_MS)) {
      const campaign = await getDialCampaign(ctx.db, c.campaignId);
      if (!campaign) continue;
      await settleContact(ctx, campaign, c.id, c.attemptNo, (c.outcome ?? 'failed') as Outcome, c.answered, c.endReason);
      report.settled++;
    }
    report.redisLost = (await o.redis.exists(sentinel)) === 0;
    if (report.redisLost) {
      await o.redis.set(sentinel, new Date().toISOString());
      await o.onRedisLoss?.().catch((err: unknown) => log.error({ err }, 'recurring jobs could not be registered again'));
    }
    const now = Date.now();
    if (jobCheckDue(report.redisLost, lastJobCheck, now, o.jobCheckEveryMs ?? 30_000)) {
      lastJobCheck = now;
      report.requeued = (await requeueMissingJobs()) + (await requeueMissingPlans());
    }
    for (const campaignId of await campaignsWithPending(ctx.db, 1_000)) await addExpand(o.queues.campaign, campaignId);
    report.completed = await completeFinishedCampaigns(ctx.db);
  }

  /** Waiting contacts whose dial job Redis does not have (or has as failed for good) get it back. */
  async function requeueMissingJobs(): Promise<number> {
    const dial = o.queues.dial;
    let n = 0;
    for (let afterId = '0'; ;) {
      const page = await waitingContactsPage(ctx.db, afterId, PAGE, WAITING_GRACE_MS);
      if (page.length === 0) return n;
      const ids = page.map((c) => dialJobId(c.campaignId, c.id, c.attemptNo));
      const pipe = o.redis.pipeline();
      for (const id of ids) pipe.exists(dial.toKey(id)).zscore(dial.keys.failed!, id);
      const res = (await pipe.exec()) ?? [];
      const now = new Date();
      for (const [i, c] of page.entries()) {
        const exists = Number(res[2 * i]?.[1] ?? 0);
        const failed = (res[2 * i + 1]?.[1] as string | null | undefined) ?? null;
        const d = decideWaitingContact(c, jobPresence(exists, failed), now);
        if (d.action === 'keep') continue;
        if (d.removeFailed) await dial.remove(ids[i]!).catch(() => undefined);
        await addNextAttempt(dial, { campaignId: c.campaignId, contactId: c.id, attemptNo: d.attemptNo, at: d.at, agent: c.agent });
        n++;
      }
      afterId = page[page.length - 1]!.id;
    }
  }

  /** Open contact plans whose job Redis does not have (or has as failed for good) get it back, due when their step is. */
  async function requeueMissingPlans(): Promise<number> {
    const plan = o.queues.plan;
    let n = 0;
    for (let afterId = '0'; ;) {
      const page = await openPlansPage(ctx.db, afterId, PAGE);
      if (page.length === 0) return n;
      const ids = page.map((p) => planJobId(p.campaignId, p.id));
      const pipe = o.redis.pipeline();
      for (const id of ids) pipe.exists(plan.toKey(id)).zscore(plan.keys.failed!, id);
      const res = (await pipe.exec()) ?? [];
      const now = new Date();
      for (const [i, p] of page.entries()) {
        const presence = jobPresence(Number(res[2 * i]?.[1] ?? 0), (res[2 * i + 1]?.[1] as string | null | undefined) ?? null);
        const d = decideWaitingContact({ attemptNo: 0, nextAttemptAt: p.dueAt }, presence, now);
        if (d.action === 'keep') continue;
        if (d.removeFailed) await plan.remove(ids[i]!).catch(() => undefined);
        await addPlanJob(plan, { campaignId: p.campaignId, contactId: p.id, at: d.at });
        n++;
      }
      afterId = page[page.length - 1]!.id;
    }
  }

  const timer = setInterval(() => void runOnce().catch((err: unknown) => log.error({ err }, 'reconcile pass failed')), o.everyMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

/** Runs `fn` only if no other worker holds the reconciler's lock (a lost connection frees it). */
async function withLock(db: Db, fn: () => Promise<void>): Promise<void> {
  const client = await db.connect();
  let broken = false;
  try {
    const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LOCK_KEY]).catch((err: unknown) => {
      broken = true;
      throw err;
    });
    if (!r.rows[0]?.ok) return;
    try {
      await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => (broken = true));
    }
  } finally {
    client.release(broken || undefined);
  }
}
