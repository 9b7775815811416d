import type { Queryable } from '../store/db.js';

export interface DncEntry {
  id: number;
  phone: string | null;
  customerId: number | null;
  reason: string;
  source: string;
  expiresAt: Date | null;
  createdBy: number | null;
  /** null: every channel (calls, SMS, email); else only that one (an email unsubscribe link). */
  channel: 'call' | 'sms' | 'email' | null;
  createdAt: Date;
  /** The call on which the customer asked (entries an agent made), else null. */
  callId: string | null;
}

const COLUMNS = `id, phone, customer_id AS "customerId", reason, source, expires_at AS "expiresAt", created_by AS "createdBy", channel, created_at AS "createdAt", call_id AS "callId"`;

export async function insertDnc(
  q: Queryable,
  e: {
    phone: string | null;
    customerId: number | null;
    reason: string;
    source: string;
    expiresAt: Date | null;
    createdBy: number | null;
    channel?: DncEntry['channel'];
    callId?: string | null;
  },
): Promise<DncEntry> {
  const { rows } = await q.query<DncEntry>(
    `INSERT INTO dnc_entries (phone, customer_id, reason, source, expires_at, created_by, channel, call_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [e.phone, e.customerId, e.reason, e.source, e.expiresAt, e.createdBy, e.channel ?? null, e.callId ?? null],
  );
  return rows[0]!;
}

export interface DncFilter {
  phone?: string | undefined;
  customerId?: number | undefined;
  /** Only entries in force now (not expired). */
  activeOnly?: boolean | undefined;
  beforeId?: number | undefined;
  limit: number;
}

/** Newest first. */
export async function listDnc(q: Queryable, f: DncFilter): Promise<DncEntry[]> {
  const { rows } = await q.query<DncEntry>(
    `SELECT ${COLUMNS} FROM dnc_entries
      WHERE ($1::text IS NULL OR phone = $1)
        AND ($2::bigint IS NULL OR customer_id = $2)
        AND (NOT $3::boolean OR expires_at IS NULL OR expires_at > now())
        AND ($4::bigint IS NULL OR id < $4)
      ORDER BY id DESC LIMIT $5`,
    [f.phone ?? null, f.customerId ?? null, f.activeOnly ?? false, f.beforeId ?? null, f.limit],
  );
  return rows;
}

export async function deleteDnc(q: Queryable, id: number): Promise<DncEntry | null> {
  const { rows } = await q.query<DncEntry>(`DELETE FROM dnc_entries WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
  return rows[0] ?? null;
}

/** The customer pressed the opt-out digit on a call: the number and the customer are not called again. */
export async function insertOptOut(db: Queryable, phone: string, customerId: string): Promise<void> {
  await db.query(`INSERT INTO dnc_entries (phone, customer_id, reason, source) VALUES ($1, $2, 'opted_out', 'ivr')`, [phone, customerId]);
}

/** Whether the customer (or one of their numbers) opted out of every channel, unexpired (a contact plan's stop). */
export async function isOptedOutEverywhere(q: Queryable, customerId: string | number): Promise<boolean> {
  const { rows } = await q.query<{ yes: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM dnc_entries d
                     WHERE d.channel IS NULL AND (d.expires_at IS NULL OR d.expires_at > now())
                       AND (d.customer_id = $1 OR d.phone = ANY (SELECT unnest(phones) FROM customers WHERE id = $1))) AS yes`,
    [customerId],
  );
  return rows[0]?.yes ?? false;
}
