import { randomBytes } from 'node:crypto';
import { pushAgent, removeAgent, sipMd5 } from '../../../src/agents/agent.provision.js';
import { Redis } from 'ioredis';
import { createAriClient, type AriClient } from '../../../src/dialer/ari.client.js';
import { ariPortFrom } from '../../../src/dialer/ari-port.adapter.js';
import type { AriEvent, AriPort } from '../../../src/dialer/ports.js';
import { startDialWorker, type DialWorker } from '../../../src/scheduler/worker.runtime.js';
import { workerAgentHooks } from '../../../src/agents/agents.runtime.js';
import type { BridgePool } from '../../../src/agents/bridge.session.js';

/** The pool a bridge worker claims agents from (the real one, or a test's). */
type WorkerPool = BridgePool & { availableCount(): Promise<number> };
import { dialWorkerOptions } from '../../../src/scheduler/worker.options.js';
import { sandboxAri, sandboxSh } from '../../helpers/ari.js';
import { sandboxEnv, slotPort } from '../../helpers/sandbox-env.js';
import type { Harness } from '../dialer/dialer-harness.js';

/** A test agent: a PJSIP endpoint pushed through ARI dynamic config, and a SIPp softphone. */
export interface TestAgent {
  id: number;
  user: string;
  port: number;
  mode: 'answer' | 'noanswer';
}

/** Provisions agents the way the sandbox (and ringwise) does: auth, aor, endpoint into astdb. */
export async function provisionAgents(agents: TestAgent[]): Promise<() => Promise<void>> {
  const ari = sandboxAri(`rw-test-prov-${randomBytes(3).toString('hex')}`);
  const realm = sandboxEnv()['RINGWISE_SIP_REALM'] ?? 'ringwise';
  const password = randomBytes(9).toString('hex');
  for (const a of agents) {
    // The production push (src/agents/agent.provision.ts), so the tests dial what ringwise provisions.
    await pushAgent(ari, { id: a.id, sipUsername: a.user, sipRealm: realm, sipMd5: sipMd5(a.user, realm, password) }, 'ringwise-agents');
    await sandboxSh(['softphone', 'start', a.user, password, String(slotPort(a.port)), a.mode], 30_000);
  }
  return async () => {
    for (const a of agents) {
      await sandboxSh(['softphone', 'stop', a.user], 30_000).catch(() => undefined);
      await removeAgent(ari, a.user).catch(() => undefined);
    }
    await ari.close();
  };
}

export interface BridgeWorker<P extends WorkerPool = WorkerPool> {
  worker: DialWorker;
  client: AriClient;
  pool: P;
  /** Every ARI event the worker received and every play request it made, in order. */
  events: AriEvent[];
  plays: Array<{ channelId: string; media: string[]; playbackId: string }>;
  stop(): Promise<void>;
}

/** The real dial worker (ARI, PostgreSQL, Redis) with agent bridging wired to the given pool. */
export async function startBridgeWorker<P extends WorkerPool>(h: Harness, pool: P): Promise<BridgeWorker<P>> {
  const { config } = h;
  const client = createAriClient({
    url: config.ari.url,
    user: config.ari.user,
    password: config.ari.password,
    app: config.ari.app,
    log: h.log,
    backoff: { initialMs: 200, maxMs: 1_000 },
  });
  await client.connect({ timeoutMs: 10_000 });
  const events: AriEvent[] = [];
  const plays: BridgeWorker<P>['plays'] = [];
  const base = ariPortFrom(client);
  const ari: AriPort = {
    ...base,
    onEvent: (handler) =>
      base.onEvent((e) => {
        events.push(e);
        handler(e);
      }),
    play: (channelId, media, playbackId) => {
      plays.push({ channelId, media, playbackId });
      return base.play(channelId, media, playbackId);
    },
  };
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const worker = await startDialWorker({
    ...dialWorkerOptions(config, { db: h.tdb.db, redis, log: h.log, ari, agents: workerAgentHooks(config, h.tdb.db, redis, pool) }),
    concurrency: 10,
    stalledIntervalMs: 1_000,
  });
  return {
    worker,
    client,
    pool,
    events,
    plays,
    async stop() {
      await worker.close(5_000);
      await client.close();
      await redis.quit();
    },
  };
}

/** Makes a seeded customer someone the agents see: a name, a risk score; and the campaign's threshold. */
export async function makeRisky(
  h: Harness,
  o: { campaignId: string; customerId: string; name: string; riskScore: number | null; threshold: number | null },
): Promise<void> {
  await h.tdb.db.query(`UPDATE customers SET name = $2, risk_score = $3 WHERE id = $1`, [o.customerId, o.name, o.riskScore]);
  await h.tdb.db.query(`UPDATE campaigns SET risk_threshold = $2 WHERE id = $1`, [o.campaignId, o.threshold]);
}

export interface AttemptAgentView {
  outcome: string | null;
  agentId: number | null;
  bridgedAt: Date | null;
  answeredAt: Date | null;
  endedAt: Date | null;
  talkMs: number | null;
  endReason: string | null;
  digits: string;
  connected: boolean;
}

export async function attemptAgent(h: Harness, attemptId: string): Promise<AttemptAgentView> {
  const r = await h.tdb.db.query<AttemptAgentView>(
    `SELECT outcome, agent_id::int AS "agentId", bridged_at AS "bridgedAt", answered_at AS "answeredAt", ended_at AS "endedAt",
            talk_ms AS "talkMs", end_reason AS "endReason", digits, connected
       FROM call_attempts WHERE id = $1`,
    [attemptId],
  );
  return r.rows[0]!;
}
