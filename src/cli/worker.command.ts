import { once } from 'node:events';
import type { Deps } from '../deps.js';
import { createAriClient } from '../dialer/ari.client.js';
import { ariPortFrom } from '../dialer/ari-port.adapter.js';
import { createServerSet } from '../dialer/asterisk-servers.js';
import { startDialWorker } from '../scheduler/worker.runtime.js';
import { dialWorkerOptions } from '../scheduler/worker.options.js';
import { openCampaignEvents } from '../scheduler/campaign-events.js';
import { startScheduleRunner } from '../schedules/schedule.jobs.js';
import { startWorkerAgents } from '../agents/agents.runtime.js';
import { createWorkerMetrics, watchServers } from '../observability/worker-metrics.js';
import { startWorkerHttp } from '../observability/worker-http.js';
import { warnIfRedisUnsafe } from '../scheduler/redis-config.js';
import { startRiskRunner } from '../risk/risk.jobs.js';
import { startMessaging } from '../messaging/messaging.runtime.js';
import { startPlanWorker } from '../scheduler/plan.worker.js';
import { startPromptPrune } from '../prompts/prompt.prune.js';

/**
 * `ringwise worker`: one Stasis app on every configured Asterisk server, the dial and campaign
 * queues, and its own HTTP endpoint (/healthz, /readyz, /metrics), until SIGTERM or SIGINT. On a
 * signal it stops taking jobs (a job that has not dialled yet goes back to the queue), lets live
 * calls end (hanging up what is left after RINGWISE_DRAIN_SECONDS, retried as lost) and closes.
 */
export async function runWorker(deps: Deps, signal?: AbortSignal): Promise<void> {
  const { config, log, db, redis, metrics } = deps;
  await redis.connect();
  await warnIfRedisUnsafe(redis, log);
  const wm = createWorkerMetrics(metrics);
  const clients = config.asterisk.servers.map((s) => ({
    server: s,
    client: createAriClient({
      url: s.ari.url,
      user: s.ari.user,
      password: s.ari.password,
      app: config.ari.app,
      log: log.child({ server: s.name }),
      requestTimeoutMs: config.dialer.ariTimeoutMs,
    }),
  }));
  // Agents (pool, AMI presence, re-push at each ARI connect) are listening before the first connect.
  const agents = startWorkerAgents({ config, db, redis, log, servers: clients.map((c) => ({ name: c.server.name, ari: c.client, ami: c.server.ami })) });
  const servers = createServerSet({
    servers: clients.map((c) => ({ name: c.server.name, capacity: c.server.capacity, ari: ariPortFrom(c.client) })),
    redis,
    prefix: config.queuePrefix,
    log,
    onOriginated: (server) => wm.originated.inc({ server }),
    agentEndpoint: (endpoint, server) => agents.agentEndpoint(endpoint, server),
  });
  // The loops keep reconnecting after a timeout; the worker starts paused until one connects.
  await Promise.all(
    clients.map((c) =>
      c.client.connect({ timeoutMs: 10_000 }).catch((err: unknown) => log.warn({ err, server: c.server.name }, 'ARI not reachable yet; dialing waits for it')),
    ),
  );
  const worker = await startDialWorker({ ...dialWorkerOptions(config, { db, redis, log, ari: servers, agents: agents.hooks }), metrics: wm });
  // A server gone for good: its calls end as lost now, not when it comes back.
  servers.onServerLost((_name, attemptIds) => worker.dialer.endLost(attemptIds));
  const names = config.asterisk.servers.map((s) => s.name);
  watchServers(wm, { names, liveCalls: () => servers.liveCalls(), ariUp: (n) => servers.isServerConnected(n), amiUp: (n) => agents.amiConnected(n) });
  const readiness: Record<string, () => Promise<unknown>> = { postgres: () => db.query('SELECT 1'), redis: () => redis.ping() };
  for (const c of clients) {
    readiness[`ari:${c.server.name}`] = async () => {
      if (!c.client.isConnected) throw new Error('ARI websocket not connected');
    };
    readiness[`ami:${c.server.name}`] = () => agents.amiPing(c.server.name);
  }
  const http = await startWorkerHttp({ host: config.worker.httpHost, port: config.worker.httpPort, metrics, readiness, log });

  // Nightly runs: every enabled schedule is (re-)registered under its stable id at each start.
  const { events, close: closeEvents } = openCampaignEvents(redis, config.queuePrefix, log);
  const schedules = await startScheduleRunner({
    db,
    redis,
    log,
    prefix: config.queuePrefix,
    policyProfile: config.policyProfile,
    onLaunched: (id, state) =>
      events.campaignStateChanged(id, state).catch((err: unknown) => log.error({ err, campaignId: id }, 'campaignStateChanged hook failed')),
  });
  // The nightly risk rescore (a job scheduler with a stable id) and the SMPP bind / SMTP transport.
  const risk = await startRiskRunner({
    deps: { db, log, scorecard: config.risk.scorecard },
    redis,
    prefix: config.queuePrefix,
    cron: config.risk.nightlyCron,
    timeZone: config.risk.timeZone,
  });
  const messaging = startMessaging(config, db, log);
  const promptPrune = startPromptPrune({ db, promptDir: config.paths.promptDir, retentionHours: config.paths.promptRetentionHours, log });
  // Contact plans: their messages through this SMPP bind / SMTP transport, their calls as dial jobs.
  const plans = startPlanWorker(
    { db, log, queues: worker.queues, messaging: messaging.deps, scorecard: config.risk.scorecard },
    { redis, prefix: config.queuePrefix, log },
  );
  // After a Redis data loss the reconciler rebuilds the queues; the job schedulers too.
  worker.onRedisLoss(async () => {
    await schedules.reregister();
    await risk.reregister();
  });
  log.info({ app: config.ari.app, workerId: config.dialer.workerId, prefix: config.queuePrefix, servers: names, httpPort: http.port }, 'worker running');

  const stop = new AbortController();
  const onSignal = (sig: string) => {
    log.info({ sig }, 'worker stopping: no new calls, letting live calls end');
    stop.abort();
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  signal?.addEventListener('abort', () => stop.abort(), { once: true });
  await once(stop.signal, 'abort');

  await schedules.close();
  promptPrune.close();
  await risk.close();
  await plans.close();
  await worker.close(config.dialer.drainSeconds * 1000);
  await messaging.close();
  await agents.close();
  await closeEvents();
  servers.close();
  await Promise.all(clients.map((c) => c.client.close()));
  await http.close();
  await deps.close();
  log.info('worker stopped');
}
