import type { Queryable } from '../store/db.js';
import type { Role } from './roles.js';

/** A live console session joined with the key it was opened with (the key decides the role). */
export interface SessionPrincipal {
  sessionId: number;
  keyId: number;
  role: Role;
  agentId: number | null;
  expiresAt: Date;
}

export async function insertSession(q: Queryable, s: { tokenHash: string; keyId: number; ttlSeconds: number }): Promise<{ id: number; expiresAt: Date }> {
  const { rows } = await q.query<{ id: number; expiresAt: Date }>(
    `INSERT INTO console_sessions (token_hash, key_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
     RETURNING id, expires_at AS "expiresAt"`,
    [s.tokenHash, s.keyId, s.ttlSeconds],
  );
  return rows[0]!;
}

/** The session, only while it is unexpired, unrevoked and its key is unrevoked. */
export async function findActiveSession(q: Queryable, tokenHash: string): Promise<SessionPrincipal | null> {
  const { rows } = await q.query<SessionPrincipal>(
    `SELECT s.id AS "sessionId", k.id AS "keyId", k.role, k.agent_id AS "agentId", s.expires_at AS "expiresAt"
       FROM console_sessions s JOIN api_keys k ON k.id = s.key_id
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND k.revoked_at IS NULL`,
    [tokenHash],
  );
  return rows[0] ?? null;
}

export async function revokeSession(q: Queryable, tokenHash: string): Promise<boolean> {
  const r = await q.query(`UPDATE console_sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL`, [tokenHash]);
  return (r.rowCount ?? 0) > 0;
}

/** Old rows go: expired or revoked for a day (called on sign-in, so no job is needed). */
export async function deleteStaleSessions(q: Queryable): Promise<void> {
  await q.query(`DELETE FROM console_sessions WHERE expires_at < now() - interval '1 day' OR revoked_at < now() - interval '1 day'`);
}
