import type { Queryable } from '../store/db.js';
import { SEGMENT_INSERT_SQL, segmentParams, type Segment } from './contact.segment.js';

/**
 * The writer of campaign_contacts (with the ledger's reserve and originate statements, which bump
 * the contact in the same round trip): its states and their reasons, and the reads the dial and
 * expand jobs need. One function per query.
 */
export interface DialContact {
  id: string;
  campaignId: string;
  customerId: string;
  state: string;
  attempts: number;
  /** The first number; `phones`, `callablePhones` and `lastAttempt` choose the one to dial (phone-order.ts). */
  phone: string;
  phones: string[];
  /** The customer's numbers not on the do-not-call list. */
  callablePhones: string[];
  lastAttempt: { phone: string; outcome: string | null } | null;
  name: string;
  locale: string;
  amountDue: string | null;
  currency: string | null;
  dueDate: string | null;
  daysPastDue: number | null;
  riskScore: number | null;
  /** Earlier attempts that ended abandoned (no agent free): each may have earned a callback. */
  abandonedCalls: number;
}

export async function getDialContact(db: Queryable, contactId: string): Promise<DialContact | null> {
  const r = await db.query<DialContact>(
    `SELECT cc.id::text, cc.campaign_id::text AS "campaignId", cc.customer_id::text AS "customerId",
            cc.state, cc.attempts, c.phones[1] AS phone, c.phones,
            ARRAY(SELECT p FROM unnest(c.phones) p WHERE NOT EXISTS (
              SELECT 1 FROM dnc_entries d WHERE d.phone = p AND (d.expires_at IS NULL OR d.expires_at > now()))) AS "callablePhones",
            (SELECT json_build_object('phone', a.phone, 'outcome', a.outcome) FROM call_attempts a
              WHERE a.contact_id = cc.id ORDER BY a.attempt_no DESC LIMIT 1) AS "lastAttempt",
            c.name, c.locale,
            c.amount_due::text AS "amountDue", c.currency, to_char(c.due_date, 'YYYY-MM-DD') AS "dueDate",
            c.days_past_due AS "daysPastDue", c.risk_score AS "riskScore",
            (SELECT count(*)::int FROM call_attempts a WHERE a.contact_id = cc.id AND a.outcome = 'abandoned') AS "abandonedCalls"
       FROM campaign_contacts cc JOIN customers c ON c.id = cc.customer_id
      WHERE cc.id = $1`,
    [contactId],
  );
  return r.rows[0] ?? null;
}

/** What rendering a prompt needs of each contact (render-ahead): one query for a page of them. */
export interface PromptContact {
  id: string;
  customerId: string;
  state: string;
  name: string;
  locale: string;
  amountDue: string | null;
  currency: string | null;
  dueDate: string | null;
  daysPastDue: number | null;
}

export async function getPromptContacts(db: Queryable, contactIds: readonly string[]): Promise<PromptContact[]> {
  const r = await db.query<PromptContact>(
    `SELECT cc.id::text, cc.customer_id::text AS "customerId", cc.state, c.name, c.locale,
            c.amount_due::text AS "amountDue", c.currency, to_char(c.due_date, 'YYYY-MM-DD') AS "dueDate",
            c.days_past_due AS "daysPastDue"
       FROM campaign_contacts cc JOIN customers c ON c.id = cc.customer_id
      WHERE cc.id = ANY($1::bigint[])
      ORDER BY cc.id`,
    [contactIds],
  );
  return r.rows;
}

export interface ContactUpdate {
  state: string;
  reason?: string | null;
  lastOutcome?: string | null;
  attempts?: number | null;
  nextAttemptAt?: Date | null;
}

export async function setContactState(db: Queryable, contactId: string, u: ContactUpdate): Promise<void> {
  await db.query(
    `UPDATE campaign_contacts
        SET state = $2, reason = COALESCE($3, reason), last_outcome = COALESCE($4, last_outcome),
            attempts = GREATEST(attempts, COALESCE($5, 0)), next_attempt_at = $6, updated_at = now()
      WHERE id = $1`,
    [contactId, u.state, u.reason ?? null, u.lastOutcome ?? null, u.attempts ?? null, u.nextAttemptAt ?? null],
  );
}

/**
 * A paused campaign's job gives its contact back (resume queues it again), only while the
 * campaign is still paused: checked in the same statement, so a resume in between is not lost.
 */
export async function contactBackToPending(db: Queryable, contactId: string): Promise<boolean> {
  const r = await db.query(
    `UPDATE campaign_contacts cc SET state = 'pending', updated_at = now()
       FROM campaigns c
      WHERE cc.id = $1 AND cc.state IN ('queued', 'deferred')
        AND c.id = cc.campaign_id AND c.state IN ('paused', 'draft')`,
    [contactId],
  );
  return (r.rowCount ?? 0) === 1;
}

export interface PendingContact {
  id: string;
  nextAttemptNo: number;
}

/** One chunk of pending contacts, keyset-paginated by id (bounded memory for any size). */
export async function pendingContactsPage(db: Queryable, campaignId: string, afterId: string, limit: number): Promise<PendingContact[]> {
  const r = await db.query<PendingContact>(
    `SELECT cc.id::text,
            COALESCE((SELECT max(a.attempt_no) FROM call_attempts a WHERE a.contact_id = cc.id), 0) + 1 AS "nextAttemptNo"
       FROM campaign_contacts cc
      WHERE cc.campaign_id = $1 AND cc.state = 'pending' AND cc.id > $2
      ORDER BY cc.id
      LIMIT $3`,
    [campaignId, afterId, limit],
  );
  return r.rows;
}

/**
 * Pending → queued once their jobs exist. next_attempt_at is cleared: a contact a pause gave back
 * while it waited for a retry is queued for now, and must count in the dial window.
 */
export async function markQueued(db: Queryable, contactIds: string[]): Promise<void> {
  await db.query(
    `UPDATE campaign_contacts SET state = 'queued', next_attempt_at = NULL, updated_at = now()
      WHERE id = ANY($1::bigint[]) AND state = 'pending'`,
    [contactIds],
  );
}

/**
 * Contacts whose dial job is due now: what fills the campaign's dial window. Queued or deferred,
 * without a later next_attempt_at (a retry waiting for its delay or a contact deferred to the
 * morning is parked, not ahead of the pacing). Two ranges of the (campaign_id, state, id) index.
 */
export async function countDueContacts(db: Queryable, campaignId: string): Promise<number> {
  const r = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM campaign_contacts
      WHERE campaign_id = $1 AND state IN ('queued', 'deferred')
        AND (next_attempt_at IS NULL OR next_attempt_at <= now())`,
    [campaignId],
  );
  return r.rows[0]?.n ?? 0;
}

export async function hasPendingContacts(db: Queryable, campaignId: string): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM campaign_contacts WHERE campaign_id = $1 AND state = 'pending' LIMIT 1`, [campaignId]);
  return (r.rowCount ?? 0) > 0;
}

/**
 * An agent's callback: the contact waits for its callback job (due at `at`) whatever it was
 * settled as. Not for a contact that opted out or was cancelled with its campaign.
 */
export async function queueContactForCallback(db: Queryable, contactId: string, at: Date): Promise<boolean> {
  const r = await db.query(
    `UPDATE campaign_contacts SET state = 'queued', reason = 'callback', next_attempt_at = $2, updated_at = now()
      WHERE id = $1 AND state NOT IN ('opted_out', 'cancelled')`,
    [contactId, at],
  );
  return (r.rowCount ?? 0) === 1;
}

/** On cancel: contacts that were still waiting will never be dialed. Returns how many. */
export async function cancelWaitingContacts(q: Queryable, campaignId: number): Promise<number> {
  const { rowCount } = await q.query(
    `UPDATE campaign_contacts SET state = 'cancelled', reason = 'campaign_cancelled', next_attempt_at = NULL, updated_at = now()
      WHERE campaign_id = $1 AND state IN ('pending', 'queued', 'deferred')`,
    [campaignId],
  );
  return rowCount ?? 0;
}

/**
 * Makes a deferral or a block visible in campaign stats. The one writer of a held contact's
 * reason: `<rule>: <detail>`, the rule first so the stats can count by it (heldRuleSql).
 */
export async function markContactHeld(
  q: Queryable,
  contactId: string | number,
  state: 'deferred' | 'blocked',
  held: { rule: string; detail: string },
  nextAttemptAt: Date | null,
): Promise<void> {
  await q.query(`UPDATE campaign_contacts SET state = $2, reason = $3, next_attempt_at = $4, updated_at = now() WHERE id = $1`, [
    contactId,
    state,
    `${held.rule}: ${held.detail}`,
    nextAttemptAt,
  ]);
}

/** The rule of a held contact's reason (markContactHeld's `<rule>: <detail>`), as SQL over `column`. */
export function heldRuleSql(column: string): string {
  return `split_part(${column}, ': ', 1)`;
}

/** Adds the segment's customers to the campaign in one statement; returns how many. */
export async function addSegmentContacts(q: Queryable, campaignId: number, segment: Segment, localDate: string): Promise<number> {
  const { rowCount } = await q.query(SEGMENT_INSERT_SQL, [campaignId, ...segmentParams(segment, localDate)]);
  return rowCount ?? 0;
}

/** Contacts still waiting to be dialed become `expired`; live calls finish as they are. */
export async function expireWaitingContacts(q: Queryable, campaignId: number): Promise<number> {
  const { rowCount } = await q.query(
    `UPDATE campaign_contacts SET state = 'expired', reason = 'window_closed', next_attempt_at = NULL, updated_at = now()
      WHERE campaign_id = $1 AND state IN ('pending', 'queued', 'deferred')`,
    [campaignId],
  );
  return rowCount ?? 0;
}
