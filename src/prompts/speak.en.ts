/**
 * American English (en-US) number, money and date words. US style: no "and" inside a number
 * ("one hundred five"); "and" only joins dollars and cents. Hyphenated tens ("twenty-one").
 */

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
] as const;
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'] as const;
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion', 'quadrillion'] as const;
export const EN_MAX_INTEGER = 10n ** 18n - 1n;

function below100(n: number): string {
  if (n < 20) return ONES[n] ?? '';
  const t = TENS[Math.floor(n / 10)] ?? '';
  return n % 10 === 0 ? t : `${t}-${ONES[n % 10]}`;
}

function below1000(n: number): string {
  const h = Math.floor(n / 100);
  const r = n % 100;
  if (h === 0) return below100(r);
  return r === 0 ? `${ONES[h]} hundred` : `${ONES[h]} hundred ${below100(r)}`;
}

/** 3200 → "three thousand two hundred"; 1005 → "one thousand five". */
export function enInteger(value: bigint | number): string {
  const n = BigInt(value);
  if (n < 0n) return `minus ${enInteger(-n)}`;
  if (n > EN_MAX_INTEGER) throw new RangeError(`number too large to read: ${n}`);
  if (n === 0n) return 'zero';
  const parts: string[] = [];
  let scale = 0;
  for (let rest = n; rest > 0n; rest /= 1000n, scale++) {
    const g = Number(rest % 1000n);
    if (g !== 0) parts.unshift(SCALES[scale] ? `${below1000(g)} ${SCALES[scale]}` : below1000(g));
  }
  return parts.join(' ');
}

const ORDINAL_WORDS: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};

/** 1 → "first", 22 → "twenty-second", 30 → "thirtieth". */
export function enOrdinal(value: number): string {
  const words = enInteger(value);
  const m = /^(.*?)([a-z]+)$/.exec(words);
  if (!m) return words;
  const [, head = '', last = ''] = m;
  const special = ORDINAL_WORDS[last];
  if (special) return head + special;
  if (last.endsWith('y')) return `${head}${last.slice(0, -1)}ieth`;
  return `${head}${last}th`;
}

interface EnCurrency {
  one: string;
  many: string;
  minorOne?: string;
  minorMany?: string;
}

const EN_CURRENCIES: Record<string, EnCurrency> = {
  USD: { one: 'dollar', many: 'dollars', minorOne: 'cent', minorMany: 'cents' },
  CNY: { one: 'yuan', many: 'yuan', minorOne: 'fen', minorMany: 'fen' },
  HKD: { one: 'Hong Kong dollar', many: 'Hong Kong dollars', minorOne: 'cent', minorMany: 'cents' },
  EUR: { one: 'euro', many: 'euros', minorOne: 'cent', minorMany: 'cents' },
  GBP: { one: 'pound', many: 'pounds', minorOne: 'penny', minorMany: 'pence' },
  JPY: { one: 'yen', many: 'yen' },
};

/**
 * 3200 USD → "three thousand two hundred dollars"; 3200.50 → "... dollars and fifty cents";
 * 0.50 → "fifty cents". Unknown currency codes are spelled out after a decimal number.
 */
export function enAmount(units: bigint, cents: number, currency: string): string {
  const c = EN_CURRENCIES[currency];
  if (!c) {
    const frac = cents === 0 ? '' : ` point ${enDigits(String(cents).padStart(2, '0').replace(/0$/, ''))}`;
    return `${enInteger(units)}${frac} ${currency.split('').join(' ')}`;
  }
  const major = `${enInteger(units)} ${units === 1n ? c.one : c.many}`;
  if (cents === 0 || !c.minorOne || !c.minorMany) return major;
  const minor = `${enInteger(cents)} ${cents === 1 ? c.minorOne : c.minorMany}`;
  return units === 0n ? minor : `${major} and ${minor}`;
}

/** Digits one by one: "95500" → "nine five five zero zero". */
export function enDigits(digits: string): string {
  return digits
    .replace(/\D/g, '')
    .split('')
    .map((d) => ONES[Number(d)] ?? '')
    .join(' ');
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

/** 2026 → "twenty twenty-six", 2005 → "two thousand five", 1905 → "nineteen oh five". */
export function enYear(year: number): string {
  if (year >= 2000 && year < 2010) return enInteger(year);
  const hi = Math.floor(year / 100);
  const lo = year % 100;
  if (year < 1000) return enInteger(year);
  if (lo === 0) return `${enInteger(hi)} hundred`;
  return lo < 10 ? `${enInteger(hi)} oh ${enInteger(lo)}` : `${enInteger(hi)} ${enInteger(lo)}`;
}

/** 12-05 → "December fifth"; with the year, "December fifth, twenty twenty-six". */
export function enDate(year: number, month: number, day: number, withYear: boolean): string {
  const md = `${MONTHS[month - 1]} ${enOrdinal(day)}`;
  return withYear ? `${md}, ${enYear(year)}` : md;
}
