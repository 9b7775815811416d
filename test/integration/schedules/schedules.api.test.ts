import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { createScheduleQueue, createScheduleRegistry, reconcileJobSchedulers, scheduleJobSchedulerId } from '../../../src/schedules/schedule.jobs.js';
import { fireSchedule } from '../../../src/schedules/schedule.service.js';
import { closeEndedWindows } from '../../../src/schedules/schedule.window.js';
import { localDateOf } from '../../../src/schedules/schedule.time.js';
import { waitForRun } from '../../../src/cli/batch.command.js';
import { seedCustomers, TEMPLATE, testRedis } from './schedules.helpers.js';
import type { Queue } from 'bullmq';
import type { ScheduleJob } from '../../../src/schedules/schedule.jobs.js';

describe('schedules API (real PostgreSQL + Redis)', () => {
  let api: TestApi;
  let r: Awaited<ReturnType<typeof testRedis>>;
  let queue: Queue<ScheduleJob>;
  const launched: number[] = [];

  beforeAll(async () => {
    r = await testRedis();
    queue = createScheduleQueue(r.redis, r.prefix);
    api = await createTestApi({
      deps: {
        schedules: createScheduleRegistry(queue),
        events: { campaignStateChanged: async (id) => void launched.push(id) },
      },
    });
    await seedCustomers(api.t.db, [
      { externalId: 'a', phones: ['+8613800000001', '+8613800000002'], daysPastDue: 5, riskTier: 'high', riskScore: 80 },
      { externalId: 'b', phones: ['+8613800000020'], daysPastDue: 25, riskTier: 'low', riskScore: 10 },
      { externalId: 'c', phones: ['+8613800000040'], daysPastDue: 45, riskTier: 'high', riskScore: 90 },
      { externalId: 'd', phones: ['+8613800000003'], daysPastDue: null },
    ]);
  });
  afterAll(async () => {
    await queue?.close();
    await api?.close();
    await r?.close();
  });

  const post = (body: object) => api.app.inject({ method: 'POST', url: '/v1/schedules', headers: api.as('operator'), payload: body });
  const valid = (name: string, extra: object = {}) => ({
    name,
    cron: '0 9 * * *',
    timeZone: 'Asia/Shanghai',
    template: TEMPLATE,
    segment: { daysPastDueMin: 1, daysPastDueMax: 30 },
    ...extra,
  });
  const schedulerIds = async () => (await queue.getJobSchedulers(0, -1)).map((j) => j.key);

  it('bad cron, unknown zone, bad template or segment → 422 with a code and the field; nothing saved or registered', async () => {
    const cases: [object, string, string | undefined][] = [
      [valid('bad-cron', { cron: '61 * * * *' }), 'invalid_cron', 'cron'],
      [valid('bad-cron2', { cron: 'every day' }), 'invalid_cron', 'cron'],
      [valid('bad-zone', { timeZone: 'Mars/Olympus' }), 'invalid_time_zone', 'timeZone'],
      [valid('bad-window', { template: { ...TEMPLATE, policyOverrides: { windowStart: '10:00', windowEnd: '10:00' } } }), 'empty_window', 'template'],
      [
        valid('loose-window', { template: { ...TEMPLATE, policyOverrides: { windowStart: '06:00', windowEnd: '10:00' } } }),
        'override_not_stricter',
        'template',
      ],
      [valid('bad-tz-template', { template: { ...TEMPLATE, defaultTimeZone: 'Nowhere/City' } }), 'invalid_time_zone', 'template'],
      [valid('bad-segment', { segment: { daysPastDueMin: 10, daysPastDueMax: 2 } }), 'invalid_segment', undefined],
    ];
    for (const [body, code, field] of cases) {
      const res = await post(body);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error.code).toBe(code);
      if (field) expect(res.json().error.details.field).toBe(field);
    }
    const shape = await post({ ...valid('bad-shape'), segment: { riskTiers: ['extreme'] } });
    expect(shape.statusCode).toBe(400);
    expect((await api.app.inject({ method: 'GET', url: '/v1/schedules', headers: api.as('viewer') })).json().items).toEqual([]);
    expect(await schedulerIds()).toEqual([]);
  });

  it('create registers one job scheduler under a stable id; re-upserting never adds a second; delete removes it', async () => {
    const res = await post(valid('nightly-dpd-1-30'));
    expect(res.statusCode, res.body).toBe(201);
    const s = res.json();
    expect(s).toMatchObject({ name: 'nightly-dpd-1-30', onWindowEnd: 'defer', enabled: true, segment: { daysPastDueMin: 1, daysPastDueMax: 30 } });
    expect(s.nextRunAt).toMatch(/T01:00:00\.000Z$/); // 09:00 in Shanghai
    expect((await post(valid('nightly-dpd-1-30'))).json().error.code).toBe('schedule_name_taken');
    expect((await api.app.inject({ method: 'POST', url: '/v1/schedules', headers: api.as('viewer'), payload: valid('x') })).statusCode).toBe(403);

    // A restart (or a second machine) registers every enabled schedule again: still one.
    await reconcileJobSchedulers(api.t.db, queue);
    await reconcileJobSchedulers(api.t.db, queue);
    const list = await queue.getJobSchedulers(0, -1);
    expect(list.map((j) => [j.key, j.pattern, j.tz])).toEqual([[scheduleJobSchedulerId(s.id), '0 9 * * *', 'Asia/Shanghai']]);

    const patched = await api.app.inject({ method: 'PATCH', url: `/v1/schedules/${s.id}`, headers: api.as('operator'), payload: { cron: '30 8 * * *' } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect((await queue.getJobSchedulers(0, -1)).map((j) => j.pattern)).toEqual(['30 8 * * *']);
    const badPatch = await api.app.inject({ method: 'PATCH', url: `/v1/schedules/${s.id}`, headers: api.as('operator'), payload: { timeZone: 'Bad/Zone' } });
    expect(badPatch.json().error.code).toBe('invalid_time_zone');

    const del = await api.app.inject({ method: 'DELETE', url: `/v1/schedules/${s.id}`, headers: api.as('operator') });
    expect(del.statusCode).toBe(204);
    expect(await schedulerIds()).toEqual([]);
    expect((await api.app.inject({ method: 'GET', url: `/v1/schedules/${s.id}`, headers: api.as('viewer') })).statusCode).toBe(404);
  });

  it('trigger route, CLI-style and BullMQ-style firings racing make one run per local day, one campaign, no contact twice', async () => {
    const s = (await post(valid('race', { segment: { daysPastDueMin: 1, daysPastDueMax: 30 } }))).json();
    const trigger = () => api.app.inject({ method: 'POST', url: `/v1/schedules/${s.id}/trigger`, headers: api.as('operator') });
    const now = new Date();
    const onLaunched = async (id: number) => void launched.push(id);
    const results = await Promise.all([
      trigger(),
      trigger(),
      fireSchedule(api.t.db, null, s.id, now, { via: 'cli', onLaunched }),
      fireSchedule(api.t.db, null, s.id, now, { via: 'schedule', onLaunched }),
    ]);
    const [a, b] = results.slice(0, 2).map((x) => (x as Awaited<ReturnType<typeof trigger>>).json());
    const created = [a.created, b.created, ...results.slice(2).map((x) => (x as { created: boolean }).created)];
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(a.run.id).toBe(b.run.id);
    expect(a.run.localDate).toBe(localDateOf('Asia/Shanghai', now.getTime()));

    const runs = await api.t.db.query(`SELECT * FROM schedule_runs WHERE schedule_id = $1`, [s.id]);
    expect(runs.rows).toHaveLength(1);
    const campaigns = await api.t.db.query<{ id: number; name: string; state: string }>(`SELECT id, name, state FROM campaigns WHERE name LIKE 'race %'`);
    expect(campaigns.rows).toEqual([{ id: runs.rows[0].campaign_id, name: `race ${a.run.localDate}`, state: 'running' }]);
    const contacts = await api.t.db.query<{ external_id: string }>(
      `SELECT cu.external_id FROM campaign_contacts cc JOIN customers cu ON cu.id = cc.customer_id WHERE cc.campaign_id = $1 ORDER BY 1`,
      [campaigns.rows[0]!.id],
    );
    expect(contacts.rows.map((x) => x.external_id)).toEqual(['a', 'b']);
    // The launch hook ran once, for that campaign (only the firing that created the run launches).
    expect(launched.filter((id) => id === campaigns.rows[0]!.id)).toHaveLength(1);
    const audits = await api.t.db.query(`SELECT details->>'via' AS via FROM audit_log WHERE action = 'campaign.launch' AND target_id = $1`, [
      String(campaigns.rows[0]!.id),
    ]);
    expect(audits.rows).toHaveLength(1);

    const list = await api.app.inject({ method: 'GET', url: `/v1/schedules/${s.id}/runs`, headers: api.as('viewer') });
    expect(list.json().items).toMatchObject([{ id: a.run.id, status: 'running', contacts: { total: 2, byState: { pending: 2 } }, attempts: 0 }]);
  });

  it("at the window's end: expire marks waiting contacts expired and completes the campaign; defer leaves them, and the run says which", async () => {
    const overrides = { policyOverrides: { windowStart: '09:00', windowEnd: '18:00' } };
    const exp = (await post(valid('ends-expire', { onWindowEnd: 'expire', template: { ...TEMPLATE, ...overrides }, segment: {} }))).json();
    const def = (await post(valid('ends-defer', { onWindowEnd: 'defer', template: { ...TEMPLATE, ...overrides }, segment: {} }))).json();
    const fired = new Date('2026-11-30T02:00:00Z'); // 10:00 in Shanghai: window closes 18:00 local = 10:00Z
    const e = await fireSchedule(api.t.db, null, exp.id, fired, { via: 'cli' });
    const d = await fireSchedule(api.t.db, null, def.id, fired, { via: 'cli' });
    expect(e.run.windowClosesAt.toISOString()).toBe('2026-11-30T10:00:00.000Z');
    expect(e.contacts).toBe(4);

    // Before the close: nothing happens to these runs.
    expect((await closeEndedWindows(api.t.db, new Date('2026-11-30T09:59:00Z'))).filter((x) => [e.run.id, d.run.id].includes(x.runId))).toEqual([]);
    const swept = await closeEndedWindows(api.t.db, new Date('2026-11-30T10:00:30Z'));
    expect(swept).toEqual(
      expect.arrayContaining([
        { runId: e.run.id, action: 'expired', left: 4 },
        { runId: d.run.id, action: 'deferred', left: 4 },
      ]),
    );
    // Swept once: a second sweep (another worker) finds nothing left to do.
    expect((await closeEndedWindows(api.t.db, new Date('2026-11-30T10:05:00Z'))).map((x) => x.runId)).not.toContain(e.run.id);

    const runOf = async (id: number) => (await api.app.inject({ method: 'GET', url: `/v1/schedules/${id}/runs`, headers: api.as('viewer') })).json().items[0];
    expect(await runOf(exp.id)).toMatchObject({
      status: 'expired',
      windowAction: 'expired',
      windowLeft: 4,
      campaignState: 'completed',
      contacts: { total: 4, byState: { expired: 4 } },
    });
    expect(await runOf(def.id)).toMatchObject({
      status: 'deferred',
      windowAction: 'deferred',
      windowLeft: 4,
      campaignState: 'running',
      contacts: { byState: { pending: 4 } },
    });
  });

  it('batch --wait ends when the window closes and reports what the window end did (expire), settling it itself', async () => {
    const s = (
      await post(
        valid('wait-expire', {
          onWindowEnd: 'expire',
          template: { ...TEMPLATE, policyOverrides: { windowStart: '09:00', windowEnd: '18:00' } },
          segment: { riskTiers: ['high'] },
        }),
      )
    ).json();
    const fired = new Date('2026-12-02T02:00:00Z');
    const { run } = await fireSchedule(api.t.db, null, s.id, fired, { via: 'cli' });
    const lines: string[] = [];
    let clock = fired.getTime();
    const report = await waitForRun(api.t.db, run.id, {
      stderr: { write: (x: string) => lines.push(x) },
      pollMs: 1,
      // Each poll moves the clock an hour: the window (closing 10:00Z) ends on the 8th poll.
      now: () => new Date((clock += 3_600_000)),
    });
    expect(report).toMatchObject({
      status: 'expired',
      windowAction: 'expired',
      windowLeft: 2,
      campaignState: 'completed',
      contacts: { total: 2, byState: { expired: 2 } },
    });
    expect(lines.at(-1)).toBe(`run ${run.id} [########################] 2/2 100% expired\n`);
  });
});
