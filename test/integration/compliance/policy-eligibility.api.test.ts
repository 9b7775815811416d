import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../../src/auth/roles.js';
import { reserveAttempt } from '../../../src/compliance/gate.js';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { seedCampaignContacts, seedCustomer } from './seed.js';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => {
  await api?.close();
});

const get = (url: string, role: Role) => api.app.inject({ method: 'GET', url, headers: api.as(role) });
const put = (payload: object, role: Role = 'admin') => api.app.inject({ method: 'PUT', url: '/v1/policy', headers: api.as(role), payload });

describe('GET/PUT /v1/policy', () => {
  it('serves the configured profile until one is saved, to admin, supervisor and viewer only', async () => {
    for (const role of ['admin', 'supervisor', 'viewer'] as const) {
      const r = await get('/v1/policy', role);
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ profile: 'cn-bank', source: 'config', policy: { windowStart: '08:00', windowEnd: '22:00', maxAttemptsPerDay: 6 } });
    }
    for (const role of ['operator', 'agent'] as const) expect((await get('/v1/policy', role)).statusCode).toBe(403);
  });

  it('lets only an admin change it: a profile, fields, or both; reports campaigns left with looser overrides', async () => {
    for (const role of ['operator', 'supervisor', 'viewer', 'agent'] as const) expect((await put({ maxAttemptsPerDay: 2 }, role)).statusCode).toBe(403);
    await api.t.db.query(`INSERT INTO campaigns (name, state, policy_overrides) VALUES ('loose later', 'running', '{"maxAttemptsPerDay": 5}')`);
    const r = await put({ maxAttemptsPerDay: 4, minGapMinutes: 30 });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ profile: 'cn-bank', source: 'database', policy: { maxAttemptsPerDay: 4, minGapMinutes: 30, windowEnd: '22:00' } });
    expect(r.json().looseOverrides).toEqual([{ campaignId: expect.any(String), field: 'maxAttemptsPerDay' }]);
    const us = await put({ profile: 'us-regf', observeHolidays: true });
    expect(us.json()).toMatchObject({
      profile: 'us-regf',
      policy: { windowEnd: '21:00', maxAttemptsInRollingDays: { count: 7, days: 7 }, observeHolidays: true, minGapMinutes: null },
    });
    expect((await get('/v1/policy', 'viewer')).json()).toMatchObject({ profile: 'us-regf', source: 'database' });
    const audit = await api.t.db.query(`SELECT action, details FROM audit_log WHERE action = 'policy.update' ORDER BY id`);
    expect(audit.rows).toHaveLength(2);
  });

  it('refuses malformed and unknown values', async () => {
    expect((await put({ windowStart: '8am' })).statusCode).toBe(400);
    expect((await put({ profile: 'nope' })).statusCode).toBe(400);
    expect((await put({ bogus: 1 })).statusCode).toBe(400);
    const same = await put({ windowStart: '10:00', windowEnd: '10:00' });
    expect(same.statusCode).toBe(422);
    expect(same.json().error.code).toBe('invalid_policy');
    await put({ profile: 'cn-bank' });
  });

  it('the abandon-rate target: 3 % by default, an admin may change it, a campaign may only lower it', async () => {
    expect((await get('/v1/policy', 'viewer')).json().policy.maxAbandonRate).toBe(0.03);
    expect((await put({ maxAbandonRate: 1.5 })).statusCode).toBe(400);
    expect((await put({ maxAbandonRate: 0.02 })).json().policy.maxAbandonRate).toBe(0.02);
    const create = (maxAbandonRate: number) =>
      api.app.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: api.as('operator'),
        payload: { name: `abandon ${maxAbandonRate}`, policyOverrides: { maxAbandonRate } },
      });
    const looser = await create(0.03);
    expect(looser.statusCode).toBe(422);
    expect(looser.json().error).toMatchObject({ code: 'override_not_stricter', details: { field: 'maxAbandonRate' } });
    const stricter = await create(0.01);
    expect(stricter.statusCode).toBe(201);
    const stats = await api.app.inject({ url: `/v1/campaigns/${stricter.json().id}/stats`, headers: api.as('viewer') });
    expect(stats.json().abandonment).toMatchObject({ rate: null, abandoned: 0, liveAnswered: 0, windowDays: 30, target: 0.01 });
    await put({ profile: 'cn-bank' });
  });
});

describe('GET /v1/customers/:id/eligibility', () => {
  it('explains the decision rule by rule with the numbers', async () => {
    const customerId = await seedCustomer(api.t.db);
    const [c] = await seedCampaignContacts(api.t.db, customerId, 1, { maxAttemptsPerContact: 10 });
    for (let n = 1; n <= 6; n++) {
      const d = await reserveAttempt(api.t.db, {
        campaignId: c!.campaignId,
        contactId: c!.contactId,
        customerId,
        attemptNo: n,
        phone: '+8613800138000',
        now: new Date(Date.UTC(2026, 2, 10, 1, n)),
        workerId: 't',
      });
      expect(d.kind).toBe('allow');
      // The call happened and ended: a customer has one live call at a time.
      if (d.kind === 'allow') await api.t.db.query(`UPDATE call_attempts SET state = 'ended', ended_at = now() WHERE id = $1`, [d.attemptId]);
    }
    // A supervisor sees the full number (an operator gets it masked: the one personal-data rule).
    const r = await get(`/v1/customers/${customerId}/eligibility?at=2026-03-10T04:00:00Z&campaignId=${c!.campaignId}`, 'supervisor');
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({
      customerId: Number(customerId),
      campaignId: Number(c!.campaignId),
      phone: '+8613800138000',
      zones: ['Asia/Shanghai'],
      zoneSource: 'customer',
    });
    expect(body.decision).toEqual({ kind: 'defer', until: '2026-03-11T00:00:00.000Z', rule: 'max_attempts_per_day', reason: expect.stringContaining('6/6') });
    const byRule = Object.fromEntries(body.rules.map((x: { rule: string }) => [x.rule, x]));
    expect(byRule.max_attempts_per_day).toMatchObject({ status: 'defer', used: 6, limit: 6, until: '2026-03-10T16:00:00.000Z' });
    expect(byRule.max_attempts_per_contact).toMatchObject({ status: 'ok', used: 6, limit: 10 });
    expect(byRule.calling_window).toMatchObject({ status: 'ok' });
    expect(byRule.dnc).toMatchObject({ status: 'ok' });
    // Judged as it was: before the attempts, the customer was callable.
    const before = await get(`/v1/customers/${customerId}/eligibility?at=2026-03-10T01:00:00Z`, 'viewer');
    expect(before.json()).toMatchObject({ decision: { kind: 'allow' }, phone: '+86***00' });
    // A DNC entry blocks, and the time rules are still shown.
    await api.t.db.query(`INSERT INTO dnc_entries (customer_id, reason, source) VALUES ($1, 'dispute', 'test')`, [customerId]);
    const blocked = (await get(`/v1/customers/${customerId}/eligibility?at=2026-03-10T04:00:00Z`, 'supervisor')).json();
    expect(blocked.decision).toMatchObject({ kind: 'block', rule: 'dnc' });
    expect(blocked.rules.map((x: { rule: string }) => x.rule)).toContain('max_attempts_per_day');
  });

  it('checks roles, the customer, the campaign and the phone', async () => {
    const customerId = await seedCustomer(api.t.db);
    expect((await get(`/v1/customers/${customerId}/eligibility`, 'agent')).statusCode).toBe(403);
    expect((await get(`/v1/customers/999999/eligibility`, 'viewer')).statusCode).toBe(404);
    expect((await get(`/v1/customers/${customerId}/eligibility?campaignId=999999`, 'viewer')).statusCode).toBe(404);
    const wrong = await get(`/v1/customers/${customerId}/eligibility?phone=%2B8613900000000`, 'operator');
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().error.code).toBe('phone_not_on_customer');
    expect((await get(`/v1/customers/${customerId}/eligibility?at=yesterday`, 'operator')).statusCode).toBe(400);
  });
});
