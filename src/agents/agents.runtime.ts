import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { createAriHttp } from '../dialer/ari.http.js';
import { createAriRest } from '../dialer/ari.rest.js';
import type { AriClient } from '../dialer/ari.client.js';
import type { Logger } from '../shared/logger.js';
import type { Db } from '../store/db.js';
import { createAmiClient } from './ami.client.js';
import { createAgentEventHub, type AgentEventHub } from './agent.events-hub.js';
import type { SipConfigPort } from './agent.provision.js';
import { createAgentPool, type AgentPool } from './agent-pool.js';
import type { BridgePool } from './bridge.session.js';
import { startPresence } from './agent.presence.js';
import { dtlsCert, repushAllAgents } from './agent.provision.js';
import { pruneRecordings } from './recording.prune.js';
import { createAgentHooks } from './agent-hooks.js';
import { createHighRiskCapacity } from './agent-pacing.js';
import { createAbandonGuard, type AbandonGuard } from './abandon-guard.js';
import type { AgentHooks } from '../dialer/ports.js';
import { agentServer } from './agents.repo.js';

/** The PJSIP endpoint on each server that reaches another server: `ringwise-peer-<its name>` (asterisk-config/pjsip.conf). */
export const PEER_ENDPOINT_PREFIX = 'ringwise-peer-';

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
  void repushAllAgents(db, sip, config.agents.context, log, dtlsCert(config.agents.webrtc)).catch((err: unknown) =>
    log.warn({ err }, 'agent re-push at API start failed'),
  );
  return { deps: { sip, redis, hub, prefix: config.queuePrefix }, close: () => hub.close() };
}

/** One Asterisk server as the agents side sees it: its ARI client (re-push) and AMI address (presence). */
export interface WorkerAsterisk {
  name: string;
  ari: AriClient;
  ami: Config['ami'];
}

export interface WorkerAgentsRuntime {
  pool: AgentPool;
  /** What the dialer is given at construction: the hand-off and the high-risk pacing. */
  hooks: AgentHooks;
  /** Whether this server's AMI is logged in (readiness, metrics). */
  amiConnected(server: string): boolean;
  /** Readiness: resolves while the server's AMI is logged in. */
  amiPing(server: string): Promise<void>;
  /**
   * Where an agent leg is dialed from `server`: the agent's own endpoint when its phone is
   * registered there (or nobody knows where), else through the trunk to the server it is on.
   */
  agentEndpoint(endpoint: string, server: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The worker side: the pool the bridge claims agents from, registration state from each
 * server's AMI, every agent pushed to each Asterisk at each ARI (re)connect (a softphone may
 * register to any of them), wrap-up sweeps and the recording prune.
 */
export function startWorkerAgents(o: { config: Config; db: Db; redis: Redis; log: Logger; servers: readonly WorkerAsterisk[] }): WorkerAgentsRuntime {
  const { config, db, redis, log } = o;
  const pool = createAgentPool({ db, redis, prefix: config.queuePrefix, wrapUpSeconds: config.agents.wrapUpSeconds, log });
  const names = new Set(o.servers.map((s) => s.name));
  const perServer = o.servers.map((s) => {
    const slog = log.child({ server: s.name });
    const repush = () =>
      void repushAllAgents(db, s.ari, config.agents.context, slog, dtlsCert(config.agents.webrtc)).catch((err: unknown) =>
        slog.warn({ err }, 'agent re-push failed'),
      );
    const offConnected = s.ari.on('connected', repush);
    if (s.ari.isConnected) repush();
    // Contact changes are `system` events; call events would be thousands a second under load.
    const ami = createAmiClient({ ...s.ami, log: slog, eventMask: 'system' });
    const presence = startPresence({ db, ami, redis, prefix: config.queuePrefix, log: slog, server: s.name });
    ami.connect({ timeoutMs: 10_000 }).catch((err: unknown) => slog.warn({ err }, 'AMI not reachable yet; agent presence waits for it'));
    return { name: s.name, ami, presence, offConnected };
  });
  const amiOf = (server: string) => perServer.find((p) => p.name === server)?.ami;

  const sweep = setInterval(() => void pool.sweepWrapUps().catch((err: unknown) => log.warn({ err }, 'wrap-up sweep failed')), WRAP_UP_SWEEP_MS);
  const prune = () =>
    void pruneRecordings({ db, dir: config.paths.recordingDir, retentionDays: config.paths.recordingRetentionDays, log }).catch((err: unknown) =>
      log.error({ err }, 'recording prune failed'),
    );
  const pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
  prune();

  // Its open pacing holds end with the worker.
  const abandon = createAbandonGuard({ db, workerId: config.dialer.workerId, defaultProfile: config.policyProfile });
  return {
    pool,
    hooks: workerAgentHooks(config, db, redis, pool, abandon),
    amiConnected: (server) => amiOf(server)?.isConnected ?? false,
    async amiPing(server) {
      if (!amiOf(server)?.isConnected) throw new Error('AMI not connected');
    },
    async agentEndpoint(endpoint, server) {
      const m = /^PJSIP\/([^@/]+)$/.exec(endpoint);
      if (!m || names.size < 2) return endpoint;
      const on = await agentServer(db, m[1]!);
      return on && on !== server && names.has(on) ? `PJSIP/${m[1]}@${PEER_ENDPOINT_PREFIX}${on}` : endpoint;
    },
    async close() {
      clearInterval(sweep);
      clearInterval(pruneTimer);
      for (const p of perServer) {
        p.offConnected();
        p.presence.stop();
      }
      pool.close();
      await abandon.close();
      await Promise.all(perServer.map((p) => p.ami.close()));
    },
  };
}

/** The dialer's agent hooks over this pool, with the `agents` config and a high-risk lease as long as a pacing slot's. */
export function workerAgentHooks(
  config: Config,
  db: Db,
  redis: Redis,
  pool: AgentPool | (BridgePool & { availableCount(): Promise<number> }),
  abandon: AbandonGuard = createAbandonGuard({ db, workerId: config.dialer.workerId, defaultProfile: config.policyProfile }),
): AgentHooks {
  return createAgentHooks({
    db,
    pool,
    settings: { ...config.agents, recordingDir: config.paths.recordingDir },
    capacity: createHighRiskCapacity(redis, config.queuePrefix, HIGH_RISK_LEASE_MS),
    abandon,
  });
}
