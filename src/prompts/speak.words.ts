import { enAmount, enDate, enDigits, enInteger } from './speak.en.js';
import { zhAmount, zhDate, zhInteger, zhPhoneDigits } from './speak.zh.js';

/** The locales the prompts can be spoken in. */
export const SPEECH_LOCALES = ['zh-CN', 'en-US'] as const;
export type SpeechLocale = (typeof SPEECH_LOCALES)[number];

export function isSpeechLocale(locale: string): locale is SpeechLocale {
  return (SPEECH_LOCALES as readonly string[]).includes(locale);
}

/** Maps a customer's locale tag onto a spoken locale: "zh", "zh-Hans-CN" → zh-CN; "en-GB" → en-US. */
export function toSpeechLocale(locale: string | null | undefined): SpeechLocale | undefined {
  const tag = (locale ?? '').trim().toLowerCase();
  if (tag === 'zh' || tag.startsWith('zh-') || tag === 'cmn' || tag.startsWith('cmn-')) return 'zh-CN';
  if (tag === 'en' || tag.startsWith('en-')) return 'en-US';
  return undefined;
}

/** A non-negative whole number in words: 3200 → "三千二百" / "three thousand two hundred". */
export function integerWords(value: number | bigint, locale: SpeechLocale): string {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`not a whole number: ${value}`);
  return locale === 'zh-CN' ? zhInteger(value) : enInteger(value);
}

/**
 * A count before a measure word ("{days_past_due}天", "{n} days"): as integerWords, except that
 * Mandarin says 两 for a lone 2 there (两天, never 二天); 十二天, 二十二天 keep 二.
 */
export function countWords(value: number | bigint, locale: SpeechLocale): string {
  if (locale === 'zh-CN' && BigInt(value) === 2n) return '两';
  return integerWords(value, locale);
}

const AMOUNT_RE = /^(\d+)(?:\.(\d{1,2}))?$/;

/**
 * A decimal amount (as PostgreSQL numeric text, never a float) in words with its currency:
 * ("3200", "CNY", zh-CN) → "三千二百元"; ("3200.50", "USD", en-US) → "three thousand two
 * hundred dollars and fifty cents". More than two decimals are rejected rather than rounded.
 */
export function amountWords(amount: string, currency: string, locale: SpeechLocale): string {
  const m = AMOUNT_RE.exec(amount.trim());
  if (!m) throw new RangeError(`not a non-negative amount with at most two decimals: "${amount}"`);
  const units = BigInt(m[1] ?? '0');
  const cents = Number((m[2] ?? '').padEnd(2, '0'));
  const code = currency.trim().toUpperCase();
  return locale === 'zh-CN' ? zhAmount(units, cents, code) : enAmount(units, cents, code);
}

export interface DateWordsOptions {
  /** Read the year too. Off by default: a due date is near, and the shorter sentence is clearer. */
  withYear?: boolean;
}

/** "2026-12-05" → "十二月五日" / "December fifth" (with the year: "二零二六年十二月五日"). */
export function dateWords(isoDate: string, locale: SpeechLocale, opts: DateWordsOptions = {}): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate.trim().slice(0, 10));
  const [year, month, day] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [NaN, NaN, NaN];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (!m || check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`not an ISO date: "${isoDate}"`);
  }
  const withYear = opts.withYear ?? false;
  return locale === 'zh-CN' ? zhDate(year, month, day, withYear) : enDate(year, month, day, withYear);
}

/** Digits read one by one, anything else dropped: "95500" → "九五五零零" / "nine five five zero zero". */
export function digitWords(digits: string, locale: SpeechLocale): string {
  return locale === 'zh-CN' ? zhPhoneDigits(digits) : enDigits(digits);
}
