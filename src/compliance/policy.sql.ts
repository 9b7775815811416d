import type { Queryable } from '../store/db.js';

export interface PolicyRow {
  profile: string;
  policy: Record<string, unknown>;
  updatedBy: number | null;
  updatedAt: Date;
}

export async function selectGlobalPolicy(q: Queryable): Promise<PolicyRow | null> {
  const r = await q.query<PolicyRow>(
    `SELECT profile, policy, updated_by AS "updatedBy", updated_at AS "updatedAt" FROM compliance_policy WHERE id`,
  );
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

export async function selectCampaignOverrides(q: Queryable, campaignId: string | number): Promise<Record<string, unknown> | null> {
  const r = await q.query<{ o: Record<string, unknown> }>(`SELECT policy_overrides AS o FROM campaigns WHERE id = $1`, [campaignId]);
  return r.rows[0]?.o ?? null;
}
