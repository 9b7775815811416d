import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './api.types.js';

/** Liveness says the process answers; readiness says every dependency it needs answers too. */
export async function healthRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness: the process answers', security: [] } }, async () => ({ status: 'ok' }));

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: every dependency answers (503 naming the failing checks, without their errors, otherwise)',
        security: [],
      },
    },
    async (req, reply) => {
      const checks = await Promise.all(
        Object.entries(deps.readiness).map(async ([name, check]) => {
          try {
            await withTimeout(check(), 2000);
            return [name, 'ok'] as const;
          } catch (err) {
            // Unauthenticated: the reason goes to the log, the answer only says which one failed.
            req.log.warn({ err, dependency: name }, 'readiness check failed');
            return [name, 'failed'] as const;
          }
        }),
      );
      const ok = checks.every(([, s]) => s === 'ok');
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not_ready', checks: Object.fromEntries(checks) });
    },
  );
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}
