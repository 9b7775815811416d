import type { Queryable } from '../store/db.js';
import { decide } from './decide.js';
import { lockCustomer, type Id } from './gate.sql.js';
import { loadCampaignPolicy } from './policy.store.js';
import type { AttemptRecord, Decision, DncMatch, HolidayCalendar, Policy } from './policy.types.js';

/**
 * The gate before every SMS and email. The same rules as a call, judged on the message's own
 * channel: quiet hours, weekdays and holidays in the customer's zone as for calls; caps count
 * this channel's messages only (a reminder SMS does not use up a call, nor a call an SMS); DNC
 * entries for all channels and for this channel block it.
 */
export type MessageChannel = 'sms' | 'email';

/** Per channel and customer, across campaigns. */
export const MESSAGE_CAPS = { maxPerDay: 2, minGapMinutes: 60, maxInRollingDays: { count: 6, days: 7 } } as const;

/** The call policy's time rules with the message caps in place of the call caps. */
export function messagePolicy(callPolicy: Policy): Policy {
  return {
    ...callPolicy,
    maxAttemptsPerDay: MESSAGE_CAPS.maxPerDay,
    maxConnectedPerDay: null,
    maxAttemptsInRollingDays: MESSAGE_CAPS.maxInRollingDays,
    cooldownAfterConversationDays: null,
    minGapMinutes: MESSAGE_CAPS.minGapMinutes,
    maxAttemptsPerContact: null,
  };
}

async function selectMessageHistory(q: Queryable, customerId: Id, channel: MessageChannel, since: Date): Promise<AttemptRecord[]> {
  const { rows } = await q.query<{ at: Date }>(
    `SELECT queued_at AS at FROM messages
      WHERE customer_id = $1 AND channel = $2 AND direction = 'outbound' AND status <> 'failed' AND queued_at >= $3`,
    [customerId, channel, since],
  );
  return rows.map((r) => ({ at: r.at, connected: false }));
}

async function selectChannelDnc(q: Queryable, customerId: Id, channel: MessageChannel, phone: string | null, now: Date): Promise<DncMatch[]> {
  const { rows } = await q.query<DncMatch>(
    `SELECT reason, phone, customer_id::int AS "customerId", expires_at AS "expiresAt" FROM dnc_entries
      WHERE (customer_id = $1 OR ($3::text IS NOT NULL AND phone = $3)) AND (channel IS NULL OR channel = $2)
        AND (expires_at IS NULL OR expires_at > $4)`,
    [customerId, channel, phone, now],
  );
  return rows;
}

export interface MessageCheck {
  customerId: Id;
  channel: MessageChannel;
  campaignId: Id | null;
  now: Date;
  defaultProfile?: string | undefined;
  holidays?: HolidayCalendar | undefined;
}

/**
 * Decides under the customer's row lock (call it inside the transaction that records the
 * message, so two senders cannot both pass a cap). Null when the customer does not exist.
 */
export async function checkMessage(q: Queryable, m: MessageCheck): Promise<Decision | null> {
  const customer = await lockCustomer(q, m.customerId);
  if (!customer) return null;
  const policy = messagePolicy(await loadCampaignPolicy(q, m.campaignId, m.defaultProfile));
  const phone = customer.phones[0] ?? null;
  const since = new Date(m.now.getTime() - (MESSAGE_CAPS.maxInRollingDays.days + 2) * 86_400_000);
  const [history, dnc] = await Promise.all([
    selectMessageHistory(q, m.customerId, m.channel, since),
    selectChannelDnc(q, m.customerId, m.channel, m.channel === 'sms' ? phone : null, m.now),
  ]);
  return decide({
    now: m.now,
    policy,
    customer: { timeZone: customer.timeZone, phones: customer.phones },
    // The zone is inferred from the number's country when the customer has none, for email too.
    phone: phone ?? '',
    history,
    dnc,
    contactAttempts: 0,
    ...(m.holidays ? { holidays: m.holidays } : {}),
  });
}
