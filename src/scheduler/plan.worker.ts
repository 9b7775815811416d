import { Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from '../shared/logger.js';
import { processPlan, type PlanContext } from './plan.processor.js';
import { QUEUE_PLAN, type PlanJob } from './queues.js';

export interface PlanWorker {
  worker: Worker<PlanJob>;
  close(): Promise<void>;
}

/** Runs contact plans (plan.processor.ts); the plan jobs are added by a planned campaign's expand. */
export function startPlanWorker(ctx: PlanContext, o: { redis: ConnectionOptions; prefix: string; concurrency?: number; log: Logger }): PlanWorker {
  const worker = new Worker<PlanJob>(QUEUE_PLAN, (job, token) => processPlan(ctx, job, token), {
    connection: o.redis,
    prefix: o.prefix,
    concurrency: o.concurrency ?? 10,
  });
  worker.on('error', (err) => o.log.error({ err }, 'plan worker error'));
  worker.on('failed', (job, err) => o.log.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, 'plan job failed'));
  return {
    worker,
    async close() {
      await worker.close();
    },
  };
}
