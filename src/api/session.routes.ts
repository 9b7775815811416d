import { Type } from '@sinclair/typebox';
import { deleteStaleSessions, insertSession, revokeSession } from '../auth/session.repo.js';
import { clearSessionCookie, csrfTokenFor, hashSessionToken, newSessionToken, sessionTokenOf, setSessionCookie } from '../auth/session.js';
import { withTransaction } from '../store/db.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { audit } from '../audit/audit.js';
import { allowedRoutes, requireRole, UnauthorizedError } from '../auth/auth.js';
import { findActiveKeyByHash, hashApiKey, KEY_PREFIX } from '../auth/keys.repo.js';
import { ROLES } from '../auth/roles.js';
import { ErrorResponses, Nullable, StringEnum } from './schemas.js';

const SessionResponse = Type.Object(
  {
    role: StringEnum(ROLES),
    agentId: Nullable(Type.Integer()),
    csrfToken: Nullable(Type.String({ description: 'send as x-csrf-token on every change made with the cookie; null when signed in by bearer key' })),
    expiresAt: Nullable(Type.String({ format: 'date-time' })),
    allowed: Type.Array(Type.String(), { description: 'the routes ("METHOD /path") this role may call: what the console shows' }),
  },
  { additionalProperties: false },
);

const NoBody = Type.Unsafe<Record<string, never> | undefined>({ additionalProperties: false, maxProperties: 0, description: 'no body, or {}' });

/** The console's sign-in: an API key exchanged for an HttpOnly session cookie; sign-out revokes it. */
export async function sessionRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const ttlSeconds = Math.round(deps.config.console.sessionHours * 3600);

  app.post(
    '/v1/session',
    {
      schema: {
        tags: ['session'],
        operationId: 'createSession',
        summary: 'Sign in to the console: exchanges an API key for a session cookie (HttpOnly, SameSite=Strict) and a CSRF token',
        security: [],
        body: Type.Object({ apiKey: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 201: SessionResponse, ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const key = req.body.apiKey.trim();
      const found = key.startsWith(KEY_PREFIX) ? await findActiveKeyByHash(deps.db, hashApiKey(key)) : null;
      if (!found) throw new UnauthorizedError('unknown or revoked API key');
      const token = newSessionToken();
      const s = await withTransaction(deps.db, async (tx) => {
        await deleteStaleSessions(tx);
        const row = await insertSession(tx, { tokenHash: hashSessionToken(token), keyId: found.keyId, ttlSeconds });
        await audit(tx, found, 'session.open', { type: 'console_session', id: row.id });
        return row;
      });
      setSessionCookie(req, reply, token, ttlSeconds, deps.config.console.secureCookie);
      return reply.status(201).send({
        role: found.role,
        agentId: found.agentId,
        csrfToken: csrfTokenFor(token),
        expiresAt: s.expiresAt.toISOString(),
        allowed: allowedRoutes(app.routeRoles, found),
      });
    },
  );

  app.get(
    '/v1/session',
    {
      preHandler: requireRole('operator', 'supervisor', 'agent', 'viewer'),
      schema: {
        tags: ['session'],
        operationId: 'getSession',
        summary: 'Who is signed in, and the CSRF token of this session',
        response: { 200: SessionResponse, ...ErrorResponses },
      },
    },
    async (req) => {
      const token = sessionTokenOf(req);
      const csrfToken = token && !req.headers.authorization ? csrfTokenFor(token) : null;
      return { role: req.principal.role, agentId: req.principal.agentId, csrfToken, expiresAt: null, allowed: allowedRoutes(app.routeRoles, req.principal) };
    },
  );

  app.delete(
    '/v1/session',
    {
      preHandler: requireRole('operator', 'supervisor', 'agent', 'viewer'),
      schema: {
        tags: ['session'],
        operationId: 'deleteSession',
        summary: 'Sign out: the session is revoked in the database and its cookie cleared',
        body: NoBody,
        response: { 204: Type.Null(), ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const token = sessionTokenOf(req);
      if (token) {
        await withTransaction(deps.db, async (tx) => {
          if (await revokeSession(tx, hashSessionToken(token))) await audit(tx, req.principal, 'session.close', null);
        });
      }
      clearSessionCookie(reply);
      return reply.status(204).send(null);
    },
  );
}
