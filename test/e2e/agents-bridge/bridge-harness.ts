import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createAriClient, type AriClient } from '../../../src/dialer/ari.client.js';
import { ariPortFrom } from '../../../src/dialer/ari-port.adapter.js';
import type { AriEvent, AriPort } from '../../../src/dialer/ports.js';
import { startDialWorker, type DialWorker, type WorkerAgents } from '../../../src/scheduler/worker.runtime.js';
import { createGatePort } from '../../../src/scheduler/gate.adapter.js';
import { createPromptPort } from '../../../src/scheduler/prompt.adapter.js';
import { sandboxAri, sandboxSh } from '../../helpers/ari.js';
import { sandboxEnv } from '../../helpers/sandbox-env.js';
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
    const md5 = createHash('md5').update(`${a.user}:${realm}:${password}`).digest('hex');
    await ari.pushConfig('res_pjsip', 'auth', a.user, { auth_type: 'md5', username: a.user, realm, md5_cred: md5 });
    await ari.pushConfig('res_pjsip', 'aor', a.user, { max_contacts: '1', remove_existing: 'yes', minimum_expiration: '60', default_expiration: '120', qualify_frequency: '0' });
    await ari.pushConfig('res_pjsip', 'endpoint', a.user, {
      transport: 'transport-udp',
      context: 'ringwise-agents',
      disallow: 'all',
      allow: 'ulaw,alaw,gsm',
      direct_media: 'no',
      dtmf_mode: 'rfc4733',
      rtp_symmetric: 'yes',
      force_rport: 'yes',
      rewrite_contact: 'yes',
      timers: 'no',
      auth: a.user,
      aors: a.user,
    });
    await sandboxSh(['softphone', 'start', a.user, password, String(a.port), a.mode], 30_000);
  }
  return async () => {
    for (const a of agents) {
      await sandboxSh(['softphone', 'stop', a.user], 30_000).catch(() => undefined);
      for (const type of ['endpoint', 'aor', 'auth']) await ari.deleteConfig('res_pjsip', type, a.user).catch(() => undefined);
    }
    await ari.close();
  };
}

export interface BridgeWorker<P extends WorkerAgents['pool'] = WorkerAgents['pool']> {
  worker: DialWorker;
  client: AriClient;
  pool: P;
  /** Every ARI event the worker received and every play request it made, in order. */
  events: AriEvent[];
  plays: Array<{ channelId: string; media: string[]; playbackId: string }>;
  stop(): Promise<void>;
}

/** The real dial worker (ARI, PostgreSQL, Redis) with agent bridging wired to the given pool. */
export async function startBridgeWorker<P extends WorkerAgents['pool']>(h: Harness, pool: P): Promise<BridgeWorker<P>> {
  const { config } = h;
  const client = createAriClient({ url: config.ari.url, user: config.ari.user, password: config.ari.password, app: config.ari.app, log: h.log, backoff: { initialMs: 200, maxMs: 1_000 } });
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
    db: h.tdb.db,
    redis,
    log: h.log,
    ari,
    gate: createGatePort(h.tdb.db, config.policyProfile),
    renderPrompt: createPromptPort(config, h.tdb.db, h.log),
    prefix: config.queuePrefix,
    dialer: {
      dialTemplate: config.dialer.dialTemplate,
      ringTimeoutSeconds: config.dialer.ringTimeoutSeconds,
      menuTimeoutSeconds: config.dialer.menuTimeoutSeconds,
      workerId: config.dialer.workerId,
    },
    global: { maxChannels: config.dialer.maxChannels, callsPerSecond: config.dialer.callsPerSecond },
    concurrency: 10,
    lockDurationMs: config.dialer.jobLockMs,
    stalledIntervalMs: 1_000,
    agents: { pool, settings: { ...config.agents, recordingDir: config.paths.recordingDir } },
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
export async function makeRisky(h: Harness, o: { campaignId: string; customerId: string; name: string; riskScore: number | null; threshold: number | null }): Promise<void> {
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
