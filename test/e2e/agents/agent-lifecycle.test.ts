import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAgent,
  hangup,
  ringAndAnswer,
  seedAttempt,
  startAgentsHarness,
  startSoftphone,
  stopSoftphone,
  until,
  type AgentsHarness,
  type CreatedAgent,
} from './agents-harness.js';
import { openSse, type SseStream } from './sse-client.js';

// One agent's whole working life through the real pieces: created by the API (endpoint pushed to
// Asterisk over ARI), a SIPp softphone registering with the credentials handed out once, presence
// seen through AMI, login with its own key, claimed by the pool, its phone rung and answered by
// Asterisk, wrap-up ended by time and by a disposition, and every step on its SSE stream.
let h: AgentsHarness;
let a: CreatedAgent;
let sse: SseStream;
const PORT = 5291;

const get = async (path: string, headers: Record<string, string>) => h.api.app.inject({ method: 'GET', url: path, headers });
const post = async (path: string, headers: Record<string, string>, payload?: object) =>
  h.api.app.inject({ method: 'POST', url: path, headers, ...(payload ? { payload } : {}) });
const states = () => sse.events.filter((e) => e.event === 'state').map((e) => e.data['state']);

beforeAll(async () => {
  h = await startAgentsHarness({ wrapUpSeconds: 2 });
});
afterAll(async () => {
  sse?.close();
  await h?.close();
});

describe('agent lifecycle through API, Asterisk, SIPp, PostgreSQL and Redis', () => {
  it('POST /v1/agents pushes the endpoint to Asterisk and stores only md5(user:realm:password)', async () => {
    a = await createAgent(h, 'rwt-agent-lifecycle');
    expect((await h.ari.getEndpoint('PJSIP', a.user)).state).toBe('offline');
    const { rows } = await h.api.t.db.query(`SELECT to_jsonb(agents.*) AS j FROM agents WHERE id = $1`, [a.id]);
    const stored = JSON.stringify(rows[0].j);
    expect(stored).not.toContain(a.password);
    expect(rows[0].j.sip_md5).toBe(createHash('md5').update(`${a.user}:${h.realm}:${a.password}`).digest('hex'));
    const again = await post('/v1/agents', h.api.as('supervisor'), { name: 'dup', sipUsername: a.user });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('sip_username_taken');
    expect((await get(`/v1/agents/${a.id}`, a.auth)).json()).toMatchObject({ state: 'offline', registered: false, loggedIn: false, routable: false });
  });

  it('the softphone registers with the handed-out password; AMI presence marks the agent registered', async () => {
    sse = await openSse(`${h.baseUrl}/v1/agents/me/events`, a.auth);
    expect(sse.status).toBe(200);
    await sse.waitFor((e) => e.event === 'state' && e.data['state'] === 'offline', 5_000, 'initial state');
    await startSoftphone(h, a, PORT, 'answer');
    await until(
      'registered',
      async () => (await get('/v1/agents/me', a.auth)).json(),
      (b) => b.registered === true,
    );
    await sse.waitFor((e) => e.event === 'presence' && e.data['registered'] === true, 10_000, 'presence event');
    expect((await h.ari.getEndpoint('PJSIP', a.user)).state).toBe('online');
  });

  it('not routable until it logs in with its own key; illegal moves are 409 with stable codes; other ids 403', async () => {
    expect(await h.pool.claim('00000000-0000-4000-8000-000000000000', [])).toBeNull();
    expect(await h.pool.availableCount()).toBe(0);
    const resume = await post('/v1/agents/me/resume', a.auth);
    expect(resume.statusCode).toBe(409);
    expect(resume.json().error.code).toBe('not_paused');
    const login = await post('/v1/agents/me/login', a.auth);
    expect(login.statusCode).toBe(200);
    expect(login.json()).toMatchObject({ state: 'available', loggedIn: true, registered: true, routable: true });
    expect((await post('/v1/agents/me/login', a.auth)).json().error.code).toBe('already_logged_in');
    expect((await post(`/v1/agents/${a.id + 1000}/pause`, a.auth, { reason: 'x' })).statusCode).toBe(403);
    expect((await post('/v1/agents/me/pause', a.auth, {})).statusCode).toBe(400);
    expect(await h.pool.availableCount()).toBe(1);
    await sse.waitFor((e) => e.event === 'state' && e.data['state'] === 'available', 5_000, 'available');
  });

  it('claimed, rung and answered through Asterisk: ringing → on_call, the card on SSE, then wrap-up ends by time', async () => {
    const attempt = await seedAttempt(h, a.id);
    const claimed = await h.pool.claim(attempt, []);
    expect(claimed).toMatchObject({ id: a.id, sipUsername: a.user, name: 'rwt-agent-lifecycle' });
    expect(await h.pool.claim(attempt, [])).toBeNull();
    const channel = await ringAndAnswer(h, a.user);
    await h.pool.connected(a.id, attempt);
    const card = {
      attemptId: attempt,
      customerId: 1,
      name: 'Card Customer',
      amountDue: '120.50',
      currency: 'CNY',
      daysPastDue: 12,
      riskScore: 80,
      campaignId: null,
    };
    await h.pool.publish(a.id, { type: 'customer_card', ...card });
    const got = await sse.waitFor((e) => e.event === 'customer_card', 5_000, 'customer card');
    expect(got.data).toMatchObject({ ...card, agentId: a.id });
    expect((await get('/v1/agents/me', a.auth)).json()).toMatchObject({ state: 'on_call', currentAttemptId: attempt, routable: false });
    await hangup(h, channel);
    await h.pool.callEnded(a.id, attempt);
    expect((await get('/v1/agents/me', a.auth)).json().state).toBe('wrap_up');
    expect(await h.pool.availableCount()).toBe(0);
    await sse.waitFor((e) => e.event === 'state' && e.data['state'] === 'available' && e.data['reason'] === 'wrap_up_time', 15_000, 'wrap-up end by time');
    expect((await get('/v1/agents/me', a.auth)).json().state).toBe('available');
    expect(states()).toEqual(['offline', 'available', 'ringing', 'on_call', 'wrap_up', 'available']);
  });

  it('a disposition ends wrap-up at once; bad input and strangers are refused with stable codes', async () => {
    const h2 = await startAgentsHarnessLongWrapUp();
    try {
      const attempt = await seedAttempt(h, a.id);
      await h2.pool.claim(attempt, []);
      const channel = await ringAndAnswer(h, a.user);
      await h2.pool.connected(a.id, attempt);
      await hangup(h, channel);
      await h2.pool.callEnded(a.id, attempt);
      expect((await get('/v1/agents/me', a.auth)).json().state).toBe('wrap_up');

      const url = `/v1/calls/${attempt}/disposition`;
      expect((await post(url, a.auth, { kind: 'promise_to_pay', date: '2099-01-01' })).json().error.code).toBe('amount_required');
      expect((await post(url, a.auth, { kind: 'dispute', amount: '10' })).json().error.code).toBe('field_not_allowed');
      expect((await post(url, a.auth, { kind: 'bogus' })).statusCode).toBe(400);
      expect((await post(url, a.auth, { kind: 'callback', callbackAt: '2001-01-01T00:00:00Z' })).json().error.code).toBe('callback_in_past');
      const stranger = await h.api.mintKey('agent', { agentId: a.id + 1000 });
      const refused = await post(url, { authorization: `Bearer ${stranger.key}` }, { kind: 'refused' });
      // Someone else's call answers like a missing one.
      expect(refused.statusCode).toBe(404);
      expect(refused.json().error.code).toBe('not_found');
      expect((await post('/v1/calls/00000000-0000-4000-8000-000000000000/disposition', a.auth, { kind: 'refused' })).statusCode).toBe(404);

      const date = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
      const saved = await post(url, a.auth, { kind: 'promise_to_pay', amount: '120.50', date, note: 'pays next week' });
      expect(saved.statusCode, saved.body).toBe(201);
      expect(saved.json()).toMatchObject({ kind: 'promise_to_pay', amount: '120.50', date, agentId: a.id, agentState: 'available' });
      await sse.waitFor((e) => e.event === 'state' && e.data['reason'] === 'disposition', 5_000, 'disposition state event');
      expect((await get('/v1/agents/me', a.auth)).json()).toMatchObject({ state: 'available', routable: true });
      expect((await post(url, a.auth, { kind: 'refused' })).json().error.code).toBe('disposition_exists');
      const audit = await h.api.t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'call.disposition' AND target_id = $1`, [attempt]);
      expect(audit.rows[0].n).toBe(1);
    } finally {
      h2.pool.close();
    }
  });

  it('paused agents are not claimed; logout, unregistering and DELETE remove it from Asterisk and revoke its key', async () => {
    expect((await post('/v1/agents/me/pause', a.auth, { reason: 'lunch' })).json()).toMatchObject({ state: 'paused', pauseReason: 'lunch' });
    expect(await h.pool.claim('00000000-0000-4000-8000-000000000001', [])).toBeNull();
    expect((await post(`/v1/agents/${a.id}/resume`, h.api.as('supervisor'))).json().state).toBe('available');
    expect((await h.api.app.inject({ method: 'DELETE', url: `/v1/agents/${a.id}`, headers: h.api.as('supervisor') })).json().error.code).toBe(
      'agent_not_offline',
    );
    expect((await post('/v1/agents/me/logout', a.auth)).json()).toMatchObject({ state: 'offline', loggedIn: false });
    await stopSoftphone(h, a);
    await until(
      'unregistered',
      async () => (await get('/v1/agents/me', a.auth)).json(),
      (b) => b.registered === false,
    );
    const del = await h.api.app.inject({ method: 'DELETE', url: `/v1/agents/${a.id}`, headers: h.api.as('supervisor') });
    expect(del.statusCode).toBe(204);
    h.created.splice(
      h.created.findIndex((c) => c.id === a.id),
      1,
    );
    await expect(h.ari.getEndpoint('PJSIP', a.user)).rejects.toMatchObject({ httpStatus: 404 });
    expect((await get('/v1/agents/me', a.auth)).statusCode).toBe(401);
  });
});

/** A second pool on the same database whose wrap-up outlasts the test: only a disposition can end it. */
async function startAgentsHarnessLongWrapUp() {
  const { createAgentPool } = await import('../../../src/agents/agent-pool.js');
  const { createLogger } = await import('../../../src/shared/logger.js');
  return { pool: createAgentPool({ db: h.api.t.db, redis: h.redis, prefix: h.prefix, wrapUpSeconds: 600, log: createLogger('silent') }) };
}
