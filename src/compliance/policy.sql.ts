import type { Queryable } from '../store/db.js';

export interface PolicyRow {
  profile: string;
  policy: Record<string, unknown>;
  updatedBy: number | null;
  updatedAt: Date;
}

export async function selectGlobalPolicy(q: Queryable): Promise<PolicyRow | null> {
  const r = await q.query<PolicyRow>(`SELECT profile, policy, updated_by AS "updatedBy", updated_at AS "updatedAt" FROM compliance_policy WHERE id`);
  return r.rows[0] ?? null;
}

export async function upsertGlobalPolicy(q: Queryable, row: { profile: string; policy: object; updatedBy: number | null }): Promise<PolicyRow> {
  const r = await q.query<PolicyRow>(
    `INSERT INTO compliance_policy (id, profile, policy, updated_by, updated_at)
     VALUES (true, $1, $2, $3, now())
     ON CONFLICT (id) DO UPDATE SET profile = EXCLUDED.profile, policy = EXCLUDED.policy,
       updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
     RETURNING profile, policy, updated_by AS "updatedBy", updated_at AS "updatedAt"`,
    [row.profile, JSON.stringify(row.policy), row.updatedBy],
  );
  return r.rows[0]!;
}

/**
 * The global policy row, a campaign's overrides and its default time zone in one round trip
 * (the gate reads them per dial).
 */
export async function selectPolicyAndOverrides(
  q: Queryable,
  campaignId: string | number,
): Promise<{ global: PolicyRow | null; overrides: Record<string, unknown> | null; defaultTimeZone: string | null }> {
  const r = await q.query<{
    profile: string | null;
    policy: Record<string, unknown> | null;
    updatedBy: number | null;
    updatedAt: Date | null;
    overrides: Record<string, unknown> | null;
    defaultTimeZone: string | null;
  }>(
    `SELECT g.profile, g.policy, g.updated_by AS "updatedBy", g.updated_at AS "updatedAt", c.policy_overrides AS overrides,
            c.default_time_zone AS "defaultTimeZone"
       FROM (SELECT $1::bigint AS id) k
       LEFT JOIN compliance_policy g ON g.id
       LEFT JOIN campaigns c ON c.id = k.id`,
    [campaignId],
  );
  const row = r.rows[0]!;
  const global = row.profile === null ? null : { profile: row.profile, policy: row.policy ?? {}, updatedBy: row.updatedBy, updatedAt: row.updatedAt! };
  return { global, overrides: row.overrides, defaultTimeZone: row.defaultTimeZone ?? null };
}
