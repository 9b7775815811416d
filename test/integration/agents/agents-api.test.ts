import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentEventHub, type AgentEventHub } from '../../../src/agents/agent.events-hub.js';
import { agentEventsChannel } from '../../../src/agents/agent.service.js';
import { insertAgent } from '../../../src/agents/agents.repo.js';
import { pruneRecordings } from '../../../src/agents/recording.prune.js';
import { loadConfig } from '../../../src/config.js';
import { createAriHttp } from '../../../src/dialer/ari.http.js';
import { createAriRest } from '../../../src/dialer/ari.rest.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { testEnv } from '../../helpers/sandbox-env.js';
import { openSse } from '../../e2e/agents/sse-client.js';

// The agent routes over a real database and Redis, without Asterisk: Asterisk unreachable (503,
// nothing half-created), input checks, SSE access and clean disconnects, callbacks through the
// compliance policy, recordings (list, audited download, retention prune).
let api: TestApi;
let redis: Redis;
let hub: AgentEventHub;
let dir: string;
let baseUrl: string;
const prefix = `rwt-${randomBytes(4).toString('hex')}`;
const log = createLogger('silent');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rwt-recordings-'));
  redis = new Redis(loadConfig(testEnv()).redisUrl, { maxRetriesPerRequest: null });
  hub = createAgentEventHub(redis, prefix, log);
  // Port 1 refuses connections: a real HTTP failure, as when Asterisk is down.
  const sip = createAriRest(createAriHttp({ url: 'http://127.0.0.1:1', user: 'x', password: 'x', timeoutMs: 2_000 }), 'x');
  api = await createTestApi({ env: { RINGWISE_RECORDING_DIR: dir }, deps: { agents: { sip, redis, hub, prefix, heartbeatMs: 100 } } });
  baseUrl = await api.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await api?.close();
  await hub?.close();
  await redis?.quit();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const seedAgent = async () =>
  (await insertAgent(api.t.db, { name: 'A', sipUsername: `rwt-agent-${randomBytes(4).toString('hex')}`, sipMd5: 'f'.repeat(32), sipRealm: 'ringwise' })).id;
async function seedAttempt(agentId: number | null, campaignId: number | null = null): Promise<string> {
  const c = await api.t.db.query(
    `INSERT INTO customers (external_id, name, phones, time_zone) VALUES ($1, 'C', ARRAY['+8613800000001'], 'Asia/Shanghai') RETURNING id`,
    [randomUUID()],
  );
  const id = randomUUID();
  await api.t.db.query(`INSERT INTO call_attempts (id, customer_id, campaign_id, attempt_no, phone, agent_id) VALUES ($1, $2, $3, 1, '+8613800000001', $4)`, [
    id,
    c.rows[0].id,
    campaignId,
    agentId,
  ]);
  return id;
}

describe('OpenAPI', () => {
  it('documents every agent route with its roles and closed bodies', async () => {
    const res = await api.app.inject({ url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = res.json().paths as Record<
      string,
      Record<string, { description?: string; requestBody?: { content: Record<string, { schema: { additionalProperties?: unknown } }> } }>
    >;
    for (const p of [
      '/v1/agents',
      '/v1/agents/{id}',
      '/v1/agents/{id}/login',
      '/v1/agents/{id}/pause',
      '/v1/agents/{id}/events',
      '/v1/calls/{id}/disposition',
      '/v1/recordings',
      '/v1/recordings/{id}/audio',
    ]) {
      expect(paths[p], p).toBeDefined();
      for (const op of Object.values(paths[p]!)) {
        expect(op.description, p).toMatch(/^(.*\n\n)?Roles: admin/s);
        const body = op.requestBody?.content['application/json'];
        if (body) expect(body.schema.additionalProperties, p).toBe(false);
      }
    }
  });
});

describe('provisioning when Asterisk does not answer', () => {
  it('POST /v1/agents is 503 asterisk_unavailable and leaves no agent row and no key', async () => {
    const r = await api.app.inject({ method: 'POST', url: '/v1/agents', headers: api.as('supervisor'), payload: { name: 'rwt-agent-down' } });
    expect(r.statusCode).toBe(503);
    expect(r.json().error.code).toBe('asterisk_unavailable');
    // Only the agent the test API's own agent key belongs to.
    expect((await api.t.db.query(`SELECT count(*)::int AS n FROM agents WHERE name = 'rwt-agent-down'`)).rows[0].n).toBe(0);
    expect((await api.t.db.query(`SELECT count(*)::int AS n FROM api_keys WHERE role = 'agent'`)).rows[0].n).toBe(1);
  });

  it('bad input is 400, other roles 403', async () => {
    const bad = [{}, { name: '' }, { name: 'x', sipUsername: '../etc' }, { name: 'x', extra: 1 }];
    for (const payload of bad)
      expect((await api.app.inject({ method: 'POST', url: '/v1/agents', headers: api.as('supervisor'), payload })).statusCode).toBe(400);
    for (const role of ['operator', 'agent', 'viewer'] as const)
      expect((await api.app.inject({ method: 'POST', url: '/v1/agents', headers: api.as(role), payload: { name: 'x' } })).statusCode).toBe(403);
    expect((await api.app.inject({ method: 'GET', url: '/v1/agents/abc', headers: api.as('supervisor') })).statusCode).toBe(400);
    expect((await api.app.inject({ method: 'POST', url: '/v1/agents/me/login', headers: api.as('supervisor') })).json().error.code).toBe('not_an_agent');
  });

  it('a browser phone takes no SIP transport: 422 transport_not_for_webrtc before Asterisk is asked, and no row', async () => {
    const r = await api.app.inject({
      method: 'POST',
      url: '/v1/agents',
      headers: api.as('supervisor'),
      payload: { name: 'rwt-webrtc-tls', softphone: 'webrtc', transport: 'tls' },
    });
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().error).toMatchObject({ code: 'transport_not_for_webrtc', details: { field: 'transport' } });
    expect((await api.t.db.query(`SELECT count(*)::int AS n FROM agents WHERE name = 'rwt-webrtc-tls'`)).rows[0].n).toBe(0);
  });
});

describe('PATCH /v1/agents/:id (transport)', () => {
  const patch = (id: number | string, payload: unknown, role: 'supervisor' | 'operator' | 'agent' = 'supervisor') =>
    api.app.inject({ method: 'PATCH', url: `/v1/agents/${id}`, headers: api.as(role), payload: payload as object });
  const transportOf = async (id: number) => (await api.t.db.query(`SELECT sip_transport FROM agents WHERE id = $1`, [id])).rows[0].sip_transport;

  it('Asterisk not answering: 503 and the agent keeps its transport; the same transport again is 200 without asking Asterisk', async () => {
    const id = await seedAgent();
    const r = await patch(id, { transport: 'tls' });
    expect(r.statusCode, r.body).toBe(503);
    expect(r.json().error.code).toBe('asterisk_unavailable');
    expect(await transportOf(id)).toBe('udp');
    const same = await patch(id, { transport: 'udp' });
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json()).toMatchObject({ id, sipTransport: 'udp' });
  });

  it('only an offline agent; bad input 400; unknown agent 404; other roles 403', async () => {
    const id = await seedAgent();
    await api.t.db.query(`UPDATE agents SET state = 'available', logged_in = true WHERE id = $1`, [id]);
    const busy = await patch(id, { transport: 'tls' });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error).toMatchObject({ code: 'agent_not_offline', details: { state: 'available' } });
    expect(await transportOf(id)).toBe('udp');
    for (const payload of [{}, { transport: 'tcp' }, { transport: 'tls', name: 'x' }]) expect((await patch(id, payload)).statusCode).toBe(400);
    expect((await patch(999999, { transport: 'tls' })).statusCode).toBe(404);
    for (const role of ['operator', 'agent'] as const) expect((await patch(id, { transport: 'tls' }, role)).statusCode).toBe(403);
  });

  it("a browser phone's agent has no SIP transport to change: 409 not_a_sip_phone", async () => {
    const id = await seedAgent();
    await api.t.db.query(`UPDATE agents SET softphone = 'webrtc' WHERE id = $1`, [id]);
    const r = await patch(id, { transport: 'tls' });
    expect(r.statusCode, r.body).toBe(409);
    expect(r.json().error.code).toBe('not_a_sip_phone');
    expect(await transportOf(id)).toBe('udp');
  });
});

describe('GET /v1/agents/:id/events', () => {
  it('an agent key gets only its own stream; a supervisor any; heartbeats; closing the stream unsubscribes from Redis', async () => {
    const mine = await seedAgent();
    const other = await seedAgent();
    const key = await api.mintKey('agent', { agentId: mine });
    const auth = { authorization: `Bearer ${key.key}` };
    const denied = await fetch(`${baseUrl}/v1/agents/${other}/events`, { headers: auth });
    expect(denied.status).toBe(403);
    const sup = await openSse(`${baseUrl}/v1/agents/${other}/events`, api.as('supervisor'));
    expect(sup.status).toBe(200);
    await sup.waitFor((e) => e.event === 'state');
    sup.close();
    const own = await openSse(`${baseUrl}/v1/agents/me/events`, auth);
    const first = await own.waitFor((e) => e.event === 'state');
    expect(first.data).toMatchObject({ state: 'offline', agentId: mine });
    const login = await api.app.inject({ method: 'POST', url: '/v1/agents/me/login', headers: auth });
    expect(login.json().state).toBe('available');
    await own.waitFor((e) => e.event === 'state' && e.data['state'] === 'available');
    for (let i = 0; own.comments === 0; i++) {
      if (i > 100) throw new Error('no heartbeat comment on an idle stream');
      await new Promise((r) => setTimeout(r, 100));
    }
    own.close();
    const channel = agentEventsChannel(prefix, mine);
    for (let i = 0; ; i++) {
      const [, n] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
      if (Number(n) === 0) break;
      if (i > 100) throw new Error('subscription left open after the client went away');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});

describe('callback dispositions go through the compliance policy', () => {
  it('a time outside the window is refused with the earliest allowed instant; that instant is accepted', async () => {
    const agentId = await seedAgent();
    const key = await api.mintKey('agent', { agentId });
    const auth = { authorization: `Bearer ${key.key}` };
    const attempt = await seedAttempt(agentId);
    // 03:00 in Shanghai, two days ahead: inside no calling window of any profile.
    const night = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 2, 19, 0, 0));
    const r = await api.app.inject({
      method: 'POST',
      url: `/v1/calls/${attempt}/disposition`,
      headers: auth,
      payload: { kind: 'callback', callbackAt: night.toISOString() },
    });
    expect(r.statusCode).toBe(422);
    expect(r.json().error.code).toBe('callback_outside_policy');
    const earliest = r.json().error.details.earliestAllowed as string;
    expect(Date.parse(earliest)).toBeGreaterThan(night.getTime());
    const ok = await api.app.inject({
      method: 'POST',
      url: `/v1/calls/${attempt}/disposition`,
      headers: auth,
      payload: { kind: 'callback', callbackAt: earliest },
    });
    expect(ok.statusCode, ok.body).toBe(201);
    // A call outside any campaign: the callback is recorded; there is no campaign contact to dial.
    expect(ok.json()).toMatchObject({ kind: 'callback', callbackAt: new Date(earliest).toISOString(), agentId, callbackQueued: false });
    const dnc = await seedAttempt(agentId);
    await api.t.db.query(`INSERT INTO dnc_entries (phone, reason, source) VALUES ('+8613800000001', 'asked', 'test')`);
    const blocked = await api.app.inject({
      method: 'POST',
      url: `/v1/calls/${dnc}/disposition`,
      headers: auth,
      payload: { kind: 'callback', callbackAt: earliest },
    });
    expect(blocked.json().error).toMatchObject({ code: 'callback_blocked', details: { rule: 'dnc' } });
  });
});

describe('dispositions after the wrap-up deadline', () => {
  it('a disposition for a call whose wrap-up is overdue (not swept yet) is saved and frees the agent', async () => {
    const agentId = await seedAgent();
    const attempt = await seedAttempt(agentId);
    await api.t.db.query(
      `UPDATE agents SET state = 'wrap_up', logged_in = true, current_attempt_id = $2, wrap_up_until = now() - interval '1 minute' WHERE id = $1`,
      [agentId, attempt],
    );
    const r = await api.app.inject({
      method: 'POST',
      url: `/v1/calls/${attempt}/disposition`,
      headers: api.as('supervisor'),
      payload: { kind: 'wrong_party' },
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ agentId, agentState: 'available' });
    expect((await api.t.db.query(`SELECT state, current_attempt_id FROM agents WHERE id = $1`, [agentId])).rows[0]).toEqual({
      state: 'available',
      current_attempt_id: null,
    });
  });
});

describe('recordings', () => {
  it('lists by campaign and attempt, streams the file to supervisors only, audits every download', async () => {
    const camp = await api.t.db.query(`INSERT INTO campaigns (name) VALUES ('rec') RETURNING id`);
    const campaignId = Number(camp.rows[0].id);
    const attempt = await seedAttempt(null, campaignId);
    const other = await seedAttempt(null);
    const audio = randomBytes(4096);
    await writeFile(join(dir, `${attempt}.wav`), audio);
    const rec = await api.t.db.query(`INSERT INTO recordings (attempt_id, file_name, bytes) VALUES ($1, $2, 4096) RETURNING id`, [attempt, `${attempt}.wav`]);
    await api.t.db.query(`INSERT INTO recordings (attempt_id, file_name, bytes) VALUES ($1, $2, 1)`, [other, `${other}.wav`]);
    const id = Number(rec.rows[0].id);

    const list = await api.app.inject({ method: 'GET', url: `/v1/recordings?campaignId=${campaignId}`, headers: api.as('supervisor') });
    expect(list.json().items.map((r: { id: number }) => r.id)).toEqual([id]);
    expect((await api.app.inject({ method: 'GET', url: `/v1/recordings?attemptId=${other}`, headers: api.as('supervisor') })).json().items).toHaveLength(1);
    for (const role of ['agent', 'operator', 'viewer'] as const)
      expect((await api.app.inject({ method: 'GET', url: `/v1/recordings/${id}/audio`, headers: api.as(role) })).statusCode).toBe(403);

    const dl = await api.app.inject({ method: 'GET', url: `/v1/recordings/${id}/audio`, headers: api.as('supervisor') });
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toBe('audio/wav');
    expect(Buffer.compare(dl.rawPayload, audio)).toBe(0);
    const audit = await api.t.db.query(`SELECT key_id AS "keyId", details FROM audit_log WHERE action = 'recording.download' AND target_id = $1`, [String(id)]);
    expect(audit.rows).toEqual([{ keyId: api.keyIds.supervisor, details: { attemptId: attempt, bytes: 4096 } }]);

    const missing = await api.app.inject({ method: 'GET', url: `/v1/recordings/${id + 1}/audio`, headers: api.as('supervisor') });
    expect(missing.json().error.code).toBe('recording_file_missing');
    expect((await api.app.inject({ method: 'GET', url: '/v1/recordings/999999/audio', headers: api.as('supervisor') })).statusCode).toBe(404);
  });

  it('the retention prune deletes old files and marks their rows; newer ones stay; a pruned one answers 410', async () => {
    const oldA = await seedAttempt(null);
    const newA = await seedAttempt(null);
    await writeFile(join(dir, `${oldA}.wav`), 'old');
    await writeFile(join(dir, `${newA}.wav`), 'new');
    const o = await api.t.db.query(
      `INSERT INTO recordings (attempt_id, file_name, bytes, created_at) VALUES ($1, $2, 3, now() - interval '91 days') RETURNING id`,
      [oldA, `${oldA}.wav`],
    );
    await api.t.db.query(`INSERT INTO recordings (attempt_id, file_name, bytes, created_at) VALUES ($1, $2, 3, now() - interval '89 days')`, [
      newA,
      `${newA}.wav`,
    ]);
    // Rows from the earlier test are young too; only the 91-day-old one goes.
    expect(await pruneRecordings({ db: api.t.db, dir, retentionDays: 90, log })).toBe(1);
    expect(existsSync(join(dir, `${oldA}.wav`))).toBe(false);
    expect(existsSync(join(dir, `${newA}.wav`))).toBe(true);
    const gone = await api.app.inject({ method: 'GET', url: `/v1/recordings/${o.rows[0].id}/audio`, headers: api.as('supervisor') });
    expect(gone.statusCode).toBe(410);
    expect(gone.json().error.code).toBe('recording_deleted');
    expect(await pruneRecordings({ db: api.t.db, dir, retentionDays: 90, log })).toBe(0);
  });

  it('a file name that would leave the recording folder is refused by the database', async () => {
    const a = await seedAttempt(null);
    await expect(api.t.db.query(`INSERT INTO recordings (attempt_id, file_name) VALUES ($1, '../../etc/passwd')`, [a])).rejects.toMatchObject({
      code: '23514',
    });
  });
});
