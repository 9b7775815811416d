import { Type } from '@sinclair/typebox';
import type { AgentsApiDeps } from '../agents/agents.runtime.js';
import { dtlsCert, generateSipPassword, generateSipUsername, pushAgent, removeAgent, sipMd5 } from '../agents/agent.provision.js';
import { getAgent, insertAgent, listAgents, revokeAgentKeys, softDeleteAgent, type AgentRow } from '../agents/agents.repo.js';
import { AppError, ConflictError, NotFoundError } from '../shared/errors.js';
import { withTransaction, type Queryable } from '../store/db.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { audit } from '../audit/audit.js';
import { ForbiddenError, requireRole } from '../auth/auth.js';
import { createApiKey } from '../auth/keys.repo.js';
import type { Principal } from '../auth/roles.js';
import { ErrorResponses, IdParams, Nullable } from './schemas.js';

const closed = { additionalProperties: false } as const;

/** What the agent answers on (`agents.softphone`). */
const Softphone = Type.Union([Type.Literal('sip'), Type.Literal('webrtc')]);

export const AgentResponse = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    sipUsername: Type.String(),
    softphone: Type.Union(Softphone.anyOf, { description: "a SIP phone, or the console's browser phone (WebRTC)" }),
    state: Type.String(),
    pauseReason: Nullable(Type.String()),
    stateSince: Type.String({ format: 'date-time' }),
    loggedIn: Type.Boolean(),
    registered: Type.Boolean(),
    routable: Type.Boolean({ description: 'registered, logged in and available: calls may be offered' }),
    currentAttemptId: Nullable(Type.String()),
    wrapUpUntil: Nullable(Type.String({ format: 'date-time' })),
    lastCallEndedAt: Nullable(Type.String({ format: 'date-time' })),
    createdAt: Type.String({ format: 'date-time' }),
  },
  closed,
);

const CreatedResponse = Type.Object(
  {
    agent: AgentResponse,
    sip: Type.Object({ username: Type.String(), password: Type.String({ description: 'shown once, never stored' }), realm: Type.String() }, closed),
    apiKey: Type.Object({ id: Type.Integer(), key: Type.String({ description: 'agent-role key bound to this agent; shown once' }) }, closed),
  },
  closed,
);

export function agentJson(a: AgentRow, now = new Date()) {
  const wrapUpOver = a.state === 'wrap_up' && a.wrapUpUntil !== null && a.wrapUpUntil <= now;
  const state = wrapUpOver ? 'available' : a.state;
  return {
    id: a.id,
    name: a.name,
    sipUsername: a.sipUsername,
    softphone: a.softphone,
    state,
    pauseReason: a.pauseReason,
    stateSince: (wrapUpOver ? a.wrapUpUntil! : a.stateSince).toISOString(),
    loggedIn: a.loggedIn,
    registered: a.registered,
    routable: a.registered && a.loggedIn && state === 'available',
    currentAttemptId: wrapUpOver ? null : a.currentAttemptId,
    wrapUpUntil: wrapUpOver ? null : (a.wrapUpUntil?.toISOString() ?? null),
    lastCallEndedAt: a.lastCallEndedAt?.toISOString() ?? null,
    createdAt: a.createdAt.toISOString(),
  };
}

/** Agents act on themselves only; supervisors and admins on anyone. `me` is the caller's own id. */
export function resolveAgentId(p: Principal, raw: string): number {
  if (raw === 'me') {
    if (p.agentId === null) throw new AppError('not_an_agent', 'this key is not bound to an agent; use the agent id', 403);
    return p.agentId;
  }
  const id = Number(raw);
  if (p.role === 'agent' && p.agentId !== id) throw new ForbiddenError(p.role, ['admin', 'supervisor']);
  return id;
}

export const AgentIdParams = Type.Object(
  { id: Type.String({ pattern: '^(me|[1-9][0-9]{0,15})$', description: 'agent id, or `me` with an agent key' }) },
  closed,
);

export async function loadAgent(q: Queryable, id: number): Promise<AgentRow> {
  const a = await getAgent(q, id);
  if (!a) throw new NotFoundError('agent', id);
  return a;
}

export function agentsDeps(deps: ApiDeps): AgentsApiDeps {
  if (!deps.agents) throw new AppError('agents_unavailable', 'this API process runs without the agents module (no Asterisk/Redis configured)', 503);
  return deps.agents;
}

/** Agent provisioning: the row, its PJSIP objects in Asterisk and its API key, all or nothing. */
export async function agentsRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const { context, sipRealm } = deps.config.agents;

  app.post(
    '/v1/agents',
    {
      preHandler: requireRole('supervisor'),
      schema: {
        tags: ['agents'],
        summary: 'Create an agent: its SIP endpoint in Asterisk and an agent API key (credentials shown once)',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            sipUsername: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$', description: 'generated when absent' })),
            softphone: Type.Optional(
              Type.Union(Softphone.anyOf, {
                description: "`sip` (default): a SIP phone over UDP; `webrtc`: the browser phone of the console's agent desk (SIP over WebSocket, DTLS-SRTP)",
              }),
            ),
          },
          closed,
        ),
        response: { 201: CreatedResponse, ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const { sip } = agentsDeps(deps);
      const sipUsername = req.body.sipUsername ?? generateSipUsername();
      const password = generateSipPassword();
      const md5 = sipMd5(sipUsername, sipRealm, password);
      let pushed = false;
      try {
        // Asterisk is told inside the transaction: a refused push rolls the row back, and a
        // failed commit removes what was pushed, so neither side keeps half an agent.
        const out = await withTransaction(deps.db, async (c) => {
          const softphone = req.body.softphone ?? 'sip';
          const agent = await insertAgent(c, { name: req.body.name, sipUsername, sipMd5: md5, sipRealm, softphone });
          const key = await createApiKey(c, { name: `agent-${agent.id}`, role: 'agent', agentId: agent.id });
          await audit(c, req.principal, 'agent.create', { type: 'agent', id: agent.id }, { sipUsername, softphone, apiKeyId: key.row.id });
          await pushAgent(sip, { id: agent.id, sipUsername, sipMd5: md5, sipRealm, softphone }, context, dtlsCert(deps.config.agents.webrtc));
          pushed = true;
          return { agent, key };
        });
        req.log.info({ agentId: out.agent.id }, 'agent created');
        return reply.status(201).send({
          agent: agentJson(out.agent),
          sip: { username: sipUsername, password, realm: sipRealm },
          apiKey: { id: out.key.row.id, key: out.key.key },
        });
      } catch (err) {
        if (pushed)
          await removeAgent(sip, sipUsername).catch((e: unknown) => req.log.error({ err: e }, 'agent SIP config left in Asterisk after a failed create'));
        if (err instanceof AppError && err.code === 'conflict')
          throw new ConflictError('sip_username_taken', 'an agent with this SIP user name exists', { sipUsername });
        throw err;
      }
    },
  );

  app.get(
    '/v1/agents',
    {
      preHandler: requireRole('supervisor', 'operator', 'viewer'),
      schema: {
        tags: ['agents'],
        summary: 'List agents with their live state',
        response: { 200: Type.Object({ items: Type.Array(AgentResponse) }, closed), ...ErrorResponses },
      },
    },
    async () => ({ items: (await listAgents(deps.db)).map((a) => agentJson(a)) }),
  );

  app.get(
    '/v1/agents/:id',
    {
      preHandler: requireRole('supervisor', 'operator', 'viewer', 'agent'),
      schema: {
        tags: ['agents'],
        summary: 'One agent (an agent key sees only its own, or `me`)',
        params: AgentIdParams,
        response: { 200: AgentResponse, ...ErrorResponses },
      },
    },
    async (req) => agentJson(await loadAgent(deps.db, resolveAgentId(req.principal, req.params.id))),
  );

  app.delete(
    '/v1/agents/:id',
    {
      preHandler: requireRole('supervisor'),
      schema: {
        tags: ['agents'],
        summary: 'Delete an offline agent: its SIP endpoint leaves Asterisk, its API keys are revoked',
        params: IdParams,
        response: { 204: Type.Null(), ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const { sip } = agentsDeps(deps);
      await withTransaction(deps.db, async (c) => {
        const before = await getAgent(c, req.params.id, { forUpdate: true });
        if (!before) throw new NotFoundError('agent', req.params.id);
        const gone = await softDeleteAgent(c, req.params.id);
        if (!gone) throw new ConflictError('agent_not_offline', `agent is ${before.state}; log it out first`, { state: before.state });
        const keysRevoked = await revokeAgentKeys(c, req.params.id);
        await audit(c, req.principal, 'agent.delete', { type: 'agent', id: req.params.id }, { sipUsername: before.sipUsername, keysRevoked });
        // Last: if Asterisk refuses, the row and keys stay as they were and the caller can retry.
        await removeAgent(sip, before.sipUsername);
      });
      return reply.status(204).send(null);
    },
  );
}
