import Fastify from 'fastify';
import type { Logger } from '../shared/logger.js';
import { CONTENT_TYPE, type Metrics } from './metrics.js';
import { runReadiness, type ReadinessChecks } from './readiness.js';

export interface WorkerHttp {
  /** The bound port (useful when 0 was asked for). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The worker's own small HTTP endpoint, for orchestrators and Prometheus: `/healthz` (the process
 * answers), `/readyz` (ARI and AMI of every Asterisk server, Redis, PostgreSQL; 503 with the
 * failing ones named) and `/metrics`. Unauthenticated like the API's: bind it to a private address.
 */
export async function startWorkerHttp(o: { host: string; port: number; metrics: Metrics; readiness: ReadinessChecks; log: Logger }): Promise<WorkerHttp> {
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const { ok, checks } = await runReadiness(o.readiness);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not_ready', checks });
  });
  app.get('/metrics', async (_req, reply) => reply.type(CONTENT_TYPE).send(await o.metrics.render()));
  await app.listen({ host: o.host, port: o.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  o.log.info({ host: o.host, port }, 'worker http listening (/healthz, /readyz, /metrics)');
  return { port, close: () => app.close() };
}
