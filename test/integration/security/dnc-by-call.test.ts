import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAgent } from '../../../src/agents/agents.repo.js';
import { createApiKey } from '../../../src/auth/keys.repo.js';
import { runKeysCommand } from '../../../src/cli/keys.command.js';
import { createTestApi, type TestApi } from '../../helpers/api.js';

/**
 * Issue 15, findings 1 and 10, against the real API and PostgreSQL: an agent key puts on the
 * do-not-call list only the customer of a call it took (now or within the hour), the entry
 * names that call, and neither the DNC route nor the disposition route tells an agent which
 * calls or customers exist. Agent keys without an agent cannot be made.
 */
let api: TestApi;
let agentA: number;
let agentB: number;
let keyA: { authorization: string };
let custA: number;
let custB: number;
let onCall: string; // agent A, still on it
let justEnded: string; // agent A, ended 10 minutes ago
let longAgo: string; // agent A, ended 3 hours ago
let othersCall: string; // agent B's

const PHONE_A = '+8613800000011';
const PHONE_B = '+8613900000022';

async function seedCustomer(phone: string): Promise<number> {
  const { rows } = await api.t.db.query(`INSERT INTO customers (external_id, name, phones) VALUES ($1, 'Fixture', ARRAY[$2]) RETURNING id`, [
    randomUUID(),
    phone,
  ]);
  return Number(rows[0].id);
}
async function seedCall(customerId: number, phone: string, agentId: number, endedMinutesAgo: number | null): Promise<string> {
  const { rows } = await api.t.db.query(
    `INSERT INTO call_attempts (customer_id, attempt_no, phone, state, outcome, connected, agent_id, bridged_at, ended_at)
     VALUES ($1, 1, $2, $3, $4, true, $5, now() - interval '4 hours', CASE WHEN $6::int IS NULL THEN NULL ELSE now() - make_interval(mins => $6::int) END) RETURNING id`,
    [customerId, phone, endedMinutesAgo === null ? 'answered' : 'ended', endedMinutesAgo === null ? null : 'bridged', agentId, endedMinutesAgo],
  );
  return String(rows[0].id);
}
const dncCount = async () => (await api.t.db.query('SELECT count(*)::int AS n FROM dnc_entries')).rows[0].n as number;
const post = (headers: Record<string, string>, payload: object) => api.app.inject({ method: 'POST', url: '/v1/dnc', headers, payload });

beforeAll(async () => {
  api = await createTestApi();
  const agent = async (name: string) =>
    (await insertAgent(api.t.db, { name, sipUsername: `rwt-${randomBytes(4).toString('hex')}`, sipMd5: 'f'.repeat(32), sipRealm: 'ringwise' })).id;
  agentA = await agent('Agent A');
  agentB = await agent('Agent B');
  keyA = { authorization: `Bearer ${(await api.mintKey('agent', { agentId: agentA })).key}` };
  custA = await seedCustomer(PHONE_A);
  custB = await seedCustomer(PHONE_B);
  onCall = await seedCall(custA, PHONE_A, agentA, null);
  justEnded = await seedCall(custA, PHONE_A, agentA, 10);
  longAgo = await seedCall(custA, PHONE_A, agentA, 180);
  othersCall = await seedCall(custB, PHONE_B, agentB, null);
});
afterAll(async () => {
  await api?.close();
});

describe('POST /v1/dnc with an agent key', () => {
  it('refuses a phone or a customer id (403), whether or not the customer exists', async () => {
    const before = await dncCount();
    for (const payload of [
      { phone: '+8613912345678', reason: 'x', source: 'regulator' },
      { customerId: custB, reason: 'x', source: 'agent' },
      { customerId: 999_999, reason: 'x', source: 'agent' },
    ]) {
      const res = await post(keyA, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(403);
      expect(res.json().error.code).toBe('agent_call_only');
    }
    expect(await dncCount()).toBe(before);
  });

  it('adds the customer of the call it is on, recorded as that call', async () => {
    const res = await post(keyA, { callId: onCall, reason: 'asked on the call' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ phone: PHONE_A, customerId: custA, source: 'call', callId: onCall, createdBy: expect.any(Number) });
    const { rows } = await api.t.db.query(`SELECT phone, customer_id::int AS "customerId", source, call_id AS "callId" FROM dnc_entries WHERE id = $1`, [
      res.json().id,
    ]);
    expect(rows[0]).toEqual({ phone: PHONE_A, customerId: custA, source: 'call', callId: onCall });
    const audit = await api.t.db.query(`SELECT details FROM audit_log WHERE action = 'dnc.create' AND target_id = $1`, [String(res.json().id)]);
    expect(audit.rows[0].details).toMatchObject({ callId: onCall, source: 'call' });
  });

  it('adds the customer of a call that ended minutes ago', async () => {
    const res = await post(keyA, { callId: justEnded, reason: 'asked at the end' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ customerId: custA, callId: justEnded });
  });

  it("answers the same 404 for someone else's call, a call long over and a call that does not exist", async () => {
    const before = await dncCount();
    const answers = [];
    for (const callId of [othersCall, longAgo, randomUUID()]) {
      const res = await post(keyA, { callId, reason: 'x' });
      expect(res.statusCode, callId).toBe(404);
      answers.push(res.json().error.code);
    }
    expect(new Set(answers)).toEqual(new Set(['not_found']));
    expect(await dncCount()).toBe(before);
  });

  it('refuses fields the call already names', async () => {
    const res = await post(keyA, { callId: onCall, phone: PHONE_B, reason: 'x' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'field_not_allowed', details: { field: 'phone' } });
  });
});

describe('POST /v1/dnc with staff keys', () => {
  it('a supervisor may add by any call, or by phone with a source', async () => {
    const byCall = await post(api.as('supervisor'), { callId: othersCall, reason: 'complaint' });
    expect(byCall.statusCode, byCall.body).toBe(201);
    expect(byCall.json()).toMatchObject({ customerId: custB, phone: PHONE_B, source: 'call' });
    const byPhone = await post(api.as('operator'), { phone: '13800138000', reason: 'letter', source: 'customer_request' });
    expect(byPhone.statusCode).toBe(201);
    expect(byPhone.json()).toMatchObject({ callId: null, source: 'customer_request' });
    const noSource = await post(api.as('operator'), { phone: '13800138000', reason: 'letter' });
    expect(noSource.statusCode).toBe(422);
    expect(noSource.json().error.code).toBe('source_required');
  });
});

describe('agent keys belong to an agent', () => {
  it('createApiKey refuses an agent key without an agent, and the table does too', async () => {
    await expect(createApiKey(api.t.db, { name: 'loose', role: 'agent' })).rejects.toMatchObject({ code: 'agent_key_needs_agent' });
    await expect(
      api.t.db.query(`INSERT INTO api_keys (name, role, key_hash, key_prefix) VALUES ('loose', 'agent', $1, 'rw_xxxxxx')`, [randomBytes(32).toString('hex')]),
    ).rejects.toMatchObject({ code: '23514' });
  });

  it('ringwise keys create --role agent needs an existing --agent-id', async () => {
    const out: string[] = [];
    const io = { db: api.t.db, stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => out.push(s) } };
    await expect(runKeysCommand(['create', '--role', 'agent'], io)).rejects.toThrow(/needs --agent-id/);
    expect(await runKeysCommand(['create', '--role', 'agent', '--agent-id', '999999'], io)).toBe(3);
    expect(await runKeysCommand(['create', '--role', 'agent', '--agent-id', String(agentA)], io)).toBe(0);
    expect(out.join('')).toMatch(/no agent 999999[\s\S]*created key/);
  });
});

describe('POST /v1/calls/:id/disposition', () => {
  it("someone else's call and an unknown call get the same 404", async () => {
    const answers = [];
    for (const id of [othersCall, randomUUID()]) {
      const res = await api.app.inject({ method: 'POST', url: `/v1/calls/${id}/disposition`, headers: keyA, payload: { kind: 'refused' } });
      answers.push([res.statusCode, res.json().error.code]);
    }
    expect(answers).toEqual([
      [404, 'not_found'],
      [404, 'not_found'],
    ]);
    const none = await api.t.db.query('SELECT count(*)::int AS n FROM dispositions');
    expect(none.rows[0].n).toBe(0);
  });
});
