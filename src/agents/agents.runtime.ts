import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { createAriHttp } from '../dialer/ari.http.js';
import { createAriRest } from '../dialer/ari.rest.js';
import type { AriClient } from '../dialer/ari.client.js';
import type { Logger } from '../shared/logger.js';
import type { Db } from '../store/db.js';
import { createAmiClient, type AmiClient } from './ami.client.js';
import { createAgentEventHub, type AgentEventHub } from './agent.events-hub.js';
import type { SipConfigPort } from './agent.provision.js';
import { createAgentPool, type AgentPool } from './agent-pool.js';
import type { BridgePool } from './bridge.session.js';
import { startPresence, type Presence } from './agent.presence.js';
import { repushAllAgents } from './agent.provision.js';
import { pruneRecordings } from './recording.prune.js';
import { createAgentHooks } from './agent-hooks.js';
import { createHighRiskCapacity } from './agent-pacing.js';
import type { AgentHooks } from '../dialer/ports.js';

const WRAP_UP_SWEEP_MS = 5_000;
const PRUNE_EVERY_MS = 3_600_000;
// As long as a pacing slot's lease (scheduler/worker.runtime.ts): both are renewed every 30 s while the call lives.
const HIGH_RISK_LEASE_MS = 120_000;

/** What the agent routes need beyond the database: Asterisk's config API and Redis for events. */
export interface AgentsApiDeps {
  sip: SipConfigPort;
  redis: Redis;
  hub: AgentEventHub;
  prefix: string;
  /** SSE heartbeat period (default 15 s). */
  heartbeatMs?: number;
}

/**
 * The API side of agents: ARI over plain HTTP (provisioning needs no Stasis app or websocket),
 * the shared SSE subscriber, and a re-push of every agent at start.
 */
export function createAgentsApi(config: Config, db: Db, redis: Redis, log: Logger): { deps: AgentsApiDeps; close(): Promise<void> } {
  const http = createAriHttp({ url: config.ari.url, user: config.ari.user, password: config.ari.password, timeoutMs: 5_000 });
  const sip = createAriRest(http, config.ari.app);
  const hub = createAgentEventHub(redis, config.queuePrefix, log);
  void repushAllAgents(db, sip, config.agents.context, log).catch((err: unknown) => log.warn({ err }, 'agent re-push at API start failed'));
  return { deps: { sip, redis, hub, prefix: config.queuePrefix }, close: () => hub.close() };
}

export interface WorkerAgentsRuntime {
  pool: AgentPool;
  /** What the dialer is given at construction: the hand-off and the high-risk pacing. */
  hooks: AgentHooks;
  ami: AmiClient;
  presence: Presence;
  close(): Promise<void>;
}

/**
 * The worker side: the pool the bridge claims agents from, registration state from AMI, every
 * agent pushed to Asterisk at each ARI (re)connect, wrap-up sweeps and the recording prune.
 */
export function startWorkerAgents(o: { config: Config; db: Db; redis: Redis; log: Logger; ari: AriClient }): WorkerAgentsRuntime {
  const { config, db, redis, log } = o;
  const pool = createAgentPool({ db, redis, prefix: config.queuePrefix, wrapUpSeconds: config.agents.wrapUpSeconds, log });
  const repush = () => void repushAllAgents(db, o.ari, config.agents.context, log).catch((err: unknown) => log.warn({ err }, 'agent re-push failed'));
  const offConnected = o.ari.on('connected', repush);
  if (o.ari.isConnected) repush();

  // Contact changes are `system` events; call events would be thousands a second under load.
  const ami = createAmiClient({ ...config.ami, log, eventMask: 'system' });
  const presence = startPresence({ db, ami, redis, prefix: config.queuePrefix, log });
  ami.connect({ timeoutMs: 10_000 }).catch((err: unknown) => log.warn({ err }, 'AMI not reachable yet; agent presence waits for it'));

  const sweep = setInterval(() => void pool.sweepWrapUps().catch((err: unknown) => log.warn({ err }, 'wrap-up sweep failed')), WRAP_UP_SWEEP_MS);
  const prune = () =>
    void pruneRecordings({ db, dir: config.paths.recordingDir, retentionDays: config.paths.recordingRetentionDays, log }).catch((err: unknown) => log.error({ err }, 'recording prune failed'));
  const pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
  prune();

  return {
    pool,
    hooks: workerAgentHooks(config, db, redis, pool),
    ami,
    presence,
    async close() {
      clearInterval(sweep);
      clearInterval(pruneTimer);
      offConnected();
      presence.stop();
      pool.close();
      await ami.close();
    },
  };
}

/** The dialer's agent hooks over this pool, with the `agents` config and a high-risk lease as long as a pacing slot's. */
export function workerAgentHooks(config: Config, db: Db, redis: Redis, pool: AgentPool | (BridgePool & { availableCount(): Promise<number> })): AgentHooks {
  return createAgentHooks({
    db,
    pool,
    settings: { ...config.agents, recordingDir: config.paths.recordingDir },
    capacity: createHighRiskCapacity(redis, config.queuePrefix, HIGH_RISK_LEASE_MS),
  });
}
