import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import {
  createScheduleQueue,
  createScheduleRegistry,
  scheduleJobSchedulerId,
  startScheduleRunner,
  type ScheduleRunner,
} from '../../../src/schedules/schedule.jobs.js';
import { fireSchedule } from '../../../src/schedules/schedule.service.js';
import { createLogger } from '../../../src/shared/logger.js';
import { seedCustomers, TEMPLATE, testRedis } from './schedules.helpers.js';

describe('schedules fired by a BullMQ job scheduler (real Redis + PostgreSQL)', () => {
  let api: TestApi;
  let r: Awaited<ReturnType<typeof testRedis>>;
  const runners: ScheduleRunner[] = [];

  beforeAll(async () => {
    r = await testRedis();
    api = await createTestApi({ deps: { schedules: createScheduleRegistry(createScheduleQueue(r.redis, r.prefix)) } });
    await seedCustomers(api.t.db, [
      { externalId: 'x1', phones: ['+8613800000001'], daysPastDue: 3 },
      { externalId: 'x2', phones: ['+8613800000020'], daysPastDue: 9 },
    ]);
  });
  afterAll(async () => {
    for (const w of runners) await w.close();
    await api?.close();
    await r?.close();
  });

  const start = async () => {
    const w = await startScheduleRunner({
      db: api.t.db,
      redis: r.redis,
      log: createLogger('silent'),
      prefix: r.prefix,
      policyProfile: 'cn-bank',
      onLaunched: async () => undefined,
    });
    runners.push(w);
    return w;
  };

  it('an every-second schedule fires again and again, with the trigger route and a CLI firing racing it: one run for the local day', async () => {
    const created = await api.app.inject({
      method: 'POST',
      url: '/v1/schedules',
      headers: api.as('operator'),
      payload: { name: 'every-second', cron: '* * * * * *', timeZone: 'America/New_York', template: TEMPLATE, segment: { daysPastDueMax: 30 } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as number;

    // Two workers (two machines after a redeploy) both register every schedule at start.
    const w1 = await start();
    const w2 = await start();
    const fired: number[] = [];
    for (const w of [w1, w2]) w.worker.on('completed', (job, result) => void (job.name === 'fire' && fired.push(result as number)));
    const schedulers = (await w1.queue.getJobSchedulers(0, -1)).map((j) => j.key).filter((k) => k.startsWith('schedule-') && k !== 'schedule-window-sweep');
    expect(schedulers).toEqual([scheduleJobSchedulerId(id)]);

    const trigger = () => api.app.inject({ method: 'POST', url: `/v1/schedules/${id}/trigger`, headers: api.as('operator') });
    const [t1, t2] = await Promise.all([trigger(), fireSchedule(api.t.db, null, id, new Date(), { via: 'cli' })]);
    expect([200, 201]).toContain(t1.statusCode);

    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`only ${fired.length} firings seen`)), 30_000);
      const poll = setInterval(() => {
        if (fired.length >= 3) {
          clearInterval(poll);
          clearTimeout(deadline);
          resolve();
        }
      }, 100);
    });
    const runs = await api.t.db.query<{ id: number; campaign_id: number; local_date: string }>(
      `SELECT id, campaign_id, local_date::text FROM schedule_runs WHERE schedule_id = $1`,
      [id],
    );
    // Firings on either side of local midnight in New York would legitimately make two runs.
    const days = new Set(runs.rows.map((x) => x.local_date));
    expect(runs.rows).toHaveLength(days.size);
    expect(days.size).toBeLessThanOrEqual(2);
    // Every firing, whoever made it, answered with the run of its day.
    expect(new Set(fired).size).toBe(days.size);
    expect(fired).toContain(t1.json().run.id);
    expect(fired).toContain(t2.run.id);
    const contacts = await api.t.db.query(`SELECT customer_id FROM campaign_contacts WHERE campaign_id = ANY($1::bigint[])`, [
      runs.rows.map((x) => x.campaign_id),
    ]);
    expect(contacts.rows).toHaveLength(2 * days.size);

    // Deleting the schedule removes its job scheduler; the firings stop.
    expect((await api.app.inject({ method: 'DELETE', url: `/v1/schedules/${id}`, headers: api.as('operator') })).statusCode).toBe(204);
    expect((await w1.queue.getJobSchedulers(0, -1)).map((j) => j.key)).not.toContain(scheduleJobSchedulerId(id));
  });
});
