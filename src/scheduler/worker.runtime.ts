import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import { Dialer, type DialerSettings } from '../dialer/dialer.js';
import type { AgentHooks, AriPort, GatePort, PromptPort } from '../dialer/ports.js';
import { createRedisPacer, type Pacer, type PaceLimits } from './pacing.js';
import { createTokenQueue } from './token-queue.js';
import { createRenderAhead } from './render-ahead.js';
import { createBackpressure, type Backpressure } from './pacing.backpressure.js';
import { createHoldRecorder } from './pacing.holds.js';
import { createAdmission } from './pacing.admission.js';
import { createCampaignCache } from './campaign-cache.js';
import {
  addExpand,
  CATCH_UP_EVERY_MS,
  CATCH_UP_SCHEDULER_ID,
  createQueues,
  QUEUE_CAMPAIGN,
  QUEUE_DIAL,
  type DialJob,
  type ExpandJob,
  type Queues,
} from './queues.js';
import { processDial, type DialContext } from './dial.processor.js';
import { startReconciler, type Reconciler } from './reconciler.js';
import { recoverLiveAttempt } from './recovery.js';
import { getAttempt } from '../calls/attempts.repo.js';
import { createTopUpTrigger, processExpand } from './expand.processor.js';
import type { WindowLimits } from './dial-window.js';
import { watchCampaignStates, type CampaignStateWatch } from './campaign-events.js';
import { campaignsWithPending } from '../campaigns/campaign.repo.js';
import { observedPacer, timedGate, watchQueueDepths, type WorkerMetrics } from '../observability/worker-metrics.js';

export interface DialWorkerOptions {
  db: Db;
  /** A connected ioredis client (maxRetriesPerRequest: null); duplicated for blocking calls. */
  redis: Redis;
  log: Logger;
  ari: AriPort;
  gate: GatePort;
  renderPrompt: PromptPort;
  /** Renders the prompts of contacts about to be dialled (nice'd TTS); absent: each dial job renders its own. */
  renderAhead?: PromptPort;
  prefix: string;
  dialer: DialerSettings;
  global: PaceLimits;
  /** Live calls this worker runs at once (its BullMQ concurrency). */
  concurrency: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Slot lease; renewed every 30 s while the call lives. */
  slotLeaseMs?: number;
  /** How often running campaigns are checked for contacts a missed event left pending. */
  catchUpEveryMs?: number;
  /** Size of a campaign's dial window (default `dialWindow`); tests shrink it. */
  dialWindow?: (c: WindowLimits) => number;
  /** The agents module's hooks (agents/agent-hooks.ts); without them digit 1 hangs up and risk scores are not looked at. */
  agents?: AgentHooks;
  /** The reconciler (reconciler.ts); defaults suit production. */
  healing?: { everyMs?: number; reservedTimeoutMs?: number; deadWorkerMs?: number; jobCheckEveryMs?: number };
  /** The worker's metrics: gate timing, pacing waits, outcomes and queue depths are recorded into it. */
  metrics?: WorkerMetrics;
}

export const HEALING_DEFAULTS = { everyMs: 5_000, reservedTimeoutMs: 60_000, deadWorkerMs: 30_000, jobCheckEveryMs: 30_000 };

export interface DialWorker {
  dialer: Dialer;
  queues: Queues;
  pacer: Pacer;
  /** Asterisk's backpressure on this worker's pacing (factor and reason). */
  pressure: Backpressure;
  worker: Worker<DialJob>;
  reconciler: Reconciler;
  /** Also run after Redis lost its data (re-register other recurring jobs: schedules). */
  onRedisLoss(hook: () => Promise<void>): void;
  /** Stops taking jobs, lets live calls end (hanging up what is left after drainMs), closes. */
  close(drainMs?: number): Promise<void>;
}

/**
 * The worker process's dialing side: one ARI app, one Dialer, the dial and campaign queues'
 * workers, pacing in Redis and campaign states over pub/sub. Dial jobs are taken only while
 * ARI is connected (Asterisk hangs up answered calls whose app is gone).
 */
export async function startDialWorker(o: DialWorkerOptions): Promise<DialWorker> {
  const log = o.log.child({ component: 'dial-worker', workerId: o.dialer.workerId });
  const queues = createQueues(o.redis, o.prefix);
  const m = o.metrics;
  const redisPacer = createRedisPacer(o.redis, o.prefix, o.global, o.slotLeaseMs ?? 120_000);
  const pacer = m ? observedPacer(redisPacer, m) : redisPacer;
  // Asterisk's pace: originates are observed, and every campaign's rate scaled when it slows.
  const pressure = createBackpressure(o.ari);
  const holds = createHoldRecorder({ db: o.db, log, workerId: o.dialer.workerId });
  pressure.start((now) => holds.onChange(now));
  const dialer = new Dialer(pressure.ari, o.db, log, o.dialer, o.agents);
  if (m) dialer.onCallEnded((outcome) => m.ended.inc({ outcome }));
  let watch: CampaignStateWatch | undefined;
  watch = await watchCampaignStates(o.redis.duplicate(), o.prefix, log);

  const ctx: DialContext = {
    db: o.db,
    log,
    queues,
    pacer,
    tokens: createTokenQueue(async (campaignId, limits) => {
      const wait = await pacer.takeToken(campaignId, { ...limits, callsPerSecond: pressure.scale(limits.callsPerSecond) });
      if (wait === 0) holds.dialed(campaignId);
      return wait;
    }),
    dialer,
    gate: m ? timedGate(o.gate, m) : o.gate,
    renderPrompt: o.renderPrompt,
    workerId: o.dialer.workerId,
    recovering: new Set(),
    stopping: () => closing,
  };
  let closing = false;
  // A channel of ours entering the app with no session (back from AMD after a restart): adopt it.
  dialer.onStray = async (id) => {
    const row = await getAttempt(o.db, id);
    if (!row || row.state === 'ended' || row.state === 'reserved' || row.workerId !== ctx.workerId) return false;
    return (await recoverLiveAttempt(ctx, row)) === 'adopted';
  };
  const redisLossHooks: Array<() => Promise<void>> = [];
  const upsertCatchUp = () =>
    queues.campaign.upsertJobScheduler(CATCH_UP_SCHEDULER_ID, { every: o.catchUpEveryMs ?? CATCH_UP_EVERY_MS }, { name: 'catch-up', data: { campaignId: '' } });
  const reconciler = startReconciler({
    ctx,
    queues,
    redis: o.redis,
    prefix: o.prefix,
    ...HEALING_DEFAULTS,
    ...o.healing,
    onRedisLoss: async () => {
      await upsertCatchUp();
      for (const hook of redisLossHooks) await hook();
    },
  });
  // Calls a previous life of this worker left live are adopted (or ended as lost) before any new
  // call: at start, or at the first connect when ARI was not reachable at start.
  const reconcileNow = () => reconciler.runOnce().catch((err: unknown) => log.error({ err }, 'reconcile pass failed'));
  if (o.ari.isConnected()) await reconcileNow();

  // Dial jobs prepare a second of their campaign's calls at a time, in order (pacing.admission.ts).
  const admission = createAdmission();
  const campaigns = createCampaignCache(o.db);
  const rateOf = async (campaignId: string): Promise<number> => (await campaigns(campaignId))?.callsPerSecond ?? 1;
  const dial = async (job: Job<DialJob>, token?: string): Promise<string> => {
    const ticket = await admission.enter(job.data.campaignId, await rateOf(job.data.campaignId));
    try {
      return await processDial({ ...ctx, getCampaign: campaigns, onToken: () => ticket.leave() }, job, token);
    } finally {
      ticket.leave();
    }
  };
  const worker = new Worker<DialJob>(QUEUE_DIAL, dial, {
    connection: o.redis,
    prefix: o.prefix,
    concurrency: o.concurrency,
    lockDuration: o.lockDurationMs ?? 30_000,
    stalledInterval: o.stalledIntervalMs ?? o.lockDurationMs ?? 30_000,
    maxStalledCount: 2,
    autorun: false,
  });
  worker.on('error', (err) => log.error({ err }, 'dial worker error'));
  // A finished dial job (not one sent back to wait for pacing) leaves room in its campaign's dial
  // window: ask for a top-up, throttled per campaign, rather than wait for expand's own re-run.
  const topUp = createTopUpTrigger(queues.campaign, log);
  worker.on('completed', (job) => topUp(job.data.campaignId));
  worker.on('failed', (job, err) => {
    log.warn({ jobId: job?.id, err: err.message }, 'dial job failed');
    if (job) topUp(job.data.campaignId);
  });

  const renderAhead = o.renderAhead ? createRenderAhead({ db: o.db, log, render: o.renderAhead }) : undefined;
  const expandCtx = { db: o.db, log, queues, ...(o.dialWindow ? { windowOf: o.dialWindow } : {}), ...(renderAhead ? { renderAhead } : {}) };
  const expander = new Worker<ExpandJob>(
    QUEUE_CAMPAIGN,
    (job, token) => (job.name === 'catch-up' ? catchUp(o.db, queues) : processExpand(expandCtx, job, token)),
    {
      connection: o.redis,
      prefix: o.prefix,
      concurrency: 1,
    },
  );
  expander.on('error', (err) => log.error({ err }, 'campaign worker error'));
  expander.on('failed', (job, err) => log.error({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, 'campaign job failed'));
  // Launch and resume events can be lost (Redis blip, API crash after commit), and an expand job
  // can fail for good: a stable-id job scheduler asks for an expand of every running campaign
  // with pending contacts (a no-op while its expand job exists), so redeploys never duplicate it.
  await upsertCatchUp();

  if (m) watchQueueDepths(m, { dial: queues.dial, campaign: queues.campaign });

  dialer.onConnectionChange((up) => {
    if (closing) return;
    if (up) {
      void reconcileNow().then(() => worker.resume());
    } else {
      // Not waiting for active jobs: their calls are reconciled after the reconnect.
      void worker.pause(true);
    }
  });
  if (!o.ari.isConnected()) void worker.pause(true);
  void worker.run().catch((err: unknown) => log.error({ err }, 'dial worker stopped'));

  return {
    dialer,
    queues,
    pacer,
    pressure,
    worker,
    reconciler,
    onRedisLoss(hook) {
      redisLossHooks.push(hook);
    },
    async close(drainMs = 60_000) {
      closing = true;
      renderAhead?.close();
      pressure.stop();
      await reconciler.stop();
      await Promise.all([worker.close(), dialer.drain(drainMs)]);
      await expander.close();
      await watch?.close();
      watch = undefined;
      await queues.close();
    },
  };
}

async function catchUp(db: Db, queues: Queues): Promise<number> {
  const ids = await campaignsWithPending(db, 1_000);
  for (const campaignId of ids) await addExpand(queues.campaign, campaignId);
  return ids.length;
}
