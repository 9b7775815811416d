import { Type } from '@sinclair/typebox';
import { changeAgentState, publishAgentEvent, stateEvent, type AgentStreamEvent } from '../agents/agent.service.js';
import type { AgentEvent } from '../agents/agent.state.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { agentJson, AgentIdParams, AgentResponse, agentsDeps, loadAgent, resolveAgentId } from './agents.routes.js';
import { audit } from '../audit/audit.js';
import { requireRole } from '../auth/auth.js';
import { ErrorResponses, MediaResponse, NoBody } from './schemas.js';
import { eventStreams, type EventStreams } from './event-stream.js';

const closed = { additionalProperties: false } as const;
/** Proxies close idle connections after about a minute; a comment line keeps the stream alive. */
const HEARTBEAT_MS = 15_000;

type Action = 'login' | 'logout' | 'pause' | 'resume';

/**
 * An agent's own working state (login, pause, resume, logout; supervisors may do it for anyone)
 * and its live event stream (state changes, customer cards) as Server-Sent Events.
 */
export async function agentStateRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const streams = eventStreams(app);

  const act = (action: Action) =>
    app.post(
      `/v1/agents/:id/${action}`,
      {
        preHandler: requireRole('supervisor', 'agent'),
        schema: {
          tags: ['agents'],
          summary: `${action[0]!.toUpperCase()}${action.slice(1)} an agent (an agent key acts on itself: \`me\` or its own id)`,
          params: AgentIdParams,
          body: action === 'pause' ? Type.Object({ reason: Type.String({ minLength: 1, maxLength: 100 }) }, closed) : NoBody,
          response: { 200: AgentResponse, ...ErrorResponses },
        },
      },
      async (req) => {
        const id = resolveAgentId(req.principal, req.params.id);
        const event: AgentEvent = action === 'pause' ? { type: 'pause', reason: (req.body as { reason: string }).reason } : { type: action };
        const row = await changeAgentState(deps.db, id, event, {
          also: (c, before) => audit(c, req.principal, `agent.${action}`, { type: 'agent', id }, { from: before.state, self: req.principal.agentId === id }),
        });
        if (deps.agents) {
          const { redis, prefix } = deps.agents;
          await publishAgentEvent(redis, prefix, id, stateEvent(row)).catch((err: unknown) => req.log.warn({ err, agentId: id }, 'state event not published'));
        }
        return agentJson(row);
      },
    );
  for (const a of ['login', 'logout', 'pause', 'resume'] as const) act(a);

  app.get(
    '/v1/agents/:id/events',
    {
      preHandler: requireRole('supervisor', 'agent'),
      schema: {
        tags: ['agents'],
        summary: "The agent's live events as text/event-stream: `state` (first, then on every change), `presence`, `customer_card`; a comment every 15 s",
        params: AgentIdParams,
        response: { 200: MediaResponse('text/event-stream', 'Server-Sent Events until the client disconnects'), ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const { hub, heartbeatMs } = agentsDeps(deps);
      const id = resolveAgentId(req.principal, req.params.id);
      await loadAgent(deps.db, id);
      // Events that arrive before the stream is open wait here (none is lost between subscribe and open).
      let early: AgentStreamEvent[] | null = [];
      let stream: ReturnType<EventStreams['open']> | null = null;
      const send = (e: AgentStreamEvent) => (stream ? stream.send(e.type, e) : early?.push(e));
      // Subscribed before the current state is read, so no change falls between the two.
      const unsubscribe = await hub.subscribe(id, send);
      let current;
      try {
        current = await loadAgent(deps.db, id);
      } catch (err) {
        await unsubscribe();
        throw err;
      }
      stream = streams.open(reply);
      const { res } = stream;
      send({ ...stateEvent(current), state: agentJson(current).state, registered: current.registered, loggedIn: current.loggedIn, agentId: id });
      const heartbeat = setInterval(() => {
        if (!res.writableEnded) res.write(': ping\n\n');
      }, heartbeatMs ?? HEARTBEAT_MS);
      heartbeat.unref();
      for (const e of early ?? []) send(e);
      early = null;
      const done = () => {
        clearInterval(heartbeat);
        void unsubscribe();
      };
      res.on('close', done);
      req.log.info({ agentId: id }, 'agent event stream opened');
    },
  );
}
