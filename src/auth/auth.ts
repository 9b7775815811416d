import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, preHandlerHookHandler } from 'fastify';
import { AppError } from '../shared/errors.js';
import type { Db } from '../store/db.js';
import { findActiveKeyByHash, hashApiKey, KEY_PREFIX, touchApiKey } from './keys.repo.js';
import type { Principal, Role } from './roles.js';
import { principalFromSession } from './session.js';

export type { Principal, Role } from './roles.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The caller, set by `requireRole` before the handler runs. Only routes that declare
     * `preHandler: requireRole(...)` may read it; elsewhere it is null.
     */
    principal: Principal;
  }
  interface FastifyInstance {
    /** Resolves the bearer key of a request into its principal (401 when missing or unknown). */
    authenticate(req: FastifyRequest): Promise<Principal>;
    /** `"METHOD /path"` → the roles its requireRole lists: what the console asks to show only allowed controls. */
    routeRoles: Map<string, readonly Role[]>;
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'a valid API key is required (Authorization: Bearer <key>)') {
    super('unauthorized', message, 401);
    this.name = 'UnauthorizedError';
  }
}

export class ForbiddenError extends AppError {
  constructor(role: Role, allowed: readonly Role[]) {
    super('forbidden', `role ${role} may not do this`, 403, { role, allowed });
    this.name = 'ForbiddenError';
  }
}

const ROLES_TAG = Symbol('ringwise.roles');
type TaggedHook = preHandlerHookHandler & { [ROLES_TAG]?: readonly Role[] };

/** The routes (`"METHOD /path"`) a principal may call: one source of truth with the checks themselves. */
export function allowedRoutes(routeRoles: ReadonlyMap<string, readonly Role[]>, p: Pick<Principal, 'role'>): string[] {
  return [...routeRoles]
    .filter(([, roles]) => p.role === 'admin' || roles.includes(p.role))
    .map(([r]) => r)
    .sort();
}

function check(principal: Principal, allowed: readonly Role[]): void {
  if (principal.role !== 'admin' && !allowed.includes(principal.role)) throw new ForbiddenError(principal.role, allowed);
}

async function resolve(req: FastifyRequest, reply: FastifyReply, allowed: readonly Role[]): Promise<void> {
  // Set once per request: the early onRequest check and the preHandler share the lookup.
  if (!req.principal) {
    try {
      req.principal = await req.server.authenticate(req);
    } catch (err) {
      if (err instanceof UnauthorizedError) reply.header('www-authenticate', 'Bearer');
      throw err;
    }
  }
  check(req.principal, allowed);
}

/**
 * The role check every route declares: `preHandler: requireRole('admin', 'operator')`. Admin
 * passes every check. Routes using it are also checked in `onRequest` (see `installAuth`), so
 * a caller without a valid key is refused before its body is read or validated.
 */
export function requireRole(...roles: Role[]): preHandlerHookHandler {
  const allowed = Object.freeze([...roles]);
  const hook: TaggedHook = async function requireRoleHook(req: FastifyRequest, reply: FastifyReply) {
    await resolve(req, reply, allowed);
  };
  hook[ROLES_TAG] = allowed;
  return hook;
}

function rolesOf(hooks: unknown): readonly Role[] | undefined {
  const list = Array.isArray(hooks) ? hooks : hooks ? [hooks] : [];
  for (const h of list) {
    const roles = (h as TaggedHook)[ROLES_TAG];
    if (roles) return roles;
  }
  return undefined;
}

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}

/**
 * Decorates the app with `authenticate` and `req.principal`, and moves every `requireRole`
 * check forward to `onRequest`. Must be installed before any route is registered.
 */
export function installAuth(app: Pick<FastifyInstance, 'decorateRequest' | 'decorate' | 'addHook'>, db: Db): void {
  app.decorateRequest('principal', null as unknown as Principal);
  const routeRoles = new Map<string, readonly Role[]>();
  app.decorate('routeRoles', routeRoles);
  app.decorate('authenticate', async (req: FastifyRequest): Promise<Principal> => {
    const key = bearer(req);
    // No Authorization header: the console's session cookie (with its CSRF check) may stand in.
    if (!key && req.headers.authorization === undefined) {
      const fromSession = await principalFromSession(db, req);
      if (fromSession) return fromSession;
    }
    if (!key || !key.startsWith(KEY_PREFIX) || key.length > 100) throw new UnauthorizedError();
    const found = await findActiveKeyByHash(db, hashApiKey(key));
    if (!found) throw new UnauthorizedError('unknown or revoked API key');
    if (!found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() > 60_000) await touchApiKey(db, found.keyId);
    return { keyId: found.keyId, role: found.role, agentId: found.agentId };
  });
  app.addHook('onRoute', (route) => {
    const roles = rolesOf(route.preHandler);
    if (!roles) return;
    for (const m of Array.isArray(route.method) ? route.method : [route.method]) if (m !== 'HEAD') routeRoles.set(`${m} ${route.url}`, roles);
    const early: onRequestHookHandler = async function authenticateEarly(req, reply) {
      await resolve(req, reply, roles);
    };
    const existing = route.onRequest ? (Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]) : [];
    route.onRequest = [early, ...existing];
    // The OpenAPI document says who may call each route (docs register their hook after this one).
    if (route.schema) {
      const who = `Roles: admin, ${roles.filter((r) => r !== 'admin').join(', ')}.`.replace(', .', '.');
      const description = (route.schema as { description?: string }).description;
      route.schema = { ...route.schema, description: description ? `${description}\n\n${who}` : who };
    }
  });
}
