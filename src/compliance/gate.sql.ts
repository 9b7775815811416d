import type { Queryable } from '../store/db.js';
import { countsAsConnected } from './caps.js';
import type { AttemptRecord, DncMatch } from './policy.types.js';
import { POLICY_COLUMNS, policyRows, type CampaignRuleRows, type PolicyColumns } from './policy.sql.js';

/** Ids are bigint columns: callers may pass them as numbers or as the strings pg returns. */
export type Id = string | number;

export interface LockedCustomer {
  id: string;
  timeZone: string | null;
  phones: string[];
}

/** Serialises every reservation for one customer: the checks and the insert happen under it. */
export async function lockCustomer(q: Queryable, customerId: Id): Promise<LockedCustomer | null> {
  const r = await q.query<LockedCustomer>(`SELECT id::text AS id, time_zone AS "timeZone", phones FROM customers WHERE id = $1 FOR UPDATE`, [customerId]);
  return r.rows[0] ?? null;
}

export async function selectCustomer(q: Queryable, customerId: Id): Promise<LockedCustomer | null> {
  const r = await q.query<LockedCustomer>(`SELECT id::text AS id, time_zone AS "timeZone", phones FROM customers WHERE id = $1`, [customerId]);
  return r.rows[0] ?? null;
}

export interface ContactRow {
  id: string;
  campaignId: string;
  customerId: string;
}

export interface ContactWithAttempt extends ContactRow {
  /** The attempt already reserved for (contact, attemptNo), if any. */
  attempt: { id: string; state: string } | null;
  /** The customer has a call not yet ended, other than that attempt (any campaign, any number). */
  liveCall: boolean;
  /** The contact's campaign's rules as stored (`campaignRulesFrom` makes the policy of them). */
  rules: CampaignRuleRows;
}

/**
 * The contact, its attempt `attemptNo`, and whether the customer has another live call: one
 * round trip, run right after the customer's lock (the gate runs before every dial). The lock
 * is its own statement: a statement's snapshot is taken before it waits for a lock, so a
 * reservation a racing worker committed meanwhile is seen only by the statements after it.
 */
export async function selectContactWithAttempt(q: Queryable, contactId: Id, attemptNo: number, customerId: Id): Promise<ContactWithAttempt | null> {
  const r = await q.query<ContactRow & PolicyColumns & { attemptId: string | null; attemptState: string | null; liveCall: boolean }>(
    `SELECT cc.id::text AS id, cc.campaign_id::text AS "campaignId", cc.customer_id::text AS "customerId",
            a.id AS "attemptId", a.state AS "attemptState",
            EXISTS (SELECT 1 FROM call_attempts x
                     WHERE x.customer_id = $3 AND x.state <> 'ended' AND (a.id IS NULL OR x.id <> a.id)) AS "liveCall",
            ${POLICY_COLUMNS}
       FROM campaign_contacts cc
       LEFT JOIN call_attempts a ON a.contact_id = cc.id AND a.attempt_no = $2
       LEFT JOIN campaigns c ON c.id = cc.campaign_id
       LEFT JOIN compliance_policy g ON g.id
      WHERE cc.id = $1`,
    [contactId, attemptNo, customerId],
  );
  const row = r.rows[0];
  if (!row) return null;
  const { id, campaignId, customerId: contactCustomer, attemptId, attemptState, liveCall } = row;
  return {
    id,
    campaignId,
    customerId: contactCustomer,
    liveCall,
    attempt: attemptId === null ? null : { id: attemptId, state: attemptState ?? '' },
    rules: policyRows(row),
  };
}

export async function selectContactByCampaign(q: Queryable, campaignId: Id, customerId: Id): Promise<ContactRow | null> {
  const r = await q.query<ContactRow>(
    `SELECT id::text AS id, campaign_id::text AS "campaignId", customer_id::text AS "customerId"
       FROM campaign_contacts WHERE campaign_id = $1 AND customer_id = $2`,
    [campaignId, customerId],
  );
  return r.rows[0] ?? null;
}

export interface DecisionRows {
  history: AttemptRecord[];
  dnc: DncMatch[];
  contactAttempts: number;
}

/**
 * What the rules read about one customer, in one round trip: its attempts across all campaigns
 * and all its numbers (released reservations and originates that never reached Asterisk,
 * `not_dialled`, are no dial; live calls count, see caps.ts) reserved after `since` (except
 * `excludeId`), the unexpired DNC entries for the number or the
 * customer, and the contact's own attempts (0 without a contact).
 */
export async function selectDecisionRows(
  q: Queryable,
  a: { customerId: Id; since: Date; excludeId: string | null; phone: string; now: Date; contactId: Id | null },
): Promise<DecisionRows> {
  type HistoryJson = { at: string; state: string; connected: boolean; answeredAt: string | null; campaignId: string | null; contactId: string | null };
  type DncJson = { reason: string; phone: string | null; customerId: string | null; expiresAt: string | null };
  const r = await q.query<{ history: HistoryJson[]; dnc: DncJson[]; contactAttempts: number }>(
    `SELECT
       (SELECT coalesce(json_agg(h ORDER BY h.at), '[]'::json) FROM (
          SELECT reserved_at AS at, state, connected, answered_at AS "answeredAt", campaign_id::text AS "campaignId", contact_id::text AS "contactId"
            FROM call_attempts
           WHERE customer_id = $1 AND reserved_at > $2 AND ($3::uuid IS NULL OR id <> $3::uuid)
             AND end_reason IS DISTINCT FROM 'not_dialled') h) AS history,
       (SELECT coalesce(json_agg(d), '[]'::json) FROM (
          SELECT reason, phone, customer_id::text AS "customerId", expires_at AS "expiresAt"
            FROM dnc_entries
           WHERE (phone = $4 OR customer_id = $1) AND (channel IS NULL OR channel = 'call') AND (expires_at IS NULL OR expires_at > $5)) d) AS dnc,
       (SELECT count(*)::int FROM call_attempts
         WHERE $6::bigint IS NOT NULL AND contact_id = $6::bigint AND ($3::uuid IS NULL OR id <> $3::uuid)
           AND end_reason IS DISTINCT FROM 'not_dialled') AS "contactAttempts"`,
    [a.customerId, a.since, a.excludeId, a.phone, a.now, a.contactId],
  );
  const row = r.rows[0]!;
  const date = (v: string | null) => (v === null ? null : new Date(v));
  return {
    history: row.history.map((h) => ({
      at: new Date(h.at),
      connected: countsAsConnected(h),
      answeredAt: date(h.answeredAt),
      campaignId: h.campaignId === null ? null : Number(h.campaignId),
      contactId: h.contactId === null ? null : Number(h.contactId),
    })),
    dnc: row.dnc.map((d) => ({ ...d, expiresAt: date(d.expiresAt), customerId: d.customerId === null ? null : Number(d.customerId) })),
    contactAttempts: row.contactAttempts,
  };
}

export async function campaignExists(q: Queryable, campaignId: Id): Promise<boolean> {
  const r = await q.query(`SELECT 1 FROM campaigns WHERE id = $1`, [campaignId]);
  return r.rowCount !== 0;
}

/** Campaigns that can still dial, with their stored overrides (to warn about loose ones). */
export async function selectActiveCampaignOverrides(q: Queryable): Promise<Array<{ id: string; overrides: Record<string, unknown> }>> {
  const r = await q.query<{ id: string; overrides: Record<string, unknown> }>(
    `SELECT id::text AS id, policy_overrides AS overrides FROM campaigns
      WHERE state IN ('draft', 'running', 'paused') AND policy_overrides <> '{}'::jsonb ORDER BY id`,
  );
  return r.rows;
}
