import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { recomputeAllRisk, type RiskDeps } from './risk.service.js';

/**
 * The nightly rescore: one BullMQ job scheduler with a stable id, upserted by every worker at
 * start, so redeploys and several workers never duplicate it; concurrency 1 per worker and one
 * firing per cron tick across all of them.
 */
export const QUEUE_RISK = 'risk';
export const RISK_NIGHTLY_ID = 'risk-nightly';

export interface RiskRunner {
  queue: Queue;
  /** Puts the nightly job scheduler back (after Redis lost its data; idempotent by its stable id). */
  reregister(): Promise<void>;
  close(): Promise<void>;
}

export async function startRiskRunner(o: { deps: RiskDeps; redis: Redis; prefix: string; cron: string; timeZone: string }): Promise<RiskRunner> {
  const log = o.deps.log.child({ component: 'risk' });
  const queue = new Queue(QUEUE_RISK, { connection: o.redis, prefix: o.prefix });
  const worker = new Worker(
    QUEUE_RISK,
    async () => {
      const started = Date.now();
      const n = await recomputeAllRisk(o.deps);
      log.info({ customers: n, ms: Date.now() - started }, 'nightly risk rescore done');
      return n;
    },
    { connection: o.redis, prefix: o.prefix, concurrency: 1 },
  );
  worker.on('error', (err) => log.error({ err }, 'risk worker error'));
  worker.on('failed', (job, err) => log.warn({ jobId: job?.id, err: err.message }, 'risk job failed'));
  const reregister = async (): Promise<void> => {
    await queue.upsertJobScheduler(
      RISK_NIGHTLY_ID,
      { pattern: o.cron, tz: o.timeZone },
      { name: 'nightly', data: {}, opts: { removeOnComplete: 30, removeOnFail: 30 } },
    );
  };
  await reregister();
  return {
    queue,
    reregister,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
