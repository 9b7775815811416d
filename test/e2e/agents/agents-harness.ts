import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { createAgentEventHub, type AgentEventHub } from '../../../src/agents/agent.events-hub.js';
import { createAgentPool, type AgentPool } from '../../../src/agents/agent-pool.js';
import { startPresence, type Presence } from '../../../src/agents/agent.presence.js';
import type { AmiClient } from '../../../src/agents/ami.client.js';
import { createAriHttp } from '../../../src/dialer/ari.http.js';
import { createAriRest } from '../../../src/dialer/ari.rest.js';
import type { AriClient } from '../../../src/dialer/ari.client.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { slotPort } from '../../helpers/sandbox-env.js';
import { forChannel, recordAri, requireSandbox, sandboxAmi, sandboxAri, sandboxSh, uniqueApp, type EventLog } from '../../helpers/ari.js';

type AriEv = Parameters<Parameters<AriClient['onAny']>[0]>[0];

/**
 * The agents module through real components: the API (listening, for SSE) over a fresh database,
 * ARI dynamic config and AMI presence against the sandbox Asterisk, the pool and events on Redis,
 * SIPp softphones registering with the credentials the API handed out.
 */
export interface AgentsHarness {
  api: TestApi;
  baseUrl: string;
  ari: AriClient;
  ariLog: EventLog<AriEv>;
  ami: AmiClient;
  presence: Presence;
  redis: Redis;
  hub: AgentEventHub;
  pool: AgentPool;
  prefix: string;
  realm: string;
  /** Agents created through the API (deleted at the end) and softphones started (stopped). */
  created: Array<{ id: number; user: string }>;
  softphones: Set<string>;
  close(): Promise<void>;
}

export async function startAgentsHarness(opts: { wrapUpSeconds: number }): Promise<AgentsHarness> {
  const env = requireSandbox();
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const prefix = `rwt-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const hub = createAgentEventHub(redis, prefix, log);
  const app = uniqueApp('agents');
  const sip = createAriRest(createAriHttp({ url: env['ARI_URL']!, user: env['ARI_USER']!, password: env['ARI_PASSWORD']!, timeoutMs: 5_000 }), app);
  const api = await createTestApi({ deps: { agents: { sip, redis, hub, prefix } } });
  const baseUrl = await api.app.listen({ host: '127.0.0.1', port: 0 });
  const ari = sandboxAri(app);
  const ariLog = recordAri(ari);
  const ami = sandboxAmi({ eventMask: 'system' });
  await Promise.all([ari.connect({ timeoutMs: 10_000 }), ami.connect({ timeoutMs: 10_000 })]);
  const presence = startPresence({ db: api.t.db, ami, redis, prefix, log });
  const pool = createAgentPool({ db: api.t.db, redis, prefix, wrapUpSeconds: opts.wrapUpSeconds, log });
  const h: AgentsHarness = {
    api,
    baseUrl,
    ari,
    ariLog,
    ami,
    presence,
    redis,
    hub,
    pool,
    prefix,
    realm: env['RINGWISE_SIP_REALM'] ?? 'ringwise',
    created: [],
    softphones: new Set(),
    async close() {
      for (const u of h.softphones) await sandboxSh(['softphone', 'stop', u]).catch(() => undefined);
      for (const a of h.created) {
        await api.t.db
          .query(`UPDATE agents SET state = 'offline', logged_in = false, current_attempt_id = NULL, pause_reason = NULL, wrap_up_until = NULL WHERE id = $1`, [
            a.id,
          ])
          .catch(() => undefined);
        const r = await api.app.inject({ method: 'DELETE', url: `/v1/agents/${a.id}`, headers: api.as('supervisor') }).catch(() => null);
        // Whatever the API did, the endpoint must not outlive the test.
        if (r?.statusCode !== 204) for (const type of ['endpoint', 'aor', 'auth']) await sip.deleteConfig('res_pjsip', type, a.user).catch(() => undefined);
      }
      presence.stop();
      pool.close();
      await api.close();
      await hub.close();
      await Promise.allSettled([ari.close(), ami.close(), redis.quit()]);
    },
  };
  return h;
}

export interface CreatedAgent {
  id: number;
  user: string;
  password: string;
  key: string;
  auth: { authorization: string };
}

export async function createAgent(h: AgentsHarness, name = 'Test Agent'): Promise<CreatedAgent> {
  const user = `rwt-agent-${randomBytes(4).toString('hex')}`;
  const r = await h.api.app.inject({ method: 'POST', url: '/v1/agents', headers: h.api.as('supervisor'), payload: { name, sipUsername: user } });
  expect(r.statusCode, r.body).toBe(201);
  const b = r.json();
  h.created.push({ id: b.agent.id, user });
  return { id: b.agent.id, user, password: b.sip.password, key: b.apiKey.key, auth: { authorization: `Bearer ${b.apiKey.key}` } };
}

export async function startSoftphone(h: AgentsHarness, a: CreatedAgent, port: number, mode: 'answer' | 'noanswer' = 'answer'): Promise<void> {
  h.softphones.add(a.user);
  await sandboxSh(['softphone', 'start', a.user, a.password, String(slotPort(port)), mode], 40_000);
}

export async function stopSoftphone(h: AgentsHarness, a: CreatedAgent): Promise<void> {
  await sandboxSh(['softphone', 'stop', a.user]);
  h.softphones.delete(a.user);
}

/** Polls the API (not a timing assertion: a deadline for something that must happen). */
export async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A ledger row the agent's call belongs to (as the dialer would have written it). */
export async function seedAttempt(h: AgentsHarness, agentId: number | null): Promise<string> {
  const db = h.api.t.db;
  const c = await db.query(
    `INSERT INTO customers (external_id, name, phones, time_zone) VALUES ($1, 'Card Customer', ARRAY['+8613800000001'], 'Asia/Shanghai') RETURNING id`,
    [randomUUID()],
  );
  const id = randomUUID();
  await db.query(`INSERT INTO call_attempts (id, customer_id, attempt_no, phone, state, agent_id) VALUES ($1, $2, 1, '+8613800000001', 'answered', $3)`, [
    id,
    c.rows[0].id,
    agentId,
  ]);
  return id;
}

/** Rings the agent's softphone through Asterisk and waits for its answer (StasisStart). */
export async function ringAndAnswer(h: AgentsHarness, user: string): Promise<string> {
  const channelId = randomUUID();
  await h.ari.originate({ endpoint: `PJSIP/${user}`, channelId, timeout: 20 });
  await h.ariLog.waitFor(forChannel(channelId)('StasisStart'), 20_000, `answer of PJSIP/${user}`);
  return channelId;
}

export async function hangup(h: AgentsHarness, channelId: string): Promise<void> {
  await h.ari.hangup(channelId);
  await h.ariLog.waitFor(forChannel(channelId)('ChannelDestroyed'), 10_000, 'ChannelDestroyed');
}
