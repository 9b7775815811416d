/**
 * Mandarin (zh-CN) number, money and date words, written in Chinese characters so the TTS
 * engine reads them as words, never as digit strings.
 *
 * Choices (conventions of spoken bank reminders):
 * - 2 is always 二 in numbers and amounts ("二千", "二万元"). Both are heard; 二 is unambiguous
 *   over a phone line and matches how amounts are written in figures-to-words rules. The one
 *   exception is a lone 2 before a measure word (两天), see `countWords`.
 * - A leading 一十 is shortened to 十 (10 → 十, 150000 → 十五万), but not inside a number
 *   (110 → 一百一十).
 * - Gaps of zeros are read as one 零 (1005 → 一千零五, 100000001 → 一亿零一).
 * - Phone digits use 幺 for 1, as telephone operators say it.
 */

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;
const SMALL_UNITS = ['', '十', '百', '千'] as const;
// 10^0, 10^4, 10^8, 10^12: enough for numeric(14, 2) and any day count.
const GROUP_UNITS = ['', '万', '亿', '万亿'] as const;
export const ZH_MAX_INTEGER = 10n ** 16n - 1n;

function digit(d: number): string {
  return DIGITS[d] ?? '';
}

/** Reads 1..9999 (no leading 零; internal zero runs become one 零). */
function group(n: number): string {
  let out = '';
  let pendingZero = false;
  for (let pos = 3; pos >= 0; pos--) {
    const d = Math.floor(n / 10 ** pos) % 10;
    if (d === 0) {
      if (out !== '') pendingZero = true;
      continue;
    }
    if (pendingZero) out += '零';
    pendingZero = false;
    out += digit(d) + SMALL_UNITS[pos];
  }
  return out;
}

/** A non-negative integer in words: 3200 → 三千二百, 1005 → 一千零五, 10000 → 一万. */
export function zhInteger(value: bigint | number): string {
  const n = BigInt(value);
  if (n < 0n) return '负' + zhInteger(-n);
  if (n > ZH_MAX_INTEGER) throw new RangeError(`number too large to read: ${n}`);
  if (n === 0n) return '零';
  const groups: number[] = [];
  for (let rest = n; rest > 0n; rest /= 10000n) groups.push(Number(rest % 10000n));
  let out = '';
  let zeroGap = false;
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i] ?? 0;
    if (g === 0) {
      if (out !== '') zeroGap = true;
      continue;
    }
    if (out !== '' && (zeroGap || g < 1000)) out += '零';
    zeroGap = false;
    out += group(g) + GROUP_UNITS[i];
  }
  return out.startsWith('一十') ? out.slice(1) : out;
}

interface ZhCurrency {
  unit: string;
  /** Names of 1/10 and 1/100 of the unit; absent when the minor unit is read as a decimal. */
  jiao?: string;
  fen?: string;
  /** Name of 1/100 of the unit when it is a separate coin name ("美分"). */
  cent?: string;
  decimals: number;
}

const ZH_CURRENCIES: Record<string, ZhCurrency> = {
  CNY: { unit: '元', jiao: '角', fen: '分', decimals: 2 },
  HKD: { unit: '港元', jiao: '角', fen: '分', decimals: 2 },
  USD: { unit: '美元', cent: '美分', decimals: 2 },
  EUR: { unit: '欧元', cent: '欧分', decimals: 2 },
  GBP: { unit: '英镑', cent: '便士', decimals: 2 },
  JPY: { unit: '日元', decimals: 0 },
};

/**
 * Money in words. CNY: 3200 → 三千二百元, 120000.50 → 十二万元五角, 1.05 → 一元零五分,
 * 0.5 → 五角. Other known currencies by name (美元 … 美分); unknown codes are read as the
 * code after a decimal number.
 */
export function zhAmount(units: bigint, cents: number, currency: string): string {
  const c = ZH_CURRENCIES[currency];
  if (!c) {
    const frac = cents === 0 ? '' : '点' + zhDigits(String(cents).padStart(2, '0').replace(/0$/, ''));
    return `${zhInteger(units)}${frac}${currency.split('').join(' ')}`;
  }
  if (c.decimals === 0 || cents === 0) return `${zhInteger(units)}${c.unit}`;
  const head = units > 0n ? `${zhInteger(units)}${c.unit}` : '';
  if (c.jiao && c.fen) {
    const jiao = Math.floor(cents / 10);
    const fen = cents % 10;
    let tail = jiao > 0 ? digit(jiao) + c.jiao : head !== '' ? '零' : '';
    if (fen > 0) tail += digit(fen) + c.fen;
    else if (jiao === 0) tail = '';
    return head + tail;
  }
  return head + zhInteger(cents) + (c.cent ?? '');
}

/** Each digit on its own, 1 as 幺 (phone numbers): "95500" → 九五五零零. */
export function zhPhoneDigits(digits: string): string {
  return digits
    .replace(/\D/g, '')
    .split('')
    .map((d) => (d === '1' ? '幺' : digit(Number(d))))
    .join('');
}

/** Each digit on its own, 1 as 一 (years, decimals). */
export function zhDigits(digits: string): string {
  return digits
    .replace(/\D/g, '')
    .split('')
    .map((d) => digit(Number(d)))
    .join('');
}

/** 12-05 → 十二月五日; with the year, 2026-12-05 → 二零二六年十二月五日. */
export function zhDate(year: number, month: number, day: number, withYear: boolean): string {
  const md = `${zhInteger(month)}月${zhInteger(day)}日`;
  return withYear ? `${zhDigits(String(year))}年${md}` : md;
}
