import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueEvents } from 'bullmq';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { testRedis } from '../schedules/schedules.helpers.js';
import { RISK_NIGHTLY_ID, startRiskRunner } from '../../../src/risk/risk.jobs.js';
import { DEFAULT_SCORECARD } from '../../../src/risk/scorecard.js';
import { createLogger } from '../../../src/shared/logger.js';

// The nightly rescore through real Redis (BullMQ) and PostgreSQL.
let t: TestDb;
let r: Awaited<ReturnType<typeof testRedis>>;
beforeAll(async () => {
  t = await createTestDb();
  r = await testRedis();
  await t.db.query(
    `INSERT INTO customers (external_id, name, phones, days_past_due, amount_due) VALUES ('N-1', 'Synthetic 0001', '{+8613800000001}', 40, 900), ('N-2', 'Synthetic 0002', '{+8613800000002}', 0, 100)`,
  );
});
afterAll(async () => {
  await r.close();
  await t.drop();
});

describe('nightly risk rescore', () => {
  it('registers one job scheduler under a stable id however often workers start, and its job scores everyone', async () => {
    const o = {
      deps: { db: t.db, log: createLogger('silent'), scorecard: DEFAULT_SCORECARD },
      redis: r.redis,
      prefix: r.prefix,
      cron: '30 2 * * *',
      timeZone: 'Asia/Shanghai',
    };
    const a = await startRiskRunner(o);
    const b = await startRiskRunner(o);
    const schedulers = await a.queue.getJobSchedulers(0, -1);
    expect(schedulers.map((s) => [s.key, s.pattern, s.tz])).toEqual([[RISK_NIGHTLY_ID, '30 2 * * *', 'Asia/Shanghai']]);
    const conn = r.redis.duplicate();
    const events = new QueueEvents('risk', { connection: conn, prefix: r.prefix });
    await events.waitUntilReady();
    const job = await a.queue.add('nightly', {});
    expect(await job.waitUntilFinished(events, 30_000)).toBe(2);
    const { rows } = await t.db.query(`SELECT trigger, count(*)::int AS n FROM risk_scores GROUP BY trigger`);
    expect(rows).toEqual([{ trigger: 'nightly', n: 2 }]);
    await events.close();
    await conn.quit();
    await a.close();
    await b.close();
  });
});
