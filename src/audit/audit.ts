import type { Queryable } from '../store/db.js';
import type { Principal } from '../auth/roles.js';

export interface AuditTarget {
  type: string;
  id: string | number;
}

/**
 * Records one state-changing action. Call it with the transaction's client so the audit row
 * commits or rolls back with the change. `details` must not carry personal data (names, phone
 * numbers): ids, counts, field names and states only.
 */
export async function audit(
  client: Queryable,
  principal: Pick<Principal, 'keyId' | 'role'> | null,
  action: string,
  target: AuditTarget | null,
  details?: Record<string, unknown>,
): Promise<void> {
  await client.query(`INSERT INTO audit_log (key_id, role, action, target_type, target_id, details) VALUES ($1, $2, $3, $4, $5, $6)`, [
    principal?.keyId ?? null,
    principal?.role ?? null,
    action,
    target?.type ?? null,
    target ? String(target.id) : null,
    details ? JSON.stringify(details) : null,
  ]);
}

export interface AuditRow {
  id: number;
  keyId: number | null;
  role: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: unknown;
  at: Date;
}

export interface AuditFilter {
  action?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  keyId?: number | undefined;
  /** Newest first: rows with id below this. */
  beforeId?: number | undefined;
  limit: number;
}

export async function listAudit(q: Queryable, f: AuditFilter): Promise<AuditRow[]> {
  const { rows } = await q.query<AuditRow>(
    `SELECT id, key_id AS "keyId", role, action, target_type AS "targetType", target_id AS "targetId", details, at
       FROM audit_log
      WHERE ($1::text IS NULL OR action = $1)
        AND ($2::text IS NULL OR target_type = $2)
        AND ($3::text IS NULL OR target_id = $3)
        AND ($4::bigint IS NULL OR key_id = $4)
        AND ($5::bigint IS NULL OR id < $5)
      ORDER BY id DESC
      LIMIT $6`,
    [f.action ?? null, f.targetType ?? null, f.targetId ?? null, f.keyId ?? null, f.beforeId ?? null, f.limit],
  );
  return rows;
}
