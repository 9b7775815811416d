import { Type } from '@sinclair/typebox';
import { dtlsCert, generateSipPassword, pushAgent, sipMd5 } from '../agents/agent.provision.js';
import { getProvision, setSipMd5 } from '../agents/agents.repo.js';
import { audit } from '../audit/audit.js';
import { requireRole } from '../auth/auth.js';
import { AppError, NotFoundError } from '../shared/errors.js';
import { withTransaction } from '../store/db.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { AgentIdParams, agentsDeps, resolveAgentId } from './agents.routes.js';
import { ErrorResponses, NoBody } from './schemas.js';

const closed = { additionalProperties: false } as const;

const SoftphoneCredentials = Type.Object(
  {
    wsUrl: Type.String({ description: 'the SIP-over-WebSocket URL to register to' }),
    uri: Type.String({ description: 'the SIP address to register (sip:<username>@<host of wsUrl>)' }),
    username: Type.String(),
    password: Type.String({ description: 'fresh for this request; the previous one stops working' }),
    realm: Type.String(),
    iceServers: Type.Array(Type.String(), { description: 'STUN URLs for the browser' }),
  },
  closed,
);

/**
 * The browser phone's credentials, for the signed-in agent only. Supervisors saw the SIP password
 * once, at creation; the browser gets its own instead: every call of this route makes a new
 * password, stores only its md5 (as at creation) and pushes it to Asterisk, so a credential lives
 * as long as the browser session that asked for it, another tab's phone stops registering, and
 * nothing but the agent's own session ever sees one. `cache-control: no-store`; never logged.
 */
export async function softphoneRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const { context, webrtc } = deps.config.agents;

  app.post(
    '/v1/agents/:id/softphone',
    {
      preHandler: requireRole('agent'),
      schema: {
        tags: ['agents'],
        summary: "New credentials for the agent's own browser phone (WebRTC agents; `me` or its own id)",
        params: AgentIdParams,
        body: NoBody,
        response: { 200: SoftphoneCredentials, ...ErrorResponses },
      },
    },
    async (req, reply) => {
      // Whose phone first: another agent's id is 403 whatever the configuration.
      const id = resolveAgentId(req.principal, req.params.id);
      if (!webrtc.wsUrl) throw new AppError('softphone_disabled', 'the browser phone is not configured (RINGWISE_WEBRTC_WS_URL)', 409);
      const { sip } = agentsDeps(deps);
      const password = generateSipPassword();
      const agent = await withTransaction(deps.db, async (c) => {
        const a = await getProvision(c, id);
        if (!a) throw new NotFoundError('agent', id);
        if (a.softphone !== 'webrtc') throw new AppError('not_a_webrtc_agent', 'this agent answers on a SIP phone, not in the browser', 409);
        const md5 = sipMd5(a.sipUsername, a.sipRealm, password);
        await setSipMd5(c, id, md5);
        await audit(c, req.principal, 'agent.softphone_credentials', { type: 'agent', id }, {});
        // Inside the transaction: if Asterisk refuses, the stored md5 stays the one it has.
        await pushAgent(sip, { ...a, sipMd5: md5 }, context, dtlsCert(webrtc));
        return a;
      });
      reply.header('cache-control', 'no-store');
      return {
        wsUrl: webrtc.wsUrl,
        uri: `sip:${agent.sipUsername}@${new URL(webrtc.wsUrl).hostname}`,
        username: agent.sipUsername,
        password,
        realm: agent.sipRealm,
        iceServers: [...webrtc.iceServers],
      };
    },
  );
}
