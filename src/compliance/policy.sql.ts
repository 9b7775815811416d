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

/** The columns a statement reads for a campaign's rules (here and in the gate's contact read). */
export const POLICY_COLUMNS = `g.profile, g.policy, g.updated_by AS "updatedBy", g.updated_at AS "updatedAt", c.policy_overrides AS overrides,
            c.default_time_zone AS "defaultTimeZone"`;

export interface PolicyColumns {
  profile: string | null;
  policy: Record<string, unknown> | null;
  updatedBy: number | null;
  updatedAt: Date | null;
  overrides: Record<string, unknown> | null;
  defaultTimeZone: string | null;
}

/** What a campaign's rules are made of: the saved global policy (if any), its overrides and its zone. */
export interface CampaignRuleRows {
  global: PolicyRow | null;
  overrides: Record<string, unknown> | null;
  defaultTimeZone: string | null;
}

export function policyRows(row: PolicyColumns): CampaignRuleRows {
  const global = row.profile === null ? null : { profile: row.profile, policy: row.policy ?? {}, updatedBy: row.updatedBy, updatedAt: row.updatedAt! };
  return { global, overrides: row.overrides, defaultTimeZone: row.defaultTimeZone ?? null };
}

/**
 * The global policy row, a campaign's overrides and its default time zone in one round trip
 * (the gate reads them per dial).
 */
export async function selectPolicyAndOverrides(q: Queryable, campaignId: string | number): Promise<CampaignRuleRows> {
  const r = await q.query<PolicyColumns>(
    `SELECT ${POLICY_COLUMNS}
       FROM (SELECT $1::bigint AS id) k
       LEFT JOIN compliance_policy g ON g.id
       LEFT JOIN campaigns c ON c.id = k.id`,
    [campaignId],
  );
  return policyRows(r.rows[0]!);
}
