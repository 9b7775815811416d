import type { Queryable } from '../store/db.js';
import type { AttemptRecord, DncMatch } from './policy.types.js';

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

export async function selectContact(q: Queryable, contactId: Id): Promise<ContactRow | null> {
  const r = await q.query<ContactRow>(
    `SELECT id::text AS id, campaign_id::text AS "campaignId", customer_id::text AS "customerId" FROM campaign_contacts WHERE id = $1`,
    [contactId],
  );
  return r.rows[0] ?? null;
}

export async function selectContactByCampaign(q: Queryable, campaignId: Id, customerId: Id): Promise<ContactRow | null> {
  const r = await q.query<ContactRow>(
    `SELECT id::text AS id, campaign_id::text AS "campaignId", customer_id::text AS "customerId"
       FROM campaign_contacts WHERE campaign_id = $1 AND customer_id = $2`,
    [campaignId, customerId],
  );
  return r.rows[0] ?? null;
}

export async function selectAttemptByKey(q: Queryable, contactId: Id, attemptNo: number): Promise<{ id: string; state: string } | null> {
  const r = await q.query<{ id: string; state: string }>(`SELECT id, state FROM call_attempts WHERE contact_id = $1 AND attempt_no = $2`, [contactId, attemptNo]);
  return r.rows[0] ?? null;
}

/** The customer's attempts across all campaigns reserved after `since`, except `excludeId`. */
export async function selectHistory(q: Queryable, customerId: Id, since: Date, excludeId: string | null): Promise<AttemptRecord[]> {
  const r = await q.query<{ at: Date; connected: boolean; answeredAt: Date | null; campaignId: string | null; contactId: string | null }>(
    `SELECT reserved_at AS at, connected, answered_at AS "answeredAt", campaign_id::text AS "campaignId", contact_id::text AS "contactId"
       FROM call_attempts
      WHERE customer_id = $1 AND reserved_at > $2 AND ($3::uuid IS NULL OR id <> $3::uuid)
      ORDER BY reserved_at`,
    [customerId, since, excludeId],
  );
  return r.rows.map((a) => ({
    at: a.at,
    connected: a.connected,
    answeredAt: a.answeredAt,
    campaignId: a.campaignId === null ? null : Number(a.campaignId),
    contactId: a.contactId === null ? null : Number(a.contactId),
  }));
}

/** Unexpired DNC entries for the number or the customer. */
export async function selectDnc(q: Queryable, phone: string, customerId: Id, now: Date): Promise<DncMatch[]> {
  const r = await q.query<{ reason: string; phone: string | null; customerId: string | null; expiresAt: Date | null }>(
    `SELECT reason, phone, customer_id::text AS "customerId", expires_at AS "expiresAt"
       FROM dnc_entries
      WHERE (phone = $1 OR customer_id = $2) AND (expires_at IS NULL OR expires_at > $3)`,
    [phone, customerId, now],
  );
  return r.rows.map((d) => ({ ...d, customerId: d.customerId === null ? null : Number(d.customerId) }));
}

export async function countContactAttempts(q: Queryable, contactId: Id, excludeId: string | null): Promise<number> {
  const r = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM call_attempts WHERE contact_id = $1 AND ($2::uuid IS NULL OR id <> $2::uuid)`,
    [contactId, excludeId],
  );
  return r.rows[0]?.n ?? 0;
}

export interface NewAttempt {
  campaignId: Id;
  contactId: Id;
  customerId: Id;
  attemptNo: number;
  phone: string;
  workerId: string;
  reservedAt: Date;
}

export async function insertReservedAttempt(q: Queryable, a: NewAttempt): Promise<string> {
  const r = await q.query<{ id: string }>(
    `INSERT INTO call_attempts (campaign_id, contact_id, customer_id, attempt_no, phone, worker_id, state, reserved_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'reserved', $7) RETURNING id`,
    [a.campaignId, a.contactId, a.customerId, a.attemptNo, a.phone, a.workerId, a.reservedAt],
  );
  return r.rows[0]!.id;
}

/** A reservation that was never dialed and may not be any more. */
export async function deleteReservedAttempt(q: Queryable, attemptId: string): Promise<void> {
  await q.query(`DELETE FROM call_attempts WHERE id = $1 AND state = 'reserved'`, [attemptId]);
}

export async function bumpContactAttempts(q: Queryable, contactId: Id, attemptNo: number): Promise<void> {
  await q.query(`UPDATE campaign_contacts SET attempts = GREATEST(attempts, $2), updated_at = now() WHERE id = $1`, [contactId, attemptNo]);
}

/** Makes a deferral or a block visible in campaign stats. */
export async function markContactHeld(q: Queryable, contactId: Id, state: 'deferred' | 'blocked', reason: string, nextAttemptAt: Date | null): Promise<void> {
  await q.query(
    `UPDATE campaign_contacts SET state = $2, reason = $3, next_attempt_at = $4, updated_at = now() WHERE id = $1`,
    [contactId, state, reason, nextAttemptAt],
  );
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
