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
  /** When the next step is due, as last decided (null: now, or when its call settles). */
  nextStepAt: Date | null;
  /** Why it waits: `spacing`, `call_in_progress`, or the message gate's rule (`calling_window`, `min_gap`...). */
  waitReason: string | null;
  waitDetail: string | null;
}

const SELECT = `contact_id::text AS "contactId", campaign_id::text AS "campaignId", tier, next_step AS "nextStep",
  started_at AS "startedAt", last_run_at AS "lastRunAt", ended_at AS "endedAt", end_reason AS "endReason",
  next_step_at AS "nextStepAt", wait_reason AS "waitReason", wait_detail AS "waitDetail"`;

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
  const r = await q.query(
    `UPDATE contact_plan_runs SET next_step = $2 + 1, last_run_at = $3, next_step_at = NULL, wait_reason = NULL, wait_detail = NULL
      WHERE contact_id = $1 AND next_step = $2 AND ended_at IS NULL`,
    [contactId, step, at],
  );
  return (r.rowCount ?? 0) === 1;
}

export async function endPlanRun(q: Queryable, contactId: string, reason: string): Promise<void> {
  await q.query(`UPDATE contact_plan_runs SET ended_at = now(), end_reason = $2, next_step_at = NULL WHERE contact_id = $1 AND ended_at IS NULL`, [
    contactId,
    reason,
  ]);
}

/** The plan waits: its next step is due at `at` (null: when its call settles) for `reason`. Written only when it changed. */
export async function setPlanWait(q: Queryable, contactId: string, w: { at: Date | null; reason: string; detail?: string | null }): Promise<void> {
  await q.query(
    `UPDATE contact_plan_runs SET next_step_at = $2, wait_reason = $3, wait_detail = $4
      WHERE contact_id = $1 AND ended_at IS NULL
        AND (next_step_at IS DISTINCT FROM $2 OR wait_reason IS DISTINCT FROM $3 OR wait_detail IS DISTINCT FROM $4)`,
    [contactId, w.at, w.reason, w.detail ?? null],
  );
}

/** A contact of a running planned campaign whose plan is not over: it must have its plan job. */
export interface OpenPlan {
  id: string;
  campaignId: string;
  /** When the plan's next step is due (null: now). */
  dueAt: Date | null;
}

/**
 * Open plans of running campaigns, keyset-paginated by contact id (for the reconciler): a run
 * not ended, or a contact queued for its plan whose job has not started the run yet.
 */
export async function openPlansPage(q: Queryable, afterId: string, limit: number): Promise<OpenPlan[]> {
  const { rows } = await q.query<OpenPlan>(
    `SELECT cc.id::text, cc.campaign_id::text AS "campaignId", r.next_step_at AS "dueAt"
       FROM campaign_contacts cc
       JOIN campaigns c ON c.id = cc.campaign_id AND c.state = 'running' AND c.contact_plan IS NOT NULL
       LEFT JOIN contact_plan_runs r ON r.contact_id = cc.id
      WHERE cc.id > $1 AND (r.ended_at IS NULL AND r.contact_id IS NOT NULL OR r.contact_id IS NULL AND cc.state IN ('queued', 'deferred'))
      ORDER BY cc.id LIMIT $2`,
    [afterId, limit],
  );
  return rows;
}

export interface CampaignPlanRun extends PlanRun {
  customerId: string;
}

/** A campaign's contact plans as they stand (the API's view), by contact id after `afterId`. */
export async function listCampaignPlanRuns(q: Queryable, campaignId: number, afterId: number, limit: number): Promise<CampaignPlanRun[]> {
  const { rows } = await q.query<CampaignPlanRun>(
    `SELECT ${SELECT}, (SELECT cc.customer_id::text FROM campaign_contacts cc WHERE cc.id = contact_plan_runs.contact_id) AS "customerId"
       FROM contact_plan_runs WHERE campaign_id = $1 AND contact_id > $2 ORDER BY contact_id LIMIT $3`,
    [campaignId, afterId, limit],
  );
  return rows;
}
