import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger, type Logger } from '../../src/shared/logger.js';
import { startDialWorker, type DialWorker, type DialWorkerOptions } from '../../src/scheduler/worker.runtime.js';
import { createGatePort } from '../../src/scheduler/gate.adapter.js';
import { createCampaignEvents, type CampaignEvents } from '../../src/scheduler/campaign-events.js';
import { createQueues, type Queues } from '../../src/scheduler/queues.js';
import { saveGlobalPolicy } from '../../src/compliance/policy.store.js';
import { getProfile } from '../../src/compliance/policy.profiles.js';
import { createTestDb, type TestDb } from './db.js';
import { sandboxEnv } from './sandbox-env.js';
import { FakeAri } from '../unit/dialer/fake-ari.js';

export interface FakeAriWorker {
  tdb: TestDb;
  redis: Redis;
  ari: FakeAri;
  worker: DialWorker;
  queues: Queues;
  events: CampaignEvents;
  log: Logger;
  close(): Promise<void>;
}

/**
 * The production dial worker against real PostgreSQL, Redis and compliance gate, with a
 * scripted FakeAri (set `ari.onDial` to play the far end): deterministic scheduler tests. The
 * global policy allows every minute, so they run at any hour.
 */
export async function startFakeAriWorker(over: Partial<DialWorkerOptions> & { name: string }): Promise<FakeAriWorker> {
  const { name, ...options } = over;
  const tdb = await createTestDb();
  const redis = new Redis(process.env.REDIS_URL ?? sandboxEnv()['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const prefix = `rwt-${name}-${randomBytes(4).toString('hex')}`;
  await saveGlobalPolicy(tdb.db, 'cn-bank', { ...getProfile('cn-bank'), windowStart: '00:00', windowEnd: '24:00' }, null);
  const ari = new FakeAri();
  const queues = createQueues(redis, prefix);
  const events = createCampaignEvents(queues, redis, prefix, log);
  const worker = await startDialWorker({
    db: tdb.db,
    redis,
    log,
    ari,
    gate: createGatePort(tdb.db, 'cn-bank'),
    renderPrompt: async () => ({ media: ['sound:hello-world'], version: 'v-test' }),
    prefix,
    dialer: { dialTemplate: 'PJSIP/{number}@carrier', ringTimeoutSeconds: 15, menuTimeoutSeconds: 1, workerId: `w-${name}` },
    global: { maxChannels: 10, callsPerSecond: 100 },
    concurrency: 10,
    lockDurationMs: 5_000,
    ...options,
  });
  return {
    tdb,
    redis,
    ari,
    worker,
    queues,
    events,
    log,
    async close() {
      await worker.close(1_000);
      await queues.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
      await tdb.drop();
    },
  };
}
