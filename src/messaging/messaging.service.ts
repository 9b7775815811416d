import type { Db, Queryable } from '../store/db.js';
import { withTransaction } from '../store/db.js';
import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js/max';
import { toE164 } from '../campaigns/phone.js';
import type { Logger } from '../shared/logger.js';
import type { PromptBank, PromptCustomer } from '../prompts/prompt.template.js';
import { checkMessage } from '../compliance/message-gate.js';
import { insertDnc } from '../compliance/dnc.repo.js';
import type { EmailSender } from './email.smtp.js';
import { UNSUBSCRIBE_LABEL } from './email.smtp.js';
import { renderMessage, OPT_OUT_CONFIRMATION, type MessageTemplates } from './message.template.js';
import {
  applyReceipt,
  getMessage,
  insertInboundMessage,
  insertQueuedMessage,
  markMessageFailed,
  markMessageSent,
  type MessageChannel,
  type MessageRow,
} from './messages.repo.js';
import { isOptOut, type DeliveryReceipt } from './sms.encode.js';
import { unsubscribeToken } from './unsubscribe.token.js';

/** Sends an SMS; resolves with the SMSC's id of each part (SmppClient in production). */
export interface SmsSender {
  submit(to: string, text: string): Promise<string[]>;
}

export interface MessagingDeps {
  db: Db;
  log: Logger;
  sms: SmsSender | null;
  email: EmailSender | null;
  bank: PromptBank;
  defaultProfile: string;
  publicUrl: string;
  unsubscribeSecret: string;
  /** Region for a sender's number that arrives without its country code. */
  defaultRegion: string;
  now?: () => Date;
}

export interface SendRequest {
  customerId: number;
  channel: MessageChannel;
  campaignId?: number | null;
  contactId?: number | null;
  planStep?: number | null;
  templates?: MessageTemplates | null;
}

export type SendResult =
  | { kind: 'sent' | 'failed'; message: MessageRow }
  | { kind: 'defer'; until: Date; rule: string; reason: string }
  | { kind: 'block'; rule: string; reason: string }
  | { kind: 'no_address' };

interface MessageCustomer extends PromptCustomer {
  id: number;
  phones: string[];
  email: string | null;
}

export async function selectMessageCustomer(q: Queryable, id: number): Promise<MessageCustomer | null> {
  const { rows } = await q.query<MessageCustomer>(
    `SELECT id, name, phones, email, locale, amount_due AS "amountDue", currency, to_char(due_date, 'YYYY-MM-DD') AS "dueDate", days_past_due AS "daysPastDue"
       FROM customers WHERE id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

/**
 * One message through the compliance gate and out: render → gate and ledger row (one
 * transaction, under the customer's lock) → SMPP or SMTP → sent or failed. A plan step's
 * message is recorded once: a replayed job finds its row and only sends one still queued.
 */
export async function sendMessage(deps: MessagingDeps, req: SendRequest): Promise<SendResult> {
  const customer = await selectMessageCustomer(deps.db, req.customerId);
  if (!customer) return { kind: 'block', rule: 'customer', reason: 'customer not found' };
  const address = req.channel === 'sms' ? customer.phones[0] : customer.email;
  if (!address) return { kind: 'no_address' };
  const rendered = renderMessage(req.channel, req.templates, customer, deps.bank);
  const now = deps.now?.() ?? new Date();

  const gated = await withTransaction(deps.db, async (c): Promise<SendResult | MessageRow> => {
    const d = await checkMessage(c, {
      customerId: req.customerId,
      channel: req.channel,
      campaignId: req.campaignId ?? null,
      now,
      defaultProfile: deps.defaultProfile,
    });
    if (!d) return { kind: 'block', rule: 'customer', reason: 'customer not found' };
    if (d.kind === 'defer') return { kind: 'defer', until: d.until, rule: d.rule, reason: d.reason };
    if (d.kind === 'block') return { kind: 'block', rule: d.rule, reason: d.reason };
    const row = await insertQueuedMessage(c, {
      customerId: req.customerId,
      campaignId: req.campaignId ?? null,
      contactId: req.contactId ?? null,
      planStep: req.planStep ?? null,
      channel: req.channel,
      address,
      locale: rendered.locale,
      subject: rendered.subject,
      body: rendered.body,
    });
    return row ?? (await existingStepMessage(c, req));
  });
  if ('kind' in gated) return gated;
  if (gated.status !== 'queued') return { kind: gated.status === 'failed' ? 'failed' : 'sent', message: gated };
  return deliver(deps, gated);
}

async function existingStepMessage(q: Queryable, req: SendRequest): Promise<MessageRow> {
  const { rows } = await q.query<{ id: string }>(`SELECT id FROM messages WHERE contact_id = $1 AND plan_step = $2`, [req.contactId, req.planStep]);
  return (await getMessage(q, rows[0]!.id))!;
}

async function deliver(deps: MessagingDeps, m: MessageRow): Promise<SendResult> {
  try {
    let ids: string[];
    if (m.channel === 'sms') {
      if (!deps.sms) throw new Error('no SMS sender configured');
      ids = await deps.sms.submit(m.address, m.body);
    } else {
      if (!deps.email) throw new Error('no email sender configured');
      const url = `${deps.publicUrl.replace(/\/$/, '')}/unsubscribe/${unsubscribeToken(deps.unsubscribeSecret, m.customerId!)}`;
      ids = [
        await deps.email.send({
          to: m.address,
          subject: m.subject ?? '',
          text: m.body,
          unsubscribeUrl: url,
          unsubscribeLabel: UNSUBSCRIBE_LABEL[m.locale ?? ''] ?? UNSUBSCRIBE_LABEL['en-US']!,
        }),
      ];
    }
    await markMessageSent(deps.db, m.id, ids);
    return { kind: 'sent', message: (await getMessage(deps.db, m.id))! };
  } catch (err) {
    deps.log.warn({ err: (err as Error).message, messageId: m.id, channel: m.channel }, 'message not sent');
    await markMessageFailed(deps.db, m.id, (err as Error).message);
    return { kind: 'failed', message: (await getMessage(deps.db, m.id))! };
  }
}

/** A delivery receipt; one that outran the submit's answer is tried again a few times. */
export async function handleReceipt(deps: Pick<MessagingDeps, 'db' | 'log'>, r: DeliveryReceipt, tries = 6): Promise<MessageRow | null> {
  for (let i = 0; i < tries; i++) {
    const row = await applyReceipt(deps.db, r.messageId, r.delivered, r.stat);
    if (row) return row;
    await new Promise((res) => setTimeout(res, 250 * (i + 1)));
  }
  deps.log.warn({ providerId: r.messageId }, 'delivery receipt for an unknown message');
  return null;
}

async function selectCustomerByPhone(q: Queryable, phone: string): Promise<{ id: number; locale: string } | null> {
  const { rows } = await q.query<{ id: number; locale: string }>(`SELECT id, locale FROM customers WHERE phones @> ARRAY[$1]::text[] ORDER BY id LIMIT 1`, [
    phone,
  ]);
  return rows[0] ?? null;
}

/**
 * SMSCs send the sender as +E.164, as international digits without the plus (TON not always
 * set), or as a national number. Digits that start with the home country's code are read as
 * international; otherwise a valid national number wins, then a valid international one.
 */
export function senderE164(from: string, region: string): string {
  const valid = (text: string): string | null => {
    const r = toE164(text, region);
    return r.ok ? r.e164 : null;
  };
  if (from.startsWith('+')) return valid(from) ?? from;
  if (!/^\d{6,15}$/.test(from)) return from;
  const home = getCountryCallingCode(region as CountryCode);
  const intl = valid(`+${from}`);
  if (intl && from.startsWith(home)) return intl;
  return valid(from) ?? intl ?? from;
}

/**
 * A message from a customer. An opt-out keyword (TD, 退订, STOP, UNSUBSCRIBE) puts the number
 * and the customer on the do-not-contact list for every channel at once, in the same
 * transaction as the ledger row, then confirms by SMS (a reply the customer asked for: no gate).
 */
export async function handleInboundSms(deps: MessagingDeps, raw: { from: string; text: string }): Promise<{ optedOut: boolean; customerId: number | null }> {
  const m = { ...raw, from: senderE164(raw.from, deps.defaultRegion) };
  const optOut = isOptOut(m.text);
  const customer = await selectCustomerByPhone(deps.db, m.from);
  await withTransaction(deps.db, async (c) => {
    await insertInboundMessage(c, { customerId: customer?.id ?? null, channel: 'sms', address: m.from, body: m.text.slice(0, 2000) });
    if (optOut)
      await insertDnc(c, {
        phone: m.from,
        customerId: customer?.id ?? null,
        channel: null,
        reason: `opted out by SMS (${m.text.trim().slice(0, 20)})`,
        source: 'sms',
        expiresAt: null,
        createdBy: null,
      });
  });
  if (optOut && deps.sms) {
    const text =
      OPT_OUT_CONFIRMATION[customer?.locale ?? ''] ?? (/[\u4e00-\u9fff]/.test(m.text) ? OPT_OUT_CONFIRMATION['zh-CN']! : OPT_OUT_CONFIRMATION['en-US']!);
    const row = await insertQueuedMessage(deps.db, {
      customerId: customer?.id ?? null,
      channel: 'sms',
      address: m.from,
      locale: customer?.locale ?? null,
      body: text,
    });
    if (row) await deliver(deps, row);
  }
  return { optedOut: optOut, customerId: customer?.id ?? null };
}
