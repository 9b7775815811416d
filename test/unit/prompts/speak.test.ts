import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { amountWords, countWords, dateWords, digitWords, integerWords, toSpeechLocale } from '../../../src/prompts/speak.words.js';
import { enOrdinal, enYear } from '../../../src/prompts/speak.en.js';

/** A tiny reader of Chinese numerals, independent of the writer under test. */
function parseZh(words: string): bigint {
  const digits: Record<string, bigint> = { 零: 0n, 一: 1n, 二: 2n, 三: 3n, 四: 4n, 五: 5n, 六: 6n, 七: 7n, 八: 8n, 九: 9n };
  const small: Record<string, bigint> = { 十: 10n, 百: 100n, 千: 1000n };
  let total = 0n;
  let section = 0n;
  let num = 0n;
  for (const ch of words) {
    if (ch in digits) num = digits[ch] ?? 0n;
    else if (ch in small) {
      section += (num === 0n ? 1n : num) * (small[ch] ?? 0n);
      num = 0n;
    } else if (ch === '万') {
      section = (section + num) * 10000n;
      num = 0n;
    } else if (ch === '亿') {
      total = (total + section + num) * 100000000n;
      section = 0n;
      num = 0n;
    } else throw new Error(`unexpected ${ch} in ${words}`);
  }
  return total + section + num;
}

/** A tiny reader of English number words. */
function parseEn(words: string): bigint {
  const small = [
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
  ];
  const tens = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
  const scales: Record<string, bigint> = { thousand: 10n ** 3n, million: 10n ** 6n, billion: 10n ** 9n, trillion: 10n ** 12n, quadrillion: 10n ** 15n };
  let total = 0n;
  let current = 0n;
  for (const w of words.split(/[ -]/)) {
    if (small.includes(w)) current += BigInt(small.indexOf(w));
    else if (tens.includes(w) && w !== '') current += BigInt(tens.indexOf(w) * 10);
    else if (w === 'hundred') current *= 100n;
    else if (w in scales) {
      total += current * (scales[w] ?? 0n);
      current = 0n;
    } else throw new Error(`unexpected "${w}" in "${words}"`);
  }
  return total + current;
}

describe('integerWords zh-CN', () => {
  it.each([
    [0, '零'],
    [1, '一'],
    [2, '二'],
    [10, '十'],
    [11, '十一'],
    [15, '十五'],
    [20, '二十'],
    [99, '九十九'],
    [100, '一百'],
    [101, '一百零一'],
    [110, '一百一十'],
    [111, '一百一十一'],
    [200, '二百'],
    [1000, '一千'],
    [1005, '一千零五'],
    [1010, '一千零一十'],
    [1100, '一千一百'],
    [2002, '二千零二'],
    [3200, '三千二百'],
    [10000, '一万'],
    [10001, '一万零一'],
    [10010, '一万零一十'],
    [10100, '一万零一百'],
    [11000, '一万一千'],
    [100000, '十万'],
    [120000, '十二万'],
    [150000, '十五万'],
    [1000000, '一百万'],
    [10001000, '一千万一千'],
    [20000000, '二千万'],
    [100000000, '一亿'],
    [100000001, '一亿零一'],
    [100010000, '一亿零一万'],
    [100001000, '一亿零一千'],
    [110000000, '一亿一千万'],
    [1000000000, '十亿'],
    [1234567890, '十二亿三千四百五十六万七千八百九十'],
    [1000000000000, '一万亿'],
  ])('%d → %s', (n, words) => {
    expect(integerWords(n, 'zh-CN')).toBe(words);
  });

  it('reads every number up to 10^8 back to itself, in canonical form', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 8 }), (n) => {
        const w = integerWords(n, 'zh-CN');
        expect(parseZh(w)).toBe(BigInt(n));
        expect(w).not.toMatch(/零零/);
        if (n !== 0) expect(w).not.toMatch(/零$|^零/);
        expect(w).not.toMatch(/^一十/);
        expect(w).not.toContain('两');
      }),
      { numRuns: 5000 },
    );
  });

  it('rejects fractions and numbers past 万亿', () => {
    expect(() => integerWords(1.5, 'zh-CN')).toThrow(RangeError);
    expect(() => integerWords(10n ** 16n, 'zh-CN')).toThrow(RangeError);
  });
});

describe('integerWords en-US', () => {
  it.each([
    [0, 'zero'],
    [7, 'seven'],
    [13, 'thirteen'],
    [20, 'twenty'],
    [21, 'twenty-one'],
    [99, 'ninety-nine'],
    [100, 'one hundred'],
    [105, 'one hundred five'],
    [1005, 'one thousand five'],
    [3200, 'three thousand two hundred'],
    [10000, 'ten thousand'],
    [120000, 'one hundred twenty thousand'],
    [1000001, 'one million one'],
    [2000000000, 'two billion'],
  ])('%d → %s', (n, words) => {
    expect(integerWords(n, 'en-US')).toBe(words);
  });

  it('reads back to the number', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), (n) => {
        expect(parseEn(integerWords(n, 'en-US'))).toBe(n);
      }),
      { numRuns: 5000 },
    );
  });

  it('ordinals and years', () => {
    expect([1, 2, 3, 4, 5, 8, 9, 11, 12, 20, 21, 22, 23, 30, 31].map(enOrdinal)).toEqual([
      'first',
      'second',
      'third',
      'fourth',
      'fifth',
      'eighth',
      'ninth',
      'eleventh',
      'twelfth',
      'twentieth',
      'twenty-first',
      'twenty-second',
      'twenty-third',
      'thirtieth',
      'thirty-first',
    ]);
    expect([2026, 2000, 2005, 2010, 1999, 1905, 1900].map(enYear)).toEqual([
      'twenty twenty-six',
      'two thousand',
      'two thousand five',
      'twenty ten',
      'nineteen ninety-nine',
      'nineteen oh five',
      'nineteen hundred',
    ]);
  });
});

describe('amountWords', () => {
  it.each([
    ['3200', 'CNY', '三千二百元'],
    ['3200.00', 'CNY', '三千二百元'],
    ['1005', 'CNY', '一千零五元'],
    ['10000', 'CNY', '一万元'],
    ['120000.50', 'CNY', '十二万元五角'],
    ['120000.5', 'CNY', '十二万元五角'],
    ['1.05', 'CNY', '一元零五分'],
    ['1.55', 'CNY', '一元五角五分'],
    ['0.50', 'CNY', '五角'],
    ['0.05', 'CNY', '五分'],
    ['0', 'CNY', '零元'],
    ['0.00', 'cny', '零元'],
    ['12', 'HKD', '十二港元'],
    ['12.30', 'USD', '十二美元三十美分'],
    ['500', 'JPY', '五百日元'],
    ['99.99', 'GBP', '九十九英镑九十九便士'],
  ])('zh-CN %s %s → %s', (amount, cur, words) => {
    expect(amountWords(amount, cur, 'zh-CN')).toBe(words);
  });

  it.each([
    ['3200', 'USD', 'three thousand two hundred dollars'],
    ['3200.50', 'USD', 'three thousand two hundred dollars and fifty cents'],
    ['1', 'USD', 'one dollar'],
    ['1.01', 'USD', 'one dollar and one cent'],
    ['0.50', 'USD', 'fifty cents'],
    ['0', 'USD', 'zero dollars'],
    ['3200', 'CNY', 'three thousand two hundred yuan'],
    ['3200.5', 'CNY', 'three thousand two hundred yuan and fifty fen'],
    ['1', 'GBP', 'one pound'],
    ['2.02', 'GBP', 'two pounds and two pence'],
    ['500', 'JPY', 'five hundred yen'],
    ['1', 'EUR', 'one euro'],
  ])('en-US %s %s → %s', (amount, cur, words) => {
    expect(amountWords(amount, cur, 'en-US')).toBe(words);
  });

  it('reads unknown currencies as a decimal number and the code', () => {
    expect(amountWords('12.50', 'SGD', 'en-US')).toBe('twelve point five S G D');
    expect(amountWords('12.05', 'SGD', 'zh-CN')).toBe('十二点零五S G D');
  });

  it('rejects anything that is not a plain non-negative decimal with at most two places', () => {
    for (const bad of ['', '-1', '1.234', '1e3', 'abc', '1,000', '.5']) {
      expect(() => amountWords(bad, 'CNY', 'zh-CN'), bad).toThrow(RangeError);
    }
  });

  it('zh-CN CNY amounts read back to the same yuan and fen', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 8 }), fc.integer({ min: 0, max: 99 }), (yuan, fen) => {
        const w = amountWords(`${yuan}.${String(fen).padStart(2, '0')}`, 'CNY', 'zh-CN');
        const m = /^(?:(.+)元)?(?:零)?(?:(.)角)?(?:(.)分)?$/.exec(w);
        expect(m, w).not.toBeNull();
        const readYuan = m?.[1] ? parseZh(m[1]) : 0n;
        const readFen = (m?.[2] ? parseZh(m[2]) * 10n : 0n) + (m?.[3] ? parseZh(m[3]) : 0n);
        expect([readYuan, readFen]).toEqual([BigInt(yuan), BigInt(fen)]);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('dateWords', () => {
  it.each([
    ['2026-12-05', 'zh-CN', '十二月五日'],
    ['2026-01-31', 'zh-CN', '一月三十一日'],
    ['2026-10-10', 'zh-CN', '十月十日'],
    ['2026-12-05', 'en-US', 'December fifth'],
    ['2026-02-22', 'en-US', 'February twenty-second'],
    ['2026-12-05T00:00:00Z', 'en-US', 'December fifth'],
  ] as const)('%s %s → %s', (d, loc, words) => {
    expect(dateWords(d, loc)).toBe(words);
  });

  it('reads the year when asked', () => {
    expect(dateWords('2026-12-05', 'zh-CN', { withYear: true })).toBe('二零二六年十二月五日');
    expect(dateWords('2026-12-05', 'en-US', { withYear: true })).toBe('December fifth, twenty twenty-six');
  });

  it('rejects impossible dates', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '12/05/2026', '']) expect(() => dateWords(bad, 'en-US'), bad).toThrow(RangeError);
  });
});

describe('countWords', () => {
  it('says 两 for a lone 2 before a measure word in Mandarin, and nothing else changes', () => {
    expect([0, 1, 2, 12, 20, 22, 200].map((n) => countWords(n, 'zh-CN'))).toEqual(['零', '一', '两', '十二', '二十', '二十二', '二百']);
    expect(countWords(2, 'en-US')).toBe('two');
  });
});

describe('digitWords and locales', () => {
  it('reads phone digits one by one, 1 as 幺 in Mandarin', () => {
    expect(digitWords('95511', 'zh-CN')).toBe('九五五幺幺');
    expect(digitWords('+1 (415) 555-0100', 'en-US')).toBe('one four one five five five five zero one zero zero');
  });

  it('maps locale tags', () => {
    expect(['zh', 'zh-CN', 'zh-Hans-CN', 'en', 'en-GB', 'EN-us', 'fr-FR', null].map(toSpeechLocale)).toEqual([
      'zh-CN',
      'zh-CN',
      'zh-CN',
      'en-US',
      'en-US',
      'en-US',
      undefined,
      undefined,
    ]);
  });
});
