import type { Queryable } from '../store/db.js';

/** The message ledger: the only writer of `messages`. */
export type MessageChannel = 'sms' | 'email';
export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'failed' | 'received';

export interface MessageRow {
  id: string;
  customerId: number | null;
  campaignId: number | null;
  contactId: number | null;
  planStep: number | null;
  channel: MessageChannel;
  direction: 'outbound' | 'inbound';
  address: string;
  locale: string | null;
  subject: string | null;
  body: string;
  status: MessageStatus;
  parts: number;
  deliveredParts: number;
  providerIds: string[];
  error: string | null;
  queuedAt: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
  failedAt: Date | null;
}

const COLUMNS = `id, customer_id AS "customerId", campaign_id AS "campaignId", contact_id AS "contactId", plan_step AS "planStep",
  channel, direction, address, locale, subject, body, status, parts, delivered_parts AS "deliveredParts", provider_ids AS "providerIds",
  error, queued_at AS "queuedAt", sent_at AS "sentAt", delivered_at AS "deliveredAt", failed_at AS "failedAt"`;

export interface NewMessage {
  customerId: number | null;
  campaignId?: number | null;
  contactId?: number | null;
  planStep?: number | null;
  channel: MessageChannel;
  address: string;
  locale?: string | null;
  subject?: string | null;
  body: string;
}

/** A queued outbound message; null when this contact's plan step already has one (a replayed job). */
export async function insertQueuedMessage(q: Queryable, m: NewMessage): Promise<MessageRow | null> {
  const { rows } = await q.query<MessageRow>(
    `INSERT INTO messages (customer_id, campaign_id, contact_id, plan_step, channel, address, locale, subject, body, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued')
     ON CONFLICT (contact_id, plan_step) DO NOTHING RETURNING ${COLUMNS}`,
    [m.customerId, m.campaignId ?? null, m.contactId ?? null, m.planStep ?? null, m.channel, m.address, m.locale ?? null, m.subject ?? null, m.body],
  );
  return rows[0] ?? null;
}

export async function insertInboundMessage(
  q: Queryable,
  m: { customerId: number | null; channel: MessageChannel; address: string; body: string },
): Promise<MessageRow> {
  const { rows } = await q.query<MessageRow>(
    `INSERT INTO messages (customer_id, channel, direction, address, body, status) VALUES ($1, $2, 'inbound', $3, $4, 'received') RETURNING ${COLUMNS}`,
    [m.customerId, m.channel, m.address, m.body],
  );
  return rows[0]!;
}

export async function markMessageSent(q: Queryable, id: string, providerIds: string[]): Promise<void> {
  await q.query(
    `UPDATE messages SET status = 'sent', parts = greatest(1, cardinality($2::text[])), provider_ids = $2, sent_at = now() WHERE id = $1 AND status = 'queued'`,
    [id, providerIds],
  );
}

export async function markMessageFailed(q: Queryable, id: string, error: string): Promise<void> {
  await q.query(`UPDATE messages SET status = 'failed', error = $2, failed_at = now() WHERE id = $1 AND status IN ('queued', 'sent')`, [
    id,
    error.slice(0, 500),
  ]);
}

/**
 * One part's delivery receipt. The message is delivered when every part is, failed as soon as
 * one part is not. A receipt may race the submit's answer; it then finds no row and is retried
 * by the caller.
 */
export async function applyReceipt(q: Queryable, providerId: string, delivered: boolean, stat: string): Promise<MessageRow | null> {
  const { rows } = await q.query<MessageRow>(
    `UPDATE messages SET
        delivered_parts = delivered_parts + CASE WHEN $2 THEN 1 ELSE 0 END,
        status = CASE WHEN NOT $2 THEN 'failed'
                      WHEN status = 'sent' AND delivered_parts + 1 >= parts THEN 'delivered' ELSE status END,
        delivered_at = CASE WHEN $2 AND status = 'sent' AND delivered_parts + 1 >= parts THEN now() ELSE delivered_at END,
        failed_at = CASE WHEN NOT $2 THEN coalesce(failed_at, now()) ELSE failed_at END,
        error = CASE WHEN NOT $2 THEN 'receipt: ' || $3 ELSE error END
      WHERE provider_ids @> ARRAY[$1]::text[] AND channel = 'sms' AND status IN ('sent', 'delivered', 'failed')
      RETURNING ${COLUMNS}`,
    [providerId, delivered, stat],
  );
  return rows[0] ?? null;
}

export async function getMessage(q: Queryable, id: string): Promise<MessageRow | null> {
  const { rows } = await q.query<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export interface MessageFilter {
  campaignId?: number | undefined;
  customerId?: number | undefined;
  channel?: MessageChannel | undefined;
  status?: MessageStatus | undefined;
  before?: Date | undefined;
  limit: number;
}

/** Newest first. */
export async function listMessages(q: Queryable, f: MessageFilter): Promise<MessageRow[]> {
  const { rows } = await q.query<MessageRow>(
    `SELECT ${COLUMNS} FROM messages
      WHERE ($1::bigint IS NULL OR campaign_id = $1) AND ($2::bigint IS NULL OR customer_id = $2)
        AND ($3::text IS NULL OR channel = $3) AND ($4::text IS NULL OR status = $4) AND ($5::timestamptz IS NULL OR queued_at < $5)
      ORDER BY queued_at DESC, id LIMIT $6`,
    [f.campaignId ?? null, f.customerId ?? null, f.channel ?? null, f.status ?? null, f.before ?? null, f.limit],
  );
  return rows;
}

/** A campaign's messages by channel and status (for its stats). */
export async function countCampaignMessages(q: Queryable, campaignId: number): Promise<{ channel: MessageChannel; status: MessageStatus; n: number }[]> {
  const { rows } = await q.query<{ channel: MessageChannel; status: MessageStatus; n: number }>(
    `SELECT channel, status, count(*)::int AS n FROM messages WHERE campaign_id = $1 GROUP BY channel, status ORDER BY channel, status`,
    [campaignId],
  );
  return rows;
}

/** Outbound messages of a customer on a channel since `since` (the compliance caps count them apart from calls). */
export async function countMessagesSince(q: Queryable, customerId: number, channel: MessageChannel, since: Date): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM messages WHERE customer_id = $1 AND channel = $2 AND direction = 'outbound' AND status <> 'failed' AND queued_at >= $3`,
    [customerId, channel, since],
  );
  return rows[0]!.n;
}

export const MESSAGE_STATUSES = ['queued', 'sent', 'delivered', 'failed', 'received'] as const;

/** Pure: grouped counts → `{ sms: {queued, sent, ...}, email: {...} }` with every key present. */
export function summarizeMessages(
  rows: { channel: MessageChannel; status: MessageStatus; n: number }[],
): Record<MessageChannel, Record<MessageStatus, number>> {
  const zero = () => Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, 0])) as Record<MessageStatus, number>;
  const out = { sms: zero(), email: zero() };
  for (const r of rows) out[r.channel][r.status] += r.n;
  return out;
}

/** Oldest first, after the (queued_at, id) key: the export's keyset pages (milliseconds, as a JS Date holds the key). */
export async function listMessagesAfter(
  q: Queryable,
  f: Omit<MessageFilter, 'before' | 'limit'>,
  after: { at: Date; id: string } | null,
  limit: number,
): Promise<MessageRow[]> {
  const { rows } = await q.query<MessageRow>(
    `SELECT ${COLUMNS} FROM messages
      WHERE ($1::bigint IS NULL OR campaign_id = $1) AND ($2::bigint IS NULL OR customer_id = $2)
        AND ($3::text IS NULL OR channel = $3) AND ($4::text IS NULL OR status = $4)
        AND ($5::timestamptz IS NULL OR (date_trunc('milliseconds', queued_at), id) > ($5, $6::uuid))
      ORDER BY date_trunc('milliseconds', queued_at), id LIMIT $7`,
    [f.campaignId ?? null, f.customerId ?? null, f.channel ?? null, f.status ?? null, after?.at ?? null, after?.id ?? null, limit],
  );
  return rows;
}
