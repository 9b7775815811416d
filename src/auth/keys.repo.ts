import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';
import type { Principal, Role } from './roles.js';

/** Keys look like `rw_<43 base64url chars>`; only their sha256 is stored. */
export const KEY_PREFIX = 'rw_';

export function generateApiKey(): { key: string; hash: string; prefix: string } {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: hashApiKey(key), prefix: key.slice(0, KEY_PREFIX.length + 6) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface ApiKeyRow {
  id: number;
  name: string;
  role: Role;
  keyPrefix: string;
  agentId: number | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const KEY_COLUMNS = `id, name, role, key_prefix AS "keyPrefix", agent_id AS "agentId", created_at AS "createdAt",
  last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

export async function insertApiKey(
  q: Queryable,
  input: { name: string; role: Role; agentId?: number | null; hash: string; prefix: string },
): Promise<ApiKeyRow> {
  const { rows } = await q.query<ApiKeyRow>(
    `INSERT INTO api_keys (name, role, key_hash, key_prefix, agent_id) VALUES ($1, $2, $3, $4, $5) RETURNING ${KEY_COLUMNS}`,
    [input.name, input.role, input.hash, input.prefix, input.agentId ?? null],
  );
  return rows[0]!;
}

/** Creates a key and returns it in clear text: the only time it is ever visible. */
export async function createApiKey(q: Queryable, input: { name: string; role: Role; agentId?: number | null }): Promise<{ key: string; row: ApiKeyRow }> {
  // The table refuses it too (api_keys_agent_bound); this says why before a constraint does.
  if (input.role === 'agent' && (input.agentId ?? null) === null) throw new AppError('agent_key_needs_agent', 'an agent key must belong to an agent', 422);
  const g = generateApiKey();
  const row = await insertApiKey(q, { ...input, hash: g.hash, prefix: g.prefix });
  return { key: g.key, row };
}

export interface ActiveKey extends Principal {
  lastUsedAt: Date | null;
}

export async function findActiveKeyByHash(q: Queryable, hash: string): Promise<ActiveKey | null> {
  const { rows } = await q.query<ActiveKey>(
    `SELECT id AS "keyId", role, agent_id AS "agentId", last_used_at AS "lastUsedAt"
       FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
    [hash],
  );
  return rows[0] ?? null;
}

/** At most one write per key per minute: a busy key does not turn every request into an UPDATE. */
export async function touchApiKey(q: Queryable, id: number): Promise<void> {
  await q.query(
    `UPDATE api_keys SET last_used_at = now()
      WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '60 seconds')`,
    [id],
  );
}

export async function listApiKeys(q: Queryable): Promise<ApiKeyRow[]> {
  const { rows } = await q.query<ApiKeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY id`);
  return rows;
}

/** Revokes a key; null when it does not exist. Revoking twice keeps the first time. */
export async function revokeApiKey(q: Queryable, id: number): Promise<ApiKeyRow | null> {
  const { rows } = await q.query<ApiKeyRow>(`UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING ${KEY_COLUMNS}`, [id]);
  return rows[0] ?? null;
}
