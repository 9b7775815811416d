import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAgent } from '../../../src/agents/agents.repo.js';
import type { Role } from '../../../src/auth/roles.js';
import { createTestApi, type TestApi } from '../../helpers/api.js';

/**
 * Issue 15, findings 4 and 9: one rule for personal data on every route and export, checked
 * route by route for every role against the real API and PostgreSQL. Contact data (names, full
 * numbers): admin, supervisor, and the agent of the call. Account data (external id, amount,
 * due date, days past due, risk score): everyone but viewers.
 */
let api: TestApi;
let customerId: number;
let callId: string;
let agentKey: { authorization: string };

const PHONE = '+8613800037404';
const NAME = 'Wang Xiaoming';
const EXTERNAL = 'LOAN-77123';

beforeAll(async () => {
  api = await createTestApi();
  const { rows } = await api.t.db.query(
    `INSERT INTO customers (external_id, name, phones, time_zone, locale, amount_due, currency, due_date, days_past_due, risk_score, risk_tier)
     VALUES ($1, $2, ARRAY[$3], 'Asia/Shanghai', 'zh-CN', 3200.00, 'CNY', '2026-11-20', 17, 88, 'high') RETURNING id`,
    [EXTERNAL, NAME, PHONE],
  );
  customerId = Number(rows[0].id);
  const agent = await insertAgent(api.t.db, {
    name: 'Agent',
    sipUsername: `rwt-${randomBytes(4).toString('hex')}`,
    sipMd5: 'f'.repeat(32),
    sipRealm: 'ringwise',
  });
  agentKey = { authorization: `Bearer ${(await api.mintKey('agent', { agentId: agent.id })).key}` };
  const call = await api.t.db.query(
    `INSERT INTO call_attempts (customer_id, attempt_no, phone, state, outcome, connected, agent_id) VALUES ($1, 1, $2, 'ended', 'bridged', true, $3) RETURNING id`,
    [customerId, PHONE, agent.id],
  );
  callId = String(call.rows[0].id);
  await api.t.db.query(`INSERT INTO dnc_entries (phone, customer_id, reason, source) VALUES ($1, $2, 'r', 's')`, [PHONE, customerId]);
  await api.t.db.query(`INSERT INTO messages (customer_id, channel, address, body, status) VALUES ($1, 'sms', $2, 'reminder', 'sent')`, [customerId, PHONE]);
});
afterAll(async () => {
  await api?.close();
});

const headersOf = (who: Role | 'own-agent') => (who === 'own-agent' ? agentKey : api.as(who));
const get = async (who: Role | 'own-agent', url: string) => {
  const res = await api.app.inject({ url, headers: headersOf(who) });
  expect(res.statusCode, `${who} ${url}: ${res.body}`).toBe(200);
  return res.body;
};

/** Every route that returns a phone number or a customer, as each role that may read it. */
const ROUTES: Array<{ url: () => string; readers: Array<Role | 'own-agent'> }> = [
  { url: () => '/v1/calls', readers: ['admin', 'supervisor', 'operator', 'viewer', 'own-agent'] },
  { url: () => `/v1/calls/${callId}`, readers: ['admin', 'supervisor', 'operator', 'viewer', 'own-agent'] },
  { url: () => '/v1/calls.csv', readers: ['admin', 'supervisor', 'operator', 'viewer'] },
  { url: () => `/v1/customers/${customerId}`, readers: ['admin', 'supervisor', 'operator', 'viewer', 'own-agent'] },
  { url: () => '/v1/dnc', readers: ['admin', 'supervisor', 'operator', 'viewer'] },
  { url: () => `/v1/customers/${customerId}/eligibility`, readers: ['admin', 'supervisor', 'operator', 'viewer'] },
  { url: () => '/v1/messages?limit=10', readers: ['admin', 'supervisor', 'operator', 'viewer'] },
  { url: () => '/v1/messages.csv', readers: ['admin', 'supervisor', 'operator', 'viewer'] },
];
const SEES_CONTACT = new Set(['admin', 'supervisor', 'own-agent']);

describe('contact data: full numbers and names', () => {
  it.each(ROUTES.flatMap((r) => r.readers.map((who) => [r.url().replace(/\d+|[0-9a-f-]{36}/g, ':id'), who, r] as const)))('%s as %s', async (_name, who, r) => {
    const body = await get(who, r.url());
    if (SEES_CONTACT.has(who)) {
      expect(body).toContain(PHONE);
    } else {
      expect(body).not.toContain(PHONE);
      expect(body).not.toContain('13800037404');
      expect(body).not.toContain(NAME);
      expect(body).toContain('+86***04');
    }
  });
});

describe('account data on GET /v1/customers/:id', () => {
  it('operators see the account fields, names and numbers masked', async () => {
    const c = JSON.parse(await get('operator', `/v1/customers/${customerId}`));
    expect(c).toMatchObject({
      externalId: EXTERNAL,
      amountDue: '3200.00',
      dueDate: '2026-11-20',
      daysPastDue: 17,
      riskScore: 88,
      name: 'W***',
      phones: ['+86***04'],
      masked: true,
    });
  });

  it('viewers see none of externalId, amountDue, dueDate, daysPastDue, riskScore', async () => {
    const body = await get('viewer', `/v1/customers/${customerId}`);
    const c = JSON.parse(body);
    expect(c).toMatchObject({ externalId: 'L***', amountDue: null, dueDate: null, daysPastDue: null, riskScore: null, masked: true });
    for (const secret of [EXTERNAL, '3200', '2026-11-20', '88']) expect(body).not.toContain(secret);
  });

  it("viewers may not read a customer's risk explanation (its score is account data)", async () => {
    const res = await api.app.inject({ url: `/v1/customers/${customerId}/risk`, headers: api.as('viewer') });
    expect(res.statusCode).toBe(403);
  });

  it('supervisors and the agent of the call see everything', async () => {
    for (const who of ['supervisor', 'own-agent'] as const) {
      const c = JSON.parse(await get(who, `/v1/customers/${customerId}`));
      expect(c, who).toMatchObject({ externalId: EXTERNAL, name: NAME, phones: [PHONE], amountDue: '3200.00', riskScore: 88, masked: false });
    }
  });
});
