import type { Queryable } from '../store/db.js';
import type { CampaignState } from './campaign.state.js';

import type { CampaignPrompt } from '../prompts/prompt.template.js';
import type { MenuKeys } from '../dialer/menu.js';

export type { CampaignPrompt };

export interface PolicyOverrides {
  windowStart?: string;
  windowEnd?: string;
  maxAttemptsPerDay?: number;
  maxConnectedPerDay?: number;
  maxAttemptsPerContact?: number;
  minGapMinutes?: number;
  allowedWeekdays?: number[];
  maxAbandonRate?: number;
}

export const RETRY_OUTCOMES = ['busy', 'no_answer', 'machine', 'failed', 'lost'] as const;
export type RetryOutcome = (typeof RETRY_OUTCOMES)[number];
/** A campaign's retries per outcome class (scheduler/retry.ts reads and applies it). */
export type RetryPolicy = Partial<Record<RetryOutcome, { delaySeconds: number; maxRetries: number }>>;

/** The settings a client may set; everything but `name` has a database default. */
export interface CampaignSettings {
  name: string;
  prompt: CampaignPrompt;
  callerId: string | null;
  policyOverrides: PolicyOverrides;
  riskThreshold: number | null;
  maxConcurrent: number;
  callsPerSecond: number;
  retryPolicy: RetryPolicy;
  amdEnabled: boolean;
  amdMachineAction: 'hangup' | 'message';
  defaultTimeZone: string | null;
  /** DTMF key → action; null = the default keys (1 agent, 2 promise to pay, 9 opt out, 0 repeat). */
  menu: MenuKeys | null;
  /** Outcomes after which the customer's next number is dialed at once; [] = the first number only. */
  nextNumberOn: string[];
  /**
   * SMS, email and calls per risk tier: a ContactPlan (src/plans/contact-plan.ts, which depends on
   * messaging, which depends on campaigns: opaque here), validated by the entry points before it
   * is saved. Null: every contact is dialed as before.
   */
  contactPlan: unknown;
}

export interface Campaign extends CampaignSettings {
  id: number;
  state: CampaignState;
  createdAt: Date;
  updatedAt: Date;
  launchedAt: Date | null;
  endedAt: Date | null;
}

/** API field → column; the only columns a create or patch can write. */
const COLUMNS: Record<keyof CampaignSettings, { col: string; json?: true }> = {
  name: { col: 'name' },
  prompt: { col: 'prompt', json: true },
  callerId: { col: 'caller_id' },
  policyOverrides: { col: 'policy_overrides', json: true },
  riskThreshold: { col: 'risk_threshold' },
  maxConcurrent: { col: 'max_concurrent' },
  callsPerSecond: { col: 'calls_per_second' },
  retryPolicy: { col: 'retry_policy', json: true },
  amdEnabled: { col: 'amd_enabled' },
  amdMachineAction: { col: 'amd_machine_action' },
  defaultTimeZone: { col: 'default_time_zone' },
  menu: { col: 'menu', json: true },
  nextNumberOn: { col: 'next_number_on' },
  contactPlan: { col: 'contact_plan', json: true },
};

const SELECT = `id, name, state, prompt, caller_id AS "callerId", policy_overrides AS "policyOverrides",
  risk_threshold AS "riskThreshold", max_concurrent AS "maxConcurrent", calls_per_second::float8 AS "callsPerSecond",
  retry_policy AS "retryPolicy", amd_enabled AS "amdEnabled", amd_machine_action AS "amdMachineAction",
  default_time_zone AS "defaultTimeZone", menu, next_number_on AS "nextNumberOn", contact_plan AS "contactPlan",
  created_at AS "createdAt", updated_at AS "updatedAt",
  launched_at AS "launchedAt", ended_at AS "endedAt"`;

function assignments(input: Partial<CampaignSettings>): { cols: string[]; values: unknown[] } {
  const cols: string[] = [];
  const values: unknown[] = [];
  for (const [field, spec] of Object.entries(COLUMNS) as [keyof CampaignSettings, { col: string; json?: true }][]) {
    if (!(field in input) || input[field] === undefined) continue;
    cols.push(spec.col);
    values.push(spec.json && input[field] !== null ? JSON.stringify(input[field]) : input[field]);
  }
  return { cols, values };
}

export async function insertCampaign(q: Queryable, input: Partial<CampaignSettings> & { name: string }): Promise<Campaign> {
  const { cols, values } = assignments(input);
  const params = cols.map((_, i) => `$${i + 1}`);
  const { rows } = await q.query<Campaign>(`INSERT INTO campaigns (${cols.join(', ')}) VALUES (${params.join(', ')}) RETURNING ${SELECT}`, values);
  return rows[0]!;
}

export async function getCampaign(q: Queryable, id: number): Promise<Campaign | null> {
  const { rows } = await q.query<Campaign>(`SELECT ${SELECT} FROM campaigns WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/**
 * The campaign's state as the database has it now. `lock` takes it FOR SHARE: an import's merge
 * holds it so a launch or pause waits for the merge (not for the upload).
 */
export async function getCampaignState(q: Queryable, id: string | number, lock = false): Promise<CampaignState | null> {
  const { rows } = await q.query<{ state: CampaignState }>(`SELECT state FROM campaigns WHERE id = $1${lock ? ' FOR SHARE' : ''}`, [id]);
  return rows[0]?.state ?? null;
}

/** Newest first; `beforeId` is the keyset cursor. */
export async function listCampaigns(q: Queryable, f: { state?: CampaignState | undefined; beforeId?: number | undefined; limit: number }): Promise<Campaign[]> {
  const { rows } = await q.query<Campaign>(
    `SELECT ${SELECT} FROM campaigns
      WHERE ($1::text IS NULL OR state = $1) AND ($2::bigint IS NULL OR id < $2)
      ORDER BY id DESC LIMIT $3`,
    [f.state ?? null, f.beforeId ?? null, f.limit],
  );
  return rows;
}

/** Applies a patch only while the campaign is still a draft; null when it is not (or missing). */
export async function updateDraftCampaign(q: Queryable, id: number, patch: Partial<CampaignSettings>): Promise<Campaign | null> {
  const { cols, values } = assignments(patch);
  const sets = cols.map((c, i) => `${c} = $${i + 2}`);
  sets.push('updated_at = now()');
  const { rows } = await q.query<Campaign>(`UPDATE campaigns SET ${sets.join(', ')} WHERE id = $1 AND state = 'draft' RETURNING ${SELECT}`, [id, ...values]);
  return rows[0] ?? null;
}

/**
 * Moves a campaign to `to` only if it is in one of `from` right now: two racing requests
 * cannot both succeed. Null when the campaign is missing or in another state.
 */
export async function updateCampaignState(q: Queryable, id: number, from: readonly CampaignState[], to: CampaignState): Promise<Campaign | null> {
  const { rows } = await q.query<Campaign>(
    `UPDATE campaigns
        SET state = $3,
            updated_at = now(),
            launched_at = CASE WHEN $3 = 'running' THEN COALESCE(launched_at, now()) ELSE launched_at END,
            ended_at = CASE WHEN $3 IN ('completed', 'cancelled') THEN now() ELSE ended_at END
      WHERE id = $1 AND state = ANY($2::text[])
      RETURNING ${SELECT}`,
    [id, from, to],
  );
  return rows[0] ?? null;
}

/** What a dial job reads of its campaign (ids as pg returns them: strings). */
export interface DialCampaign {
  id: string;
  state: CampaignState;
  prompt: unknown;
  callerId: string | null;
  policyOverrides: unknown;
  maxConcurrent: number;
  callsPerSecond: number;
  retryPolicy: unknown;
  amdEnabled: boolean;
  amdMachineAction: 'hangup' | 'message';
  /** Customers at or above this risk score go to an agent after the greeting. */
  riskThreshold: number | null;
  /** The campaign's DTMF menu; null = the default keys. */
  menu: unknown;
  nextNumberOn: string[];
  /** A ContactPlan or null (see CampaignSettings.contactPlan). */
  contactPlan: unknown;
}

export async function getDialCampaign(db: Queryable, id: string): Promise<DialCampaign | null> {
  const r = await db.query<DialCampaign>(
    `SELECT id::text, state, prompt, caller_id AS "callerId", policy_overrides AS "policyOverrides",
            max_concurrent AS "maxConcurrent", calls_per_second::float8 AS "callsPerSecond",
            retry_policy AS "retryPolicy", amd_enabled AS "amdEnabled", amd_machine_action AS "amdMachineAction",
            risk_threshold AS "riskThreshold", menu, next_number_on AS "nextNumberOn", contact_plan AS "contactPlan"
       FROM campaigns WHERE id = $1`,
    [id],
  );
  return r.rows[0] ?? null;
}

/** running → completed once no contact can still be dialed. */
export async function completeCampaignIfDone(db: Queryable, campaignId: string): Promise<boolean> {
  const r = await db.query(
    `UPDATE campaigns SET state = 'completed', ended_at = now(), updated_at = now()
      WHERE id = $1 AND state = 'running'
        AND NOT EXISTS (SELECT 1 FROM campaign_contacts
                         WHERE campaign_id = $1 AND state IN ('pending', 'queued', 'deferred', 'dialing'))
        -- A contact plan still running (its next step may call again) keeps the campaign open.
        AND NOT EXISTS (SELECT 1 FROM contact_plan_runs WHERE campaign_id = $1 AND ended_at IS NULL)`,
    [campaignId],
  );
  return (r.rowCount ?? 0) === 1;
}

/** Running campaigns that still have contacts waiting to be queued (a missed launch event). */
export async function campaignsWithPending(db: Queryable, limit: number): Promise<string[]> {
  const r = await db.query<{ id: string }>(
    `SELECT c.id::text FROM campaigns c
      WHERE c.state = 'running'
        AND EXISTS (SELECT 1 FROM campaign_contacts cc WHERE cc.campaign_id = c.id AND cc.state = 'pending')
      ORDER BY c.id LIMIT $1`,
    [limit],
  );
  return r.rows.map((x) => x.id);
}

/** A completed campaign runs again while it owes a callback (it completes again after it); why: campaign.state.ts. */
export async function reopenCompletedCampaign(db: Queryable, campaignId: string): Promise<boolean> {
  const r = await db.query(`UPDATE campaigns SET state = 'running', ended_at = NULL, updated_at = now() WHERE id = $1 AND state = 'completed'`, [campaignId]);
  return (r.rowCount ?? 0) === 1;
}
