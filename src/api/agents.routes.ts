import { Type } from '@sinclair/typebox';
import type { AgentsApiDeps } from '../agents/agents.runtime.js';
import { dtlsCert, generateSipPassword, generateSipUsername, pushAgent, removeAgent, sipMd5 } from '../agents/agent.provision.js';
import { getAgent, getProvision, insertAgent, listAgents, revokeAgentKeys, setSipTransport, softDeleteAgent, type AgentRow } from '../agents/agents.repo.js';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { withTransaction, type Queryable } from '../store/db.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { audit } from '../audit/audit.js';
import { ForbiddenError, requireRole } from '../auth/auth.js';
import { createApiKey } from '../auth/keys.repo.js';
import type { Principal } from '../auth/roles.js';
import { ErrorResponses, IdParams, Nullable } from './schemas.js';

const closed = { additionalProperties: false } as const;

const SipTransportSchema = Type.Union([Type.Literal('udp'), Type.Literal('tls')], {
  description: '`tls`: the softphone must register over SIP-TLS and use SRTP (SDES); anything else is refused',
});
/** What the agent answers on (`agents.softphone`). */
const Softphone = Type.Union([Type.Literal('sip'), Type.Literal('webrtc')]);

export const AgentResponse = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    sipUsername: Type.String(),
    sipTransport: SipTransportSchema,
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
    sip: Type.Object(
      {
        username: Type.String(),
        password: Type.String({ description: 'shown once, never stored' }),
        realm: Type.String(),
        transport: Type.Union([...SipTransportSchema.anyOf, Type.Literal('ws')], { description: '`ws`: a browser phone (WebSocket, or wss behind the proxy)' }),
        mediaEncryption: Type.Union([Type.Literal('none'), Type.Literal('srtp'), Type.Literal('dtls-srtp')], {
          description: '`srtp`: SRTP with SDES keys, required; `dtls-srtp`: a browser phone (WebRTC)',
        }),
      },
      closed,
    ),
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
    sipTransport: a.sipTransport,
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
  const { context, sipRealm, defaultSipTransport } = deps.config.agents;

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
            transport: Type.Optional(
              Type.Union(SipTransportSchema.anyOf, {
                description: 'SIP phones only: default RINGWISE_AGENT_SIP_TRANSPORT; `tls` requires SIP over TLS and SRTP',
              }),
            ),
            softphone: Type.Optional(
              Type.Union(Softphone.anyOf, {
                description: "`sip` (default): a SIP phone; `webrtc`: the browser phone of the console's agent desk (SIP over WebSocket, DTLS-SRTP)",
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
      const softphone = req.body.softphone ?? 'sip';
      // A browser phone's transport is the WebSocket it registers on and its media always
      // DTLS-SRTP: a SIP transport means nothing for it (the column keeps 'udp', which presence
      // and provisioning ignore for browser phones).
      if (softphone === 'webrtc' && req.body.transport)
        throw new ValidationError('transport applies to SIP phones only', { field: 'transport' }, 'transport_not_for_webrtc');
      const sipTransport = softphone === 'webrtc' ? 'udp' : (req.body.transport ?? defaultSipTransport);
      const password = generateSipPassword();
      const md5 = sipMd5(sipUsername, sipRealm, password);
      let pushed = false;
      try {
        // Asterisk is told inside the transaction: a refused push rolls the row back, and a
        // failed commit removes what was pushed, so neither side keeps half an agent.
        const out = await withTransaction(deps.db, async (c) => {
          const agent = await insertAgent(c, { name: req.body.name, sipUsername, sipMd5: md5, sipRealm, sipTransport, softphone });
          const key = await createApiKey(c, { name: `agent-${agent.id}`, role: 'agent', agentId: agent.id });
          await audit(c, req.principal, 'agent.create', { type: 'agent', id: agent.id }, { sipUsername, sipTransport, softphone, apiKeyId: key.row.id });
          await pushAgent(sip, { id: agent.id, sipUsername, sipMd5: md5, sipRealm, sipTransport, softphone }, context, dtlsCert(deps.config.agents.webrtc));
          pushed = true;
          return { agent, key };
        });
        req.log.info({ agentId: out.agent.id }, 'agent created');
        return reply.status(201).send({
          agent: agentJson(out.agent),
          sip: {
            username: sipUsername,
            password,
            realm: sipRealm,
            transport: softphone === 'webrtc' ? 'ws' : sipTransport,
            mediaEncryption: softphone === 'webrtc' ? 'dtls-srtp' : sipTransport === 'tls' ? 'srtp' : 'none',
          },
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

  app.patch(
    '/v1/agents/:id',
    {
      preHandler: requireRole('supervisor'),
      schema: {
        tags: ['agents'],
        summary: "Change an offline agent's SIP transport (`tls`: SIP over TLS with SRTP required); its phone registers again",
        params: IdParams,
        body: Type.Object({ transport: SipTransportSchema }, closed),
        response: { 200: AgentResponse, ...ErrorResponses },
      },
    },
    async (req) => {
      const { sip } = agentsDeps(deps);
      const sipTransport = req.body.transport;
      const after = await withTransaction(deps.db, async (c) => {
        const before = await getAgent(c, req.params.id, { forUpdate: true });
        if (!before) throw new NotFoundError('agent', req.params.id);
        if (before.softphone === 'webrtc')
          throw new ConflictError('not_a_sip_phone', "a browser phone's transport is its WebSocket; only SIP phones have a SIP transport", {});
        if (before.sipTransport === sipTransport) return before;
        // Logged out first: the endpoint changes under a phone that must be reconfigured anyway.
        const row = await setSipTransport(c, req.params.id, sipTransport);
        if (!row) throw new ConflictError('agent_not_offline', `agent is ${before.state}; log it out first`, { state: before.state });
        await audit(c, req.principal, 'agent.update', { type: 'agent', id: row.id }, { sipTransport, was: before.sipTransport });
        // Last: if Asterisk refuses, the row stays as it was.
        await pushAgent(sip, (await getProvision(c, row.id))!, context, dtlsCert(deps.config.agents.webrtc));
        return row;
      });
      return agentJson(after);
    },
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
