import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { AppError, ValidationError } from '../shared/errors.js';
import { amountWords, countWords, dateWords, digitWords, SPEECH_LOCALES, toSpeechLocale, type SpeechLocale } from './speak.words.js';

/** The placeholders a TTS template may use. */
export const PROMPT_FIELDS = ['name', 'amount', 'due_date', 'days_past_due', 'callback_number', 'bank_name', 'contact_name'] as const;
export type PromptField = (typeof PROMPT_FIELDS)[number];

export const TTS_TEXT_MAX = 2000;

// Asterisk sound names relative to its sounds folder ("hello-world", "digits/5"): no absolute
// paths, no "..", no commas (a comma would split an ARI media list).
const SOUND_NAME = '^[A-Za-z0-9_][A-Za-z0-9_-]*(/[A-Za-z0-9_][A-Za-z0-9_-]*)*$';

export const PromptSegmentSchema = Type.Union([
  Type.Object({ type: Type.Literal('audio'), promptId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('tts'), text: Type.String({ minLength: 1, maxLength: TTS_TEXT_MAX }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('sound'), name: Type.String({ pattern: SOUND_NAME, maxLength: 200 }) }, { additionalProperties: false }),
]);
export type PromptSegment = Static<typeof PromptSegmentSchema>;

export const LocalePromptSchema = Type.Object({ segments: Type.Array(PromptSegmentSchema, { minItems: 1, maxItems: 50 }) }, { additionalProperties: false });
export type LocalePrompt = Static<typeof LocalePromptSchema>;

/** A campaign's `prompt` column: `{ "<locale>": { segments: [...] } }`. Usable as a route schema. */
export const CampaignPromptSchema = Type.Record(Type.String(), LocalePromptSchema);
export type CampaignPrompt = Static<typeof CampaignPromptSchema>;

/** What renderText reads about a customer (the `customers` row, camel-cased). */
export interface PromptCustomer {
  name: string;
  locale?: string | null;
  /** numeric as text, e.g. "3200.50" (pg returns numeric as a string: keep it that way). */
  amountDue: string | null;
  currency: string | null;
  /** "YYYY-MM-DD", or a Date as pg parses `date` (local midnight). */
  dueDate: string | Date | null;
  daysPastDue: number | null;
}

export interface PromptBank {
  name: string;
  callbackNumber: string;
  /** A person the customer can ask for when calling back (voicemail messages); empty = "us". */
  contactName?: string;
}

/** A template uses a field the customer row does not have: the call cannot be rendered. */
export class PromptFieldMissingError extends AppError {
  constructor(fields: string[]) {
    super('prompt_field_missing', `the customer has no value for ${fields.join(', ')}`, 422, { fields });
    this.name = 'PromptFieldMissingError';
  }
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The placeholder names a template uses, in order, repeats included. */
export function templateFields(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => (m[1] ?? '').trim());
}

function isPromptField(name: string): name is PromptField {
  return (PROMPT_FIELDS as readonly string[]).includes(name);
}

/** Checks one TTS template; throws `prompt_unknown_field` or `prompt_invalid_template`. */
export function validateTtsTemplate(text: string, where: Record<string, unknown> = {}): void {
  const unknown = templateFields(text).filter((f) => !isPromptField(f));
  if (unknown.length > 0) {
    throw new ValidationError(
      `unknown placeholder ${unknown.map((f) => `{${f}}`).join(', ')}; allowed: ${PROMPT_FIELDS.map((f) => `{${f}}`).join(', ')}`,
      { ...where, fields: unknown, allowed: PROMPT_FIELDS },
      'prompt_unknown_field',
    );
  }
  if (/[{}]/.test(text.replace(PLACEHOLDER, ''))) {
    throw new ValidationError('unbalanced { or } in template', { ...where }, 'prompt_invalid_template');
  }
}

/**
 * Accepts the untyped shorthand `{ promptId }` / `{ text }` (the campaigns API schema's form) as
 * `{ type: 'audio', promptId }` / `{ type: 'tts', text }`. Returns a copy; anything else is
 * left for the schema check to reject.
 */
function withSegmentTypes(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const out: Record<string, unknown> = {};
  for (const [locale, lp] of Object.entries(input)) {
    const segments = (lp as { segments?: unknown } | null)?.segments;
    if (!Array.isArray(segments)) {
      out[locale] = lp;
      continue;
    }
    out[locale] = {
      ...(lp as object),
      segments: segments.map((s: unknown) => {
        if (typeof s !== 'object' || s === null || 'type' in s) return s;
        if ('promptId' in s) return { type: 'audio', ...s };
        if ('text' in s) return { type: 'tts', ...s };
        return s;
      }),
    };
  }
  return out;
}

/**
 * Validates a campaign's `prompt` value (for campaign create and patch). Throws a 422
 * ValidationError: `prompt_invalid` (shape), `prompt_unsupported_locale`, `prompt_unknown_field`,
 * `prompt_invalid_template`. Returns the prompt with every segment typed (see withSegmentTypes).
 * Whether audio promptIds exist is the caller's check (`missingPromptIds`).
 */
export function validatePrompt(input: unknown): CampaignPrompt {
  const prompt = withSegmentTypes(input);
  if (!Value.Check(CampaignPromptSchema, prompt)) {
    const errors = [...Value.Errors(CampaignPromptSchema, prompt)].slice(0, 10).map((e) => ({ path: e.path, message: e.message }));
    throw new ValidationError('prompt must be { "<locale>": { "segments": [ ... ] } }', { errors }, 'prompt_invalid');
  }
  for (const [locale, lp] of Object.entries(prompt)) {
    // Keys are matched by language ("zh", "zh-CN", "en", "en-GB" are all fine): see toSpeechLocale.
    if (!toSpeechLocale(locale)) {
      throw new ValidationError(
        `locale ${locale} cannot be spoken; supported languages: ${SPEECH_LOCALES.join(', ')}`,
        { locale, supported: SPEECH_LOCALES },
        'prompt_unsupported_locale',
      );
    }
    lp.segments.forEach((s, i) => {
      if (s.type === 'tts') validateTtsTemplate(s.text, { locale, segment: i });
    });
  }
  return prompt;
}

/** The audio prompt ids a campaign prompt refers to (to check they exist). */
export function promptIds(prompt: CampaignPrompt): number[] {
  const ids = new Set<number>();
  for (const lp of Object.values(prompt)) for (const s of lp.segments) if (s.type === 'audio') ids.add(s.promptId);
  return [...ids];
}

/**
 * The callback number as the customer dials it (national format when the number is known to
 * libphonenumber, else its national digits), read digit by digit with a pause between groups.
 */
export function callbackWords(callbackNumber: string, locale: SpeechLocale): string {
  const parsed = callbackNumber.trim().startsWith('+') ? parsePhoneNumberFromString(callbackNumber.trim()) : undefined;
  const groups = parsed?.isValid()
    ? parsed
        .formatNational()
        .split(/[^0-9]+/)
        .filter(Boolean)
    : [parsed ? String(parsed.nationalNumber) : callbackNumber.replace(/\D/g, '')];
  return groups.map((g) => digitWords(g, locale)).join(locale === 'zh-CN' ? '，' : ', ');
}

// Names go into TTS text: keep them to a sane length and free of markup-like characters.
function speakableName(name: string): string {
  return name
    .replace(/[\p{C}{}<>]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 60);
}

function isoDate(d: string | Date): string {
  if (typeof d === 'string') return d;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * The words each placeholder of `template` stands for, in the locale: amounts and dates read
 * out, days as a number, the callback number digit by digit. Throws PromptFieldMissingError when
 * the customer lacks a used field, and `prompt_unknown_field` for an unknown placeholder.
 */
export function fieldValues(template: string, customer: PromptCustomer, bank: PromptBank, locale: SpeechLocale): Map<PromptField, string> {
  validateTtsTemplate(template);
  const missing = new Set<string>();
  const value = (field: PromptField): string | undefined => {
    switch (field) {
      case 'name':
        return speakableName(customer.name);
      case 'amount':
        if (customer.amountDue === null || !customer.currency) break;
        return amountWords(customer.amountDue, customer.currency, locale);
      case 'due_date':
        if (customer.dueDate === null) break;
        return dateWords(isoDate(customer.dueDate), locale);
      case 'days_past_due':
        if (customer.daysPastDue === null) break;
        return countWords(customer.daysPastDue, locale);
      case 'callback_number':
        return callbackWords(bank.callbackNumber, locale);
      case 'bank_name':
        return bank.name;
      case 'contact_name':
        return bank.contactName || (locale === 'zh-CN' ? '我们' : 'us');
    }
    missing.add(field === 'amount' && customer.amountDue !== null ? 'currency' : field);
    return undefined;
  };
  const out = new Map<PromptField, string>();
  for (const f of templateFields(template) as PromptField[]) {
    if (out.has(f)) continue;
    const v = value(f);
    if (v !== undefined) out.set(f, v);
  }
  if (missing.size > 0) throw new PromptFieldMissingError([...missing]);
  return out;
}

/** The template with its placeholders filled (fieldValues): the sentence a customer hears. */
export function renderText(template: string, customer: PromptCustomer, bank: PromptBank, locale: SpeechLocale): string {
  const values = fieldValues(template, customer, bank, locale);
  return template.replace(PLACEHOLDER, (_m, f: string) => values.get(f.trim() as PromptField) ?? '');
}

/** The template cut at its placeholders: literal text and field names, alternating (text first, maybe empty). */
export function templateParts(template: string): Array<{ literal: string } | { field: PromptField }> {
  const out: Array<{ literal: string } | { field: PromptField }> = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    out.push({ literal: template.slice(last, m.index) });
    out.push({ field: (m[1] ?? '').trim() as PromptField });
    last = m.index + m[0].length;
  }
  out.push({ literal: template.slice(last) });
  return out;
}
