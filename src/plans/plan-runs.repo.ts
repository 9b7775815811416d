import type { Queryable } from '../store/db.js';
import type { RiskTier } from '../risk/scorecard.js';

/** Where a contact's plan is (contact_plan_runs; written only here). */
export interface PlanRun {
  contactId: string;
  campaignId: string;
  tier: RiskTier;
  nextStep: number;
  startedAt: Date;
  lastRunAt: Date | null;
  endedAt: Date | null;
  endReason: string | null;
}

const SELECT = `contact_id::text AS "contactId", campaign_id::text AS "campaignId", tier, next_step AS "nextStep",
  started_at AS "startedAt", last_run_at AS "lastRunAt", ended_at AS "endedAt", end_reason AS "endReason"`;

/** The contact's run, started now with `tier` if it has none (the tier is fixed when the plan starts). */
export async function startPlanRun(q: Queryable, r: { contactId: string; campaignId: string; tier: RiskTier }): Promise<PlanRun> {
  await q.query(`INSERT INTO contact_plan_runs (contact_id, campaign_id, tier) VALUES ($1, $2, $3) ON CONFLICT (contact_id) DO NOTHING`, [
    r.contactId,
    r.campaignId,
    r.tier,
  ]);
  return (await getPlanRun(q, r.contactId))!;
}

export async function getPlanRun(q: Queryable, contactId: string): Promise<PlanRun | null> {
  const { rows } = await q.query<PlanRun>(`SELECT ${SELECT} FROM contact_plan_runs WHERE contact_id = $1`, [contactId]);
  return rows[0] ?? null;
}

/** Step `step` ran at `at`: the next one is due by its spacing from then. Only from `step` (a replay moves nothing twice). */
export async function advancePlanRun(q: Queryable, contactId: string, step: number, at: Date): Promise<boolean> {
  const r = await q.query(`UPDATE contact_plan_runs SET next_step = $2 + 1, last_run_at = $3 WHERE contact_id = $1 AND next_step = $2 AND ended_at IS NULL`, [
    contactId,
    step,
    at,
  ]);
  return (r.rowCount ?? 0) === 1;
}

export async function endPlanRun(q: Queryable, contactId: string, reason: string): Promise<void> {
  await q.query(`UPDATE contact_plan_runs SET ended_at = now(), end_reason = $2 WHERE contact_id = $1 AND ended_at IS NULL`, [contactId, reason]);
}
