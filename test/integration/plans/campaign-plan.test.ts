import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';

const PLAN = {
  tiers: {
    medium: {
      steps: [
        { channel: 'sms', afterHours: 0 },
        { channel: 'call', afterHours: 48 },
      ],
    },
    high: {
      steps: [
        { channel: 'sms', afterHours: 0 },
        { channel: 'call', afterHours: 0, afterSeconds: 5 },
        { channel: 'agent_call', afterHours: 2 },
      ],
    },
  },
  stopOn: ['payment', 'promise', 'opt_out'],
  templates: { sms: { 'en-US': { body: 'Hello {name}, {amount} is due.' } } },
};

describe("a campaign's contact plan (API)", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi();
  });
  afterAll(async () => {
    await api?.close();
  });
  const send = (method: 'POST' | 'PATCH', url: string, body: unknown) =>
    api.app.inject({ method, url, headers: { ...api.as('operator'), 'content-type': 'application/json' }, payload: JSON.stringify(body) });

  it('stores a plan per tier, returns it on create and GET, and a patch replaces or clears it', async () => {
    const res = await send('POST', '/v1/campaigns', { name: 'planned', riskThreshold: 70, contactPlan: PLAN });
    expect(res.statusCode).toBe(201);
    const id = res.json().id as number;
    expect(res.json().contactPlan).toEqual(PLAN);
    const got = await api.app.inject({ method: 'GET', url: `/v1/campaigns/${id}`, headers: api.as('viewer') });
    expect(got.json().contactPlan).toEqual(PLAN);
    const lowOnly = { tiers: { low: { steps: [{ channel: 'email', afterHours: 0, dueDateOffsetDays: 0 }] } }, stopOn: ['opt_out'] };
    const patched = await send('PATCH', `/v1/campaigns/${id}`, { contactPlan: lowOnly });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().contactPlan).toEqual(lowOnly);
    const cleared = await send('PATCH', `/v1/campaigns/${id}`, { contactPlan: null });
    expect(cleared.json().contactPlan).toBeNull();
    const { rows } = await api.t.db.query(`SELECT contact_plan IS NULL AS "isNull" FROM campaigns WHERE id = $1`, [id]);
    expect(rows[0].isNull).toBe(true);
    const plain = await send('POST', '/v1/campaigns', { name: 'no plan' });
    expect(plain.json().contactPlan).toBeNull();
  });

  it('refuses bad plans with 4xx and a code, saving nothing', async () => {
    const before = (await api.t.db.query(`SELECT count(*)::int AS n FROM campaigns`)).rows[0].n as number;
    const cases: [unknown, number, string][] = [
      [{ tiers: { high: { steps: [{ channel: 'fax', afterHours: 0 }] } }, stopOn: ['opt_out'] }, 400, ''],
      [{ tiers: { high: { steps: [] } }, stopOn: ['opt_out'] }, 400, ''],
      [{ tiers: { high: { steps: [{ channel: 'sms', afterHours: -1 }] } }, stopOn: ['opt_out'] }, 400, ''],
      [{ tiers: { vip: { steps: [{ channel: 'sms', afterHours: 0 }] } }, stopOn: ['opt_out'] }, 400, ''],
      [{ tiers: {}, stopOn: ['opt_out'] }, 422, 'plan_empty'],
      [{ tiers: { high: { steps: [{ channel: 'sms', afterHours: 0 }] } }, stopOn: ['payment'] }, 422, 'plan_must_stop_on_opt_out'],
      [{ ...PLAN, templates: { sms: { 'en-US': { body: 'Hi {nope}' } } } }, 422, ''],
    ];
    for (const [plan, status, code] of cases) {
      const res = await send('POST', '/v1/campaigns', { name: 'bad', contactPlan: plan });
      expect(res.statusCode, JSON.stringify(plan)).toBe(status);
      expect(typeof res.json().error.code).toBe('string');
      if (code) expect(res.json().error.code).toBe(code);
    }
    expect((await api.t.db.query(`SELECT count(*)::int AS n FROM campaigns`)).rows[0].n).toBe(before);
  });
});
