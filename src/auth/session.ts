import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';
import type { Principal } from './roles.js';
import { findActiveSession } from './session.repo.js';

/** The console's session cookie: HttpOnly, SameSite=Strict, Secure over TLS (see setSessionCookie). */
export const SESSION_COOKIE = 'rw_session';
export const CSRF_HEADER = 'x-csrf-token';

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The CSRF token is derived from the session token, which the page cannot read (HttpOnly): only
 * a page that was told it by the API (same origin) can send it back. Nothing more is stored.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('ringwise-csrf').digest('base64url');
}

export class CsrfError extends AppError {
  constructor() {
    super('csrf_failed', `a change made with a session cookie needs the ${CSRF_HEADER} header the sign-in returned`, 403);
    this.name = 'CsrfError';
  }
}

/** The session token from the Cookie header, if any. */
export function sessionTokenOf(req: FastifyRequest): string | null {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const v = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{20,100}$/.test(v) ? v : null;
    }
  }
  return null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The caller behind a session cookie, or null without one. Every unsafe method must carry the
 * CSRF header (SameSite=Strict already keeps other sites' requests from carrying the cookie;
 * this is the second lock).
 */
export async function principalFromSession(q: Queryable, req: FastifyRequest): Promise<Principal | null> {
  const token = sessionTokenOf(req);
  if (!token) return null;
  const s = await findActiveSession(q, hashSessionToken(token));
  if (!s) return null;
  if (!SAFE_METHODS.has(req.method)) {
    const sent = req.headers[CSRF_HEADER];
    const want = Buffer.from(csrfTokenFor(token));
    if (typeof sent !== 'string' || sent.length !== want.length || !timingSafeEqual(Buffer.from(sent), want)) throw new CsrfError();
  }
  return { keyId: s.keyId, role: s.role, agentId: s.agentId };
}

/** Secure when the request came over TLS (directly or through a proxy Fastify trusts) or when configured. */
export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string, maxAgeSeconds: number, forceSecure: boolean): void {
  const secure = forceSecure || req.protocol === 'https';
  const attrs = [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`];
  if (secure) attrs.push('Secure');
  reply.header('set-cookie', attrs.join('; '));
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
}
