import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentEventHub, type AgentEventHub } from '../../../src/agents/agent.events-hub.js';
import { insertAgent } from '../../../src/agents/agents.repo.js';
import { callsCsv } from '../../../src/calls/calls.csv.js';
import { loadConfig } from '../../../src/config.js';
import { createAriHttp } from '../../../src/dialer/ari.http.js';
import { createAriRest } from '../../../src/dialer/ari.rest.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { testEnv } from '../../helpers/sandbox-env.js';

/**
 * Least privilege for `agent` keys, against the real API and PostgreSQL: two agents with calls
 * of their own, a call no agent took, and a customer on each. Every assertion that an agent
 * does not see something is paired with one showing a supervisor does, so a leak cannot hide
 * behind missing fixtures.
 */
let api: TestApi;
let redis: Redis;
let hub: AgentEventHub;
let dir: string;

const PHONE_A = '+8613800000011';
const PHONE_B = '+8613900000022';
const PHONE_N = '+8613700000033';
const NAME_A = 'Alice Own';
const NAME_B = 'Bob Other';

let agentA: number;
let agentB: number;
let keyA: { authorization: string };
let keyB: { authorization: string };
let keyNoCalls: { authorization: string };
let custA: number;
let custB: number;
let custN: number;
const callsA: string[] = [];
let callB: string;
let callN: string;
let recA: number;
let recB: number;

async function seedCustomer(name: string, phone: string): Promise<number> {
  const { rows } = await api.t.db.query(`INSERT INTO customers (external_id, name, phones) VALUES ($1, $2, ARRAY[$3]) RETURNING id`, [
    randomUUID(),
    name,
    phone,
  ]);
  return Number(rows[0].id);
}
async function seedCall(customerId: number, phone: string, agentId: number | null, minutesAgo: number): Promise<string> {
  const { rows } = await api.t.db.query(
    `INSERT INTO call_attempts (customer_id, attempt_no, phone, state, outcome, connected, agent_id, reserved_at)
     VALUES ($1, 1, $2, 'ended', $3, $4, $5, now() - make_interval(mins => $6)) RETURNING id`,
    [customerId, phone, agentId === null ? 'no_answer' : 'bridged', agentId !== null, agentId, minutesAgo],
  );
  return String(rows[0].id);
}
async function seedRecording(attemptId: string): Promise<number> {
  await writeFile(join(dir, `${attemptId}.wav`), randomBytes(64));
  const { rows } = await api.t.db.query(`INSERT INTO recordings (attempt_id, file_name, bytes) VALUES ($1, $2, 64) RETURNING id`, [
    attemptId,
    `${attemptId}.wav`,
  ]);
  return Number(rows[0].id);
}

const get = (url: string, headers: Record<string, string>) => api.app.inject({ method: 'GET', url, headers });
const auditCount = async () => (await api.t.db.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n as number;

/** Every page of GET /v1/calls (limit 1, so the cursor path is scoped too). */
async function listAll(headers: Record<string, string>, query = ''): Promise<Array<{ id: string; phone: string; agentId: number | null }>> {
  const out = [];
  let cursor: string | null = null;
  do {
    const res = await get(`/v1/calls?limit=1${query}${cursor ? `&cursor=${cursor}` : ''}`, headers);
    expect(res.statusCode, res.body).toBe(200);
    out.push(...res.json().items);
    cursor = res.json().nextCursor;
  } while (cursor);
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rwt-agent-scope-'));
  redis = new Redis(loadConfig(testEnv()).redisUrl, { maxRetriesPerRequest: null });
  const prefix = `rwt-${randomBytes(4).toString('hex')}`;
  hub = createAgentEventHub(redis, prefix, createLogger('silent'));
  // Asterisk is not needed here: port 1 refuses, as when it is down.
  const sip = createAriRest(createAriHttp({ url: 'http://127.0.0.1:1', user: 'x', password: 'x', timeoutMs: 2_000 }), 'x');
  api = await createTestApi({ env: { RINGWISE_RECORDING_DIR: dir }, deps: { agents: { sip, redis, hub, prefix } } });

  const agent = async (name: string) =>
    (await insertAgent(api.t.db, { name, sipUsername: `rwt-${randomBytes(4).toString('hex')}`, sipMd5: 'f'.repeat(32), sipRealm: 'ringwise' })).id;
  agentA = await agent('Agent A');
  agentB = await agent('Agent B');
  keyA = { authorization: `Bearer ${(await api.mintKey('agent', { agentId: agentA })).key}` };
  keyB = { authorization: `Bearer ${(await api.mintKey('agent', { agentId: agentB })).key}` };
  keyNoCalls = api.as('agent');

  custA = await seedCustomer(NAME_A, PHONE_A);
  custB = await seedCustomer(NAME_B, PHONE_B);
  custN = await seedCustomer('Nobody Took', PHONE_N);
  // Interleaved in time, so a page boundary falls between A's calls and the others'.
  callsA.push(await seedCall(custA, PHONE_A, agentA, 50));
  callB = await seedCall(custB, PHONE_B, agentB, 40);
  callsA.push(await seedCall(custA, PHONE_A, agentA, 30));
  callN = await seedCall(custN, PHONE_N, null, 20);
  callsA.push(await seedCall(custA, PHONE_A, agentA, 10));
  recA = await seedRecording(callsA[0]!);
  recB = await seedRecording(callB);
});
afterAll(async () => {
  await api?.close();
  await hub?.close();
  await redis?.quit();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('GET /v1/calls as an agent', () => {
  it('lists only the calls its agent took, on every page, with full numbers', async () => {
    const mine = await listAll(keyA);
    expect(mine.map((c) => c.id).sort()).toEqual([...callsA].sort());
    expect(mine.every((c) => c.agentId === agentA && c.phone === PHONE_A)).toBe(true);
    expect(JSON.stringify(mine)).not.toContain(PHONE_B);
    expect(JSON.stringify(mine)).not.toContain(PHONE_N);

    expect((await listAll(keyB)).map((c) => c.id)).toEqual([callB]);
    // The control: the other rows exist and a supervisor sees them.
    expect((await listAll(api.as('supervisor'))).map((c) => c.id).sort()).toEqual([...callsA, callB, callN].sort());
  });

  it('filters cannot widen the scope', async () => {
    expect(await listAll(keyA, `&customerId=${custB}`)).toEqual([]);
    expect(await listAll(keyA, `&outcome=no_answer`)).toEqual([]);
    expect((await listAll(keyA, `&customerId=${custA}`)).map((c) => c.id).sort()).toEqual([...callsA].sort());
  });

  it('the key of an agent that took no call lists nothing', async () => {
    expect(await listAll(keyNoCalls)).toEqual([]);
  });
});

describe('GET /v1/calls/:id', () => {
  it("an agent reads its own call (full number); another agent's, an unbridged one or a missing one is 404 not_found", async () => {
    const own = await get(`/v1/calls/${callsA[1]}`, keyA);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toMatchObject({ id: callsA[1], agentId: agentA, phone: PHONE_A, customerId: custA });

    for (const id of [callB, callN, randomUUID()]) {
      const res = await get(`/v1/calls/${id}`, keyA);
      expect(res.statusCode, id).toBe(404);
      expect(res.json().error.code).toBe('not_found');
      expect(res.body).not.toContain(PHONE_B);
    }
    expect((await get(`/v1/calls/${callsA[0]}`, keyB)).statusCode).toBe(404);
    expect((await get(`/v1/calls/${callsA[0]}`, keyNoCalls)).statusCode).toBe(404);

    // The control: the call exists.
    expect((await get(`/v1/calls/${callB}`, api.as('supervisor'))).json()).toMatchObject({ id: callB, phone: PHONE_B });
    expect((await get('/v1/calls/not-a-uuid', keyA)).statusCode).toBe(400);
  });
});

describe('calls export', () => {
  it('an agent key gets no CSV export (403 forbidden)', async () => {
    const res = await get('/v1/calls.csv', keyA);
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'forbidden', details: { role: 'agent' } });
    expect(res.body).not.toContain(PHONE_A);
  });

  it("the export is scoped at the repository too: an agent scope yields only that agent's rows", async () => {
    let text = '';
    for await (const chunk of callsCsv(api.t.db, {}, { scope: { kind: 'agent', agentId: agentA }, maskPhones: false, batchSize: 1 })) text += chunk;
    const ids = text
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(',')[0]);
    expect(ids.sort()).toEqual([...callsA].sort());
    expect(text).not.toContain(PHONE_B);
    let none = '';
    for await (const chunk of callsCsv(api.t.db, {}, { scope: { kind: 'agent', agentId: null }, maskPhones: false })) none += chunk;
    expect(none.trimEnd().split('\r\n')).toHaveLength(1);
  });
});

describe('GET /v1/customers/:id as an agent', () => {
  it('reads the customer of one of its calls, unmasked; any other customer is 404 not_found', async () => {
    const own = await get(`/v1/customers/${custA}`, keyA);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toMatchObject({ id: custA, name: NAME_A, phones: [PHONE_A], masked: false });

    for (const id of [custB, custN, 999_999]) {
      const res = await get(`/v1/customers/${id}`, keyA);
      expect(res.statusCode, String(id)).toBe(404);
      expect(res.json().error.code).toBe('not_found');
      expect(res.body).not.toContain(NAME_B);
    }
    expect((await get(`/v1/customers/${custB}`, keyB)).json()).toMatchObject({ name: NAME_B });
    expect((await get(`/v1/customers/${custA}`, keyNoCalls)).statusCode).toBe(404);
    expect((await get(`/v1/customers/${custN}`, api.as('supervisor'))).statusCode).toBe(200);
  });

  it("reads the script of its own call, filled with that customer's values; any other call is 404", async () => {
    const own = await get(`/v1/calls/${callsA[0]}/script`, keyA);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().steps[0].text).toContain(NAME_A);
    expect((await get(`/v1/calls/${callB}/script`, keyA)).statusCode).toBe(404);
    expect((await get(`/v1/calls/${callN}/script`, keyA)).statusCode).toBe(404);
  });

  it('finds by search only customers of its own calls', async () => {
    const ids = async (q: string, key: Record<string, string>) =>
      (await get(`/v1/customers?q=${encodeURIComponent(q)}`, key)).json().items.map((c: { id: number }) => c.id);
    expect(await ids(PHONE_A, keyA)).toEqual([custA]);
    expect(await ids(NAME_B, keyA)).toEqual([]);
    expect(await ids(NAME_B, keyB)).toEqual([custB]);
  });
});

describe('everything else is 403 forbidden for an agent', () => {
  // What an agent key may call at all (its own rows only where the route has rows).
  const AGENT_ROUTES = new Set([
    'GET /v1/calls',
    'GET /v1/calls/:id',
    'GET /v1/calls/:id/script',
    'POST /v1/calls/:id/disposition',
    'GET /v1/customers',
    'GET /v1/customers/:id',
    'GET /v1/customers/:id/dispositions',
    'POST /v1/session',
    'GET /v1/session',
    'DELETE /v1/session',
    'POST /v1/dnc',
    'GET /v1/agents/:id',
    'POST /v1/agents/:id/login',
    'POST /v1/agents/:id/logout',
    'POST /v1/agents/:id/pause',
    'POST /v1/agents/:id/resume',
    'GET /v1/agents/:id/events',
    'POST /v1/agents/:id/softphone',
    // What the agent's calls are scored against (the quality review): read-only, no personal data.
    'GET /v1/campaigns/:id/checklist',
  ]);

  it('every other /v1 route in the OpenAPI document refuses a bound agent key before doing anything', async () => {
    const spec = (await get('/docs/json', {})).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(spec.paths)
      .filter(([p]) => p.startsWith('/v1/'))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path: p.replace(/\{(\w+)\}/g, ':$1') })));
    const names = new Set(routes.map((r) => `${r.method} ${r.path}`));
    for (const r of AGENT_ROUTES) expect(names.has(r), `${r} is in the app`).toBe(true);
    // Campaigns, customers' eligibility, contacts, imports, DNC list, policy, prompts,
    // schedules, audit, agents list, recordings, ...: a new route is refused unless listed above.
    const refused = routes.filter((r) => !AGENT_ROUTES.has(`${r.method} ${r.path}`));
    expect(refused.length).toBeGreaterThan(20);
    const before = await auditCount();
    for (const r of refused) {
      const url = r.path.replace(/:(\w+)/g, '1');
      const res = await api.app.inject({ method: r.method as 'GET', url, headers: keyA });
      expect(res.statusCode, `${r.method} ${r.path}: ${res.body}`).toBe(403);
      expect(res.json().error).toMatchObject({ code: 'forbidden', details: { role: 'agent' } });
    }
    expect(await auditCount()).toBe(before);
  });

  it("names the leaky routes explicitly: campaigns, stats, DNC list, recordings (its own call's too)", async () => {
    const { rows } = await api.t.db.query(`INSERT INTO campaigns (name) VALUES ('scope') RETURNING id`);
    const campaignId = Number(rows[0].id);
    const before = await auditCount();
    for (const url of [
      '/v1/campaigns',
      `/v1/campaigns/${campaignId}`,
      `/v1/campaigns/${campaignId}/stats`,
      '/v1/dnc',
      '/v1/recordings',
      `/v1/recordings/${recA}/audio`,
      `/v1/recordings/${recB}/audio`,
      `/v1/customers/${custA}/eligibility`,
    ]) {
      const res = await get(url, keyA);
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    expect(await auditCount()).toBe(before);
    // The control: a supervisor downloads the other agent's recording, and it is audited.
    const dl = await get(`/v1/recordings/${recB}/audio`, api.as('supervisor'));
    expect(dl.statusCode).toBe(200);
    expect(await auditCount()).toBe(before + 1);
  });

  it("another agent's record and event stream are 403 forbidden", async () => {
    for (const url of [`/v1/agents/${agentB}`, `/v1/agents/${agentB}/events`]) {
      const res = await get(url, keyA);
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    // Another agent's browser-phone credentials: refused before anything else is looked at.
    const phone = await api.app.inject({ method: 'POST', url: `/v1/agents/${agentB}/softphone`, headers: keyA });
    expect(phone.statusCode, phone.body).toBe(403);
    expect(phone.json().error.code).toBe('forbidden');
  });
});

describe('viewers never see personal data', () => {
  const full = [PHONE_A, PHONE_B, PHONE_N, NAME_A, NAME_B];
  const clean = (body: string) => {
    for (const s of full) expect(body).not.toContain(s);
  };

  it('list, detail, CSV export and customer are masked', async () => {
    const list = await listAll(api.as('viewer'));
    expect(list).toHaveLength(5);
    expect(list.every((c) => /^\+86\*\*\*\d\d$/.test(c.phone))).toBe(true);
    clean(JSON.stringify(list));

    const one = await get(`/v1/calls/${callB}`, api.as('viewer'));
    expect(one.statusCode).toBe(200);
    expect(one.json().phone).toBe('+86***22');
    clean(one.body);

    const csv = await get('/v1/calls.csv', api.as('viewer'));
    expect(csv.statusCode).toBe(200);
    expect(csv.body.trimEnd().split('\r\n')).toHaveLength(6);
    expect(csv.body).toContain('+86***22');
    clean(csv.body);

    const c = await get(`/v1/customers/${custB}`, api.as('viewer'));
    expect(c.json()).toMatchObject({ name: 'B***', phones: ['+86***22'], masked: true });
    clean(c.body);
  });

  it('the event stream (customer cards) and recordings are refused', async () => {
    for (const url of [`/v1/agents/${agentA}/events`, '/v1/recordings', `/v1/recordings/${recA}/audio`]) {
      const res = await get(url, api.as('viewer'));
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
  });
});
