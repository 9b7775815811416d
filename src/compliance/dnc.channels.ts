import type { Queryable } from '../store/db.js';

/**
 * Opt-outs that name a channel: `channel` null covers every channel (a spoken 9, an SMS
 * "退订"), 'email' only email (an unsubscribe link). The call gate reads null and 'call'; the
 * message gate null and its own channel.
 */
export async function insertChannelDnc(
  q: Queryable,
  e: { phone: string | null; customerId: number | null; channel: 'call' | 'sms' | 'email' | null; reason: string; source: string },
): Promise<number> {
  const { rows } = await q.query<{ id: number }>(
    `INSERT INTO dnc_entries (phone, customer_id, channel, reason, source) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [e.phone, e.customerId, e.channel, e.reason, e.source],
  );
  return rows[0]!.id;
}
