import { IANAZone } from 'luxon';
import { toE164 } from './phone.js';
import { nearestLocale } from '../prompts/locale.match.js';
import {
  DEFAULT_SUPPORTED_LOCALES,
  MAX_EMAIL_LENGTH,
  MAX_EXTERNAL_ID_LENGTH,
  MAX_NAME_LENGTH,
  MAX_PHONES,
  RISK_TIERS,
  type ImportField,
  type RawValues,
  type RowError,
  type RowErrorCode,
  type ValidRow,
} from '../contacts/customer.fields.js';

/**
 * Pure validation of one imported customer row. Parsers (CSV or JSON) hand over the raw cell
 * values keyed by canonical field; this returns either a normalised row ready for staging or
 * every problem found in the row. No I/O, no state besides small lookup caches.
 */

/** numeric(14, 2): twelve digits before the point. */
const MAX_AMOUNT_INTEGER_DIGITS = 12;
const MAX_DAYS_PAST_DUE = 100_000;

export interface ValidateOptions {
  defaultRegion: string;
  supportedLocales?: readonly string[];
  /** How fields are named in errors: CSV column names, or the JSON keys (the default). */
  labels?: Record<ImportField, string>;
}

export type ValidateResult = { ok: true; value: ValidRow } | { ok: false; errors: RowError[] };

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const PHONE_SEPARATORS = /[;|]/;
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/**
 * Validates one row. `row` is only used to label errors. Empty strings and null mean "not
 * given"; optional fields not given are null in the result.
 */
export function validateRow(row: number, values: RawValues, opts: ValidateOptions): ValidateResult {
  const errors: RowError[] = [];
  const label = (f: ImportField): string => opts.labels?.[f] ?? f;
  // Messages say `{field}` where the field's label goes.
  const err: Err = (field, code, message) => {
    const l = label(field);
    errors.push({ row, field: l, code, message: message.replace('{field}', l) });
    return null;
  };
  const locales = opts.supportedLocales ?? DEFAULT_SUPPORTED_LOCALES;

  const externalId = text(values.externalId, 'externalId', MAX_EXTERNAL_ID_LENGTH, err, true);
  const name = text(values.name, 'name', MAX_NAME_LENGTH, err, true);
  const phones = phoneList(values.phone, opts.defaultRegion, err);

  const tz = scalar(values.timezone, 'timezone', err);
  const timeZone =
    tz === null ? null : (canonicalZone(tz) ?? err('timezone', 'invalid_time_zone', `"${tz.slice(0, 64)}" is not an IANA time zone (e.g. Asia/Shanghai)`));

  const loc = scalar(values.locale, 'locale', err);
  const locale = loc === null ? null : checkLocale(loc, locales, err);

  const amt = scalar(values.amountDue, 'amountDue', err);
  const amountDue = amt === null ? null : checkAmount(amt, err);

  const cur = scalar(values.currency, 'currency', err);
  let currency: string | null = null;
  if (cur !== null) {
    if (!/^[A-Za-z]{3}$/.test(cur)) err('currency', 'invalid_format', '{field} must be a 3-letter ISO 4217 code');
    else if (!CURRENCIES.has(cur.toUpperCase())) err('currency', 'unknown_currency', `${cur.toUpperCase()} is not an ISO 4217 currency`);
    else currency = cur.toUpperCase();
  }

  const due = scalar(values.dueDate, 'dueDate', err);
  const dueDate = due === null ? null : checkDate(due, err);

  const daysPastDue = integer(values.daysPastDue, 'daysPastDue', 0, MAX_DAYS_PAST_DUE, err);
  const riskScore = integer(values.riskScore, 'riskScore', 0, 100, err);

  const tier = scalar(values.riskTier, 'riskTier', err);
  let riskTier: ValidRow['riskTier'] = null;
  if (tier !== null) {
    const t = tier.toLowerCase();
    if ((RISK_TIERS as readonly string[]).includes(t)) riskTier = t as ValidRow['riskTier'];
    else err('riskTier', 'invalid_value', `{field} must be one of ${RISK_TIERS.join(', ')}`);
  }

  const mail = text(values.email, 'email', MAX_EMAIL_LENGTH, err, false);
  // The shape only (one @, a dotted domain, no spaces): whether it delivers, the SMTP server says.
  const email =
    mail === null || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(mail) ? mail : err('email', 'invalid_format', '{field} must be an address such as name@example.com');

  if (errors.length > 0 || externalId === null || name === null || phones === null) return { ok: false, errors };
  return { ok: true, value: { externalId, name, phones, timeZone, locale, amountDue, currency, dueDate, daysPastDue, riskScore, riskTier, email } };
}

/** The external id of a row that failed validation, if it has a usable one (for duplicates). */
export function externalIdOf(v: unknown): string | null {
  const s = typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
  return s !== '' && s.length <= MAX_EXTERNAL_ID_LENGTH && !CONTROL_CHARS.test(s) ? s : null;
}

type Err = (field: ImportField, code: RowErrorCode, message: string) => null;

/** A string (or, from JSON, a number) trimmed; null when absent or empty. */
function scalar(v: unknown, field: ImportField, err: Err): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return err(field, 'invalid_type', '{field} must be a finite number');
    return String(v);
  }
  if (typeof v !== 'string') return err(field, 'invalid_type', '{field} must be a string or a number');
  const s = v.trim();
  return s === '' ? null : s;
}

function text(v: unknown, field: ImportField, max: number, err: Err, required: boolean): string | null {
  if (v !== undefined && v !== null && typeof v !== 'string' && !(field === 'externalId' && typeof v === 'number')) {
    return err(field, 'invalid_type', '{field} must be a string');
  }
  const s = scalar(v, field, err);
  if (s === null) return required ? err(field, 'required', '{field} is required') : null;
  if (CONTROL_CHARS.test(s)) return err(field, 'invalid_characters', '{field} must not contain control characters');
  if (s.length > max) return err(field, 'too_long', `{field} is longer than ${max} characters`);
  return s;
}

function phoneList(v: unknown, region: string, err: Err): string[] | null {
  let parts: unknown[];
  if (v === undefined || v === null) parts = [];
  else if (typeof v === 'string') parts = v.split(PHONE_SEPARATORS);
  else if (Array.isArray(v)) parts = v.flatMap((p) => (typeof p === 'string' ? p.split(PHONE_SEPARATORS) : [p]));
  else return err('phone', 'invalid_type', '{field} must be a string or an array of strings');

  const raws: string[] = [];
  for (const p of parts) {
    if (typeof p !== 'string') return err('phone', 'invalid_type', '{field} must be a string or an array of strings');
    const t = p.trim();
    if (t !== '') raws.push(t);
  }
  if (raws.length === 0) return err('phone', 'required', '{field} is required');
  if (raws.length > MAX_PHONES) return err('phone', 'too_many_phones', `at most ${MAX_PHONES} phone numbers per customer`);

  const out: string[] = [];
  let failed = false;
  raws.forEach((raw, i) => {
    const r = toE164(raw, region);
    // Messages name the position, never the number: error bodies end up in logs and tickets.
    const which = raws.length > 1 ? `number ${i + 1} of ${raws.length}: ` : '';
    if (!r.ok) {
      failed = true;
      err('phone', r.code, `${which}${r.message}`);
    } else if (out.includes(r.e164)) {
      failed = true;
      err('phone', 'duplicate_phone', `${which}repeats an earlier number`);
    } else {
      out.push(r.e164);
    }
  });
  return failed ? null : out;
}

// A handful of distinct zones per file: cache the (slow) Intl lookups, with a cap.
const zoneCache = new Map<string, string | null>();
function canonicalZone(z: string): string | null {
  const hit = zoneCache.get(z);
  if (hit !== undefined) return hit;
  // Offsets such as "+08:00" are not zones: they ignore daylight saving and local law.
  const result = IANAZone.isValidZone(z) ? new Intl.DateTimeFormat('en-US', { timeZone: z }).resolvedOptions().timeZone : null;
  if (zoneCache.size < 1000) zoneCache.set(z, result);
  return result;
}

const LOCALE_SHAPE = /^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-(?:[A-Za-z]{2}|\d{3}))?$/;
// Canonical form of each well-formed tag seen (null: not well-formed); few distinct per file.
const localeCache = new Map<string, string | null>();
function canonicalLocale(loc: string): string | null {
  const hit = localeCache.get(loc);
  if (hit !== undefined) return hit;
  const s = loc.replace(/_/g, '-');
  let result: string | null = null;
  if (LOCALE_SHAPE.test(s)) {
    try {
      result = Intl.getCanonicalLocales(s)[0] ?? null;
    } catch {
      result = null;
    }
  }
  if (localeCache.size < 1000) localeCache.set(loc, result);
  return result;
}

function checkLocale(loc: string, supported: readonly string[], err: Err): string | null {
  const canonical = canonicalLocale(loc);
  if (canonical === null) return err('locale', 'invalid_format', '{field} must be a BCP 47 tag such as zh-CN');
  // en-GB, zh-TW and the like are kept as given and hear the nearest prompt language; a language
  // with no prompt at all is this row's error.
  if (nearestLocale(canonical, supported) === null)
    return err('locale', 'unsupported_locale', `locale ${canonical}: no prompt in this language (prompt languages: ${supported.join(', ')})`);
  return canonical;
}

function checkAmount(s: string, err: Err): string | null {
  if (/^-\d+(\.\d+)?$/.test(s)) return err('amountDue', 'out_of_range', '{field} must not be negative');
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return err('amountDue', 'invalid_format', '{field} must be a decimal number such as 1234.50');
  const [, whole = '', frac = ''] = m;
  if (frac.length > 2) return err('amountDue', 'too_many_decimals', '{field} has more than 2 decimal places');
  if (whole.replace(/^0+(?=\d)/, '').length > MAX_AMOUNT_INTEGER_DIGITS) return err('amountDue', 'out_of_range', '{field} is too large');
  return s;
}

function checkDate(s: string, err: Err): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return err('dueDate', 'invalid_format', '{field} must be yyyy-mm-dd');
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    return err('dueDate', 'invalid_date', `${s} is not a real date`);
  }
  return s;
}

function integer(v: unknown, field: ImportField, min: number, max: number, err: Err): number | null {
  const s = scalar(v, field, err);
  if (s === null) return null;
  if (!/^[-+]?\d+$/.test(s)) return err(field, 'invalid_format', '{field} must be a whole number');
  const n = Number(s);
  if (n < min || n > max) return err(field, 'out_of_range', `{field} must be from ${min} to ${max}`);
  return n;
}
