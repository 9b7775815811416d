import { Type } from '@sinclair/typebox';
import { listAgents } from '../agents/agents.repo.js';
import { requireRole } from '../auth/auth.js';
import { agentJson } from './agents.routes.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { eventStreams } from './event-stream.js';
import { ErrorResponses, MediaResponse } from './schemas.js';

const HEARTBEAT_MS = 15_000;

/**
 * `GET /v1/agents/live`: the agents board as Server-Sent Events. The board is read about once a
 * second and an `update` event (every agent's state, current call and state-since) goes out only
 * when something changed; the page counts the time in state itself. The database is read rather
 * than the per-agent Redis events because some changes (a wrap-up running out, a registration
 * lapsing) publish none.
 */
export async function agentsLiveRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const streams = eventStreams(app);

  app.get(
    '/v1/agents/live',
    {
      preHandler: requireRole('supervisor', 'operator', 'viewer'),
      schema: {
        tags: ['agents'],
        summary: 'The agents board as text/event-stream: an `update` event first and on every change (checked about once a second)',
        querystring: Type.Object(
          { intervalMs: Type.Optional(Type.Integer({ minimum: 250, maximum: 60_000, default: 1_000 })) },
          { additionalProperties: false },
        ),
        response: { 200: MediaResponse('text/event-stream', 'an `update` event on every change until the client disconnects'), ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const board = async () => (await listAgents(deps.db)).map((a) => agentJson(a));
      const first = await board();
      const { res, send } = streams.open(reply);
      let last = JSON.stringify(first);
      let quietSince = Date.now();
      send('update', { at: new Date().toISOString(), agents: first });
      let busy = false;
      const timer = setInterval(() => {
        if (busy || res.writableEnded) return;
        busy = true;
        board()
          .then((agents) => {
            const now = JSON.stringify(agents);
            if (now !== last) {
              last = now;
              quietSince = Date.now();
              send('update', { at: new Date().toISOString(), agents });
            } else if (Date.now() - quietSince >= HEARTBEAT_MS) {
              quietSince = Date.now();
              res.write(': ping\n\n');
            }
          })
          .catch((err: unknown) => req.log.warn({ err }, 'agents board tick failed'))
          .finally(() => (busy = false));
      }, req.query.intervalMs ?? 1_000);
      timer.unref();
      res.on('close', () => clearInterval(timer));
    },
  );
}
