import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import { getSchedule, listSchedules } from './schedule.repo.js';
import { fireSchedule } from './schedule.service.js';
import type { CampaignStarted, ScheduleRegistry } from './schedule.types.js';
import { closeEndedWindows } from './schedule.window.js';

/**
 * Schedules as BullMQ job schedulers. Each schedule is one job scheduler with the stable id
 * `schedule-<id>` (pattern + tz): upserting it again — at every worker start, on every edit,
 * from any machine — replaces it instead of adding a second one. The run's unique key in
 * PostgreSQL is what makes a double firing harmless; the stable id only avoids the noise.
 */
export const QUEUE_SCHEDULE = 'schedule';
export const WINDOW_SWEEP_ID = 'schedule-window-sweep';
export const WINDOW_SWEEP_EVERY_MS = 60_000;

export interface ScheduleJob {
  scheduleId: string;
}

export function scheduleJobSchedulerId(id: number | string): string {
  return `schedule-${id}`;
}

export function createScheduleQueue(connection: ConnectionOptions, prefix: string): Queue<ScheduleJob> {
  return new Queue<ScheduleJob>(QUEUE_SCHEDULE, { connection, prefix });
}

export function createScheduleRegistry(queue: Queue<ScheduleJob>): ScheduleRegistry {
  return {
    async sync(s) {
      if (!s.enabled) {
        await queue.removeJobScheduler(scheduleJobSchedulerId(s.id));
        return;
      }
      await queue.upsertJobScheduler(scheduleJobSchedulerId(s.id), { pattern: s.cron, tz: s.timeZone }, { name: 'fire', data: { scheduleId: String(s.id) } });
    },
    async remove(id) {
      await queue.removeJobScheduler(scheduleJobSchedulerId(id));
    },
  };
}

/**
 * Makes Redis say what PostgreSQL says: every enabled schedule upserted, every `schedule-<id>`
 * scheduler without an enabled schedule removed (a delete whose Redis call failed).
 */
export async function reconcileJobSchedulers(db: Db, queue: Queue<ScheduleJob>): Promise<{ upserted: number; removed: number }> {
  const registry = createScheduleRegistry(queue);
  const enabled = await listSchedules(db, { enabledOnly: true, limit: 10_000 });
  for (const s of enabled) await registry.sync(s);
  const wanted = new Set(enabled.map((s) => scheduleJobSchedulerId(s.id)));
  let removed = 0;
  for (const js of await queue.getJobSchedulers(0, -1)) {
    if (/^schedule-\d+$/.test(js.key) && !wanted.has(js.key)) {
      await queue.removeJobScheduler(js.key);
      removed++;
    }
  }
  return { upserted: enabled.length, removed };
}

/** The instant the job was due (not when a busy or restarted worker got to it): its local date is the run's. */
export function firingTime(job: Pick<Job, 'opts' | 'timestamp'>): Date {
  const due = (job.opts as { prevMillis?: number }).prevMillis;
  return new Date(typeof due === 'number' && due > 0 ? due : job.timestamp);
}

export interface ScheduleRunner {
  queue: Queue<ScheduleJob>;
  worker: Worker<ScheduleJob>;
  /** Registers every schedule's job scheduler again (after Redis lost its data). */
  reregister(): Promise<void>;
  close(): Promise<void>;
}

export async function startScheduleRunner(o: {
  db: Db;
  redis: Redis;
  log: Logger;
  prefix: string;
  policyProfile: string;
  onLaunched: CampaignStarted;
  sweepEveryMs?: number;
}): Promise<ScheduleRunner> {
  const log = o.log.child({ component: 'schedules' });
  const queue = createScheduleQueue(o.redis, o.prefix);
  const worker = new Worker<ScheduleJob>(
    QUEUE_SCHEDULE,
    async (job) => {
      if (job.name === 'window-sweep') return (await closeEndedWindows(o.db, new Date(), log)).length;
      // A job scheduler left behind for a disabled or deleted schedule (until the next reconcile) fires nothing.
      const s = await getSchedule(o.db, Number(job.data.scheduleId));
      if (!s?.enabled) {
        log.warn({ scheduleId: job.data.scheduleId }, 'firing of a disabled or deleted schedule ignored');
        return null;
      }
      const r = await fireSchedule(o.db, null, Number(job.data.scheduleId), firingTime(job), {
        policyProfile: o.policyProfile,
        via: 'schedule',
        onLaunched: o.onLaunched,
      });
      log.info({ scheduleId: job.data.scheduleId, runId: r.run.id, localDate: r.run.localDate, created: r.created, contacts: r.contacts }, 'schedule fired');
      return r.run.id;
    },
    { connection: o.redis, prefix: o.prefix, concurrency: 1 },
  );
  worker.on('error', (err) => log.error({ err }, 'schedule worker error'));
  worker.on('failed', (job, err) => log.warn({ jobId: job?.id, err: err.message }, 'schedule job failed'));
  const register = async () => {
    const counts = await reconcileJobSchedulers(o.db, queue);
    await queue.upsertJobScheduler(WINDOW_SWEEP_ID, { every: o.sweepEveryMs ?? WINDOW_SWEEP_EVERY_MS }, { name: 'window-sweep', data: { scheduleId: '' } });
    log.info(counts, 'schedules registered');
  };
  await register();
  return {
    queue,
    worker,
    reregister: register,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
