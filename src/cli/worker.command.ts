import { once } from 'node:events';
import type { Deps } from '../deps.js';
import { createAriClient } from '../dialer/ari.client.js';
import { ariPortFrom } from '../dialer/ari-port.adapter.js';
import { startDialWorker } from '../scheduler/worker.runtime.js';
import { dialWorkerOptions } from '../scheduler/worker.options.js';
import { createQueues } from '../scheduler/queues.js';
import { createCampaignEvents } from '../scheduler/campaign-events.js';
import { startScheduleRunner } from '../schedules/schedule.jobs.js';
import { startWorkerAgents } from '../agents/agents.runtime.js';
import { warnIfRedisUnsafe } from '../scheduler/redis-config.js';
import { startRiskRunner } from '../risk/risk.jobs.js';
import { startMessaging } from '../messaging/messaging.runtime.js';

/**
 * `ringwise worker`: one ARI app, the dial and campaign queues, until SIGTERM or SIGINT. On a
 * signal it stops taking jobs (a job that has not dialled yet goes back to the queue), lets live
 * calls end (hanging up what is left after RINGWISE_DRAIN_SECONDS, retried as lost) and closes.
 */
export async function runWorker(deps: Deps, signal?: AbortSignal): Promise<void> {
  const { config, log, db, redis } = deps;
  await redis.connect();
  await warnIfRedisUnsafe(redis, log);
  const client = createAriClient({ url: config.ari.url, user: config.ari.user, password: config.ari.password, app: config.ari.app, log, requestTimeoutMs: config.dialer.ariTimeoutMs });
  const ari = ariPortFrom(client);
  // Agents (pool, AMI presence, re-push at each ARI connect) are listening before the first connect.
  const agents = startWorkerAgents({ config, db, redis, log, ari: client });
  // The loop keeps reconnecting after a timeout; the worker starts paused until it connects.
  await client.connect({ timeoutMs: 10_000 }).catch((err: unknown) => log.warn({ err }, 'ARI not reachable yet; dialing waits for it'));
  const worker = await startDialWorker(dialWorkerOptions(config, { db, redis, log, ari, agents: agents.hooks }));
  // Nightly runs: every enabled schedule is (re-)registered under its stable id at each start.
  const eventQueues = createQueues(redis, config.queuePrefix);
  const events = createCampaignEvents(eventQueues, redis, config.queuePrefix, log);
  const schedules = await startScheduleRunner({
    db,
    redis,
    log,
    prefix: config.queuePrefix,
    policyProfile: config.policyProfile,
    onLaunched: (id, state) => events.campaignStateChanged(id, state).catch((err: unknown) => log.error({ err, campaignId: id }, 'campaignStateChanged hook failed')),
  });
  // The nightly risk rescore (a job scheduler with a stable id) and the SMPP bind / SMTP transport.
  const risk = await startRiskRunner({ deps: { db, log, scorecard: config.risk.scorecard }, redis, prefix: config.queuePrefix, cron: config.risk.nightlyCron, timeZone: config.risk.timeZone });
  const messaging = startMessaging(config, db, log);
  // After a Redis data loss the reconciler rebuilds the queues; the job schedulers too.
  worker.onRedisLoss(async () => {
    await schedules.reregister();
    await risk.reregister();
  });
  log.info({ app: config.ari.app, workerId: config.dialer.workerId, prefix: config.queuePrefix }, 'worker running');

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
  await risk.close();
  await worker.close(config.dialer.drainSeconds * 1000);
  await messaging.close();
  await agents.close();
  await eventQueues.close();
  await client.close();
  await deps.close();
  log.info('worker stopped');
}
