import { Type, type Static } from '@sinclair/typebox';
import { ValidationError } from '../shared/errors.js';
import { pickPromptLocale } from '../prompts/prompt.render.js';
import {
  PROMPT_FIELDS,
  PromptFieldMissingError,
  templateFields,
  validateTtsTemplate,
  type PromptBank,
  type PromptCustomer,
} from '../prompts/prompt.template.js';

/**
 * Message templates per language, with the same placeholders as spoken prompts ({name},
 * {amount}, {due_date}, {days_past_due}, {callback_number}, {bank_name}), written out as text
 * instead of spoken words. A campaign's plan may bring its own; these are the defaults.
 */
export const MessageTemplateSchema = Type.Object(
  { subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), body: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);
export type MessageTemplate = Static<typeof MessageTemplateSchema>;
/** `{ sms: { "zh-CN": {body} }, email: { "en-US": {subject, body} } }` */
export const MessageTemplatesSchema = Type.Object(
  { sms: Type.Optional(Type.Record(Type.String(), MessageTemplateSchema)), email: Type.Optional(Type.Record(Type.String(), MessageTemplateSchema)) },
  { additionalProperties: false },
);
export type MessageTemplates = Static<typeof MessageTemplatesSchema>;

export const DEFAULT_TEMPLATES: Required<MessageTemplates> = {
  sms: {
    'zh-CN': { body: '【{bank_name}】{name}您好，您的欠款{amount}已逾期{days_past_due}天，请尽快还款。咨询请致电{callback_number}。回复TD退订' },
    'en-US': {
      body: '{bank_name}: Dear {name}, your payment of {amount} is {days_past_due} days past due. Please pay soon. Questions: {callback_number}. Reply STOP to opt out.',
    },
  },
  email: {
    'zh-CN': {
      subject: '{bank_name}还款提醒',
      body: '{name}您好：\n\n您的欠款{amount}已逾期{days_past_due}天（到期日{due_date}），请尽快还款。\n如有疑问请致电{callback_number}。\n\n{bank_name}',
    },
    'en-US': {
      subject: '{bank_name}: payment reminder',
      body: 'Dear {name},\n\nyour payment of {amount} (due {due_date}) is {days_past_due} days past due. Please pay as soon as you can.\nQuestions: {callback_number}.\n\n{bank_name}',
    },
  },
};

/** Confirmation sent after an SMS opt-out, in the customer's language. */
export const OPT_OUT_CONFIRMATION: Record<string, string> = {
  'zh-CN': '您已成功退订，我们将不再通过短信、邮件或电话联系您。',
  'en-US': 'You are unsubscribed: we will not contact you again by SMS, email or phone.',
};

export function validateMessageTemplates(t: MessageTemplates): void {
  for (const channel of ['sms', 'email'] as const) {
    for (const [locale, tpl] of Object.entries(t[channel] ?? {})) {
      validateTtsTemplate(tpl.body, { channel, locale, field: 'body' });
      if (tpl.subject) validateTtsTemplate(tpl.subject, { channel, locale, field: 'subject' });
      if (channel === 'email' && !tpl.subject) throw new ValidationError('an email template needs a subject', { channel, locale }, 'template_subject_required');
    }
  }
}

function amountText(c: PromptCustomer, locale: string): string | null {
  if (c.amountDue === null) return null;
  const n = Number(c.amountDue);
  const fixed = n.toFixed(2).replace(/\.00$/, '');
  if (locale.startsWith('zh') && (c.currency === 'CNY' || c.currency === null)) return `${fixed}元`;
  return `${n.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 2 })} ${c.currency ?? ''}`.trim();
}

function fieldValue(field: string, c: PromptCustomer, bank: PromptBank, locale: string): string | null {
  switch (field) {
    case 'name':
      return c.name;
    case 'amount':
      return amountText(c, locale);
    case 'due_date':
      return c.dueDate === null ? null : typeof c.dueDate === 'string' ? c.dueDate : c.dueDate.toISOString().slice(0, 10);
    case 'days_past_due':
      return c.daysPastDue === null ? null : String(c.daysPastDue);
    case 'callback_number':
      return bank.callbackNumber;
    case 'bank_name':
      return bank.name;
    default:
      return null;
  }
}

export function fillTemplate(text: string, c: PromptCustomer, bank: PromptBank, locale: string): string {
  const missing = templateFields(text).filter((f) => (PROMPT_FIELDS as readonly string[]).includes(f) && fieldValue(f, c, bank, locale) === null);
  if (missing.length) throw new PromptFieldMissingError([...new Set(missing)]);
  return text.replace(/\{([^{}]*)\}/g, (_m, f: string) => fieldValue(f.trim(), c, bank, locale) ?? '');
}

export interface RenderedMessage {
  locale: string;
  subject: string | null;
  body: string;
}

/** The template in the customer's language (or the first one there is), filled in. */
export function renderMessage(channel: 'sms' | 'email', templates: MessageTemplates | null | undefined, c: PromptCustomer, bank: PromptBank): RenderedMessage {
  const own = templates?.[channel];
  const set = own && Object.keys(own).length ? own : DEFAULT_TEMPLATES[channel];
  const locale = pickPromptLocale(Object.keys(set), c.locale) ?? Object.keys(set)[0]!;
  const tpl = set[locale]!;
  return { locale, subject: tpl.subject ? fillTemplate(tpl.subject, c, bank, locale) : null, body: fillTemplate(tpl.body, c, bank, locale) };
}
