import { describe, expect, it } from 'vitest';
import { renderText, type PromptBank, type PromptCustomer } from '../../../src/prompts/prompt.template.js';
import type { SpeechLocale } from '../../../src/prompts/speak.words.js';
import { normalise, PAUSE_MS, phraseParts, planSpeech, planText, wordParts, type SpeechPart } from '../../../src/prompts/speech.plan.js';

const bank: PromptBank = { name: 'Demo Bank, Shanghai', callbackNumber: '+8695500' };
const zhTemplate = '您好{name}，您的贷款{amount}已逾期{days_past_due}天，请于{due_date}前还款。回电请拨{callback_number}。';
const enTemplate = 'Hello {name}. Your payment of {amount} was due on {due_date}. Please pay soon.';

const TEMPLATES: Record<SpeechLocale, string[]> = {
  'zh-CN': [
    zhTemplate,
    '{name}{amount}',
    '{name}',
    '  {amount}  ',
    '尊敬的{name}：{bank_name}提醒您，欠款{amount}（逾期{days_past_due}天）！请联系{contact_name}…',
    '{due_date}{due_date}、{days_past_due}',
    '您好，这里是{bank_name}。',
  ],
  'en-US': [
    enTemplate,
    '{name}{amount}',
    '{name}',
    '  {amount}  ',
    "Dear {name}: {bank_name} here; you owe {amount} (that's {days_past_due} days late)! Ask for {contact_name} - call {callback_number}...",
    'Due {due_date}, {due_date}.',
    'Hello, this is {bank_name}.',
  ],
};

const NAMES = ['张三', '王小明', 'John Smith', "Mary-Ann O'Brien", '  Li  Wei ', 'A{b}<c>', '李 Lee', '欧阳娜娜', '***', 'Zoë Ñúñez', '9 Tan'];
const AMOUNTS = ['0', '0.05', '0.5', '1', '2', '10', '12.30', '100', '101', '1005', '3200.50', '10000', '100000001', '99999999999.99'];
const CURRENCIES = ['CNY', 'USD', 'HKD', 'EUR', 'GBP', 'JPY', 'XYZ'];
const DATES = ['2026-01-01', '2026-02-28', '2026-12-05', '2027-07-22', '2028-02-29', '2026-11-30', '2026-10-31'];
const DAYS = [0, 1, 2, 3, 10, 12, 20, 22, 100, 1000];

function* customers(): Generator<PromptCustomer> {
  let i = 0;
  for (const name of NAMES)
    for (const amountDue of AMOUNTS) {
      i++;
      yield {
        name,
        amountDue,
        currency: CURRENCIES[i % CURRENCIES.length]!,
        dueDate: DATES[i % DATES.length]!,
        daysPastDue: DAYS[i % DAYS.length]!,
        locale: null,
      };
    }
}

/** Every way a plan may not look, whatever the template and the customer. */
function checkShape(plan: readonly SpeechPart[], locale: SpeechLocale): void {
  plan.forEach((p, i) => {
    const prev = plan[i - 1];
    if (prev) expect(prev.kind === 'pause' && p.kind === 'pause').toBe(false);
    if (p.kind === 'say') {
      expect(p.text.trim()).toBe(p.text);
      expect(p.text).not.toBe('');
      expect(p.text).not.toMatch(/[.!?。！？…,;:，；：、]/u);
      // Two pieces never touch without a pause part between them.
      if (prev) expect(prev.kind).toBe('pause');
    } else {
      expect([PAUSE_MS.sentence, PAUSE_MS.clause, PAUSE_MS.word, PAUSE_MS.join[locale]]).toContain(p.ms);
      if (i === 0 || i === plan.length - 1) expect(p.text).not.toBe('');
    }
  });
}

describe('planSpeech', () => {
  it('says exactly the sentence renderText fills, for every template, customer and language', () => {
    let checked = 0;
    for (const locale of ['zh-CN', 'en-US'] as const)
      for (const template of TEMPLATES[locale])
        for (const c of customers()) {
          const plan = planSpeech(template, c, bank, locale);
          expect(planText(plan)).toBe(renderText(template, c, bank, locale));
          checkShape(plan, locale);
          checked++;
        }
    expect(checked).toBe(2 * 7 * NAMES.length * AMOUNTS.length);
  }, 60_000);

  it('keeps the template phrases whole and reads the fields word by word (Mandarin by syllable)', () => {
    const zh = planSpeech(zhTemplate, { name: '王小明', amountDue: '3200.50', currency: 'CNY', dueDate: '2026-12-05', daysPastDue: 2 }, bank, 'zh-CN');
    expect(zh.filter((p) => p.kind === 'say').map((p) => p.text)).toEqual([
      '您好',
      '王',
      '小',
      '明',
      '您的贷款',
      '三',
      '千',
      '二',
      '百',
      '元',
      '五',
      '角',
      '已逾期',
      '两',
      '天',
      '请于',
      '十',
      '二',
      '月',
      '五',
      '日',
      '前还款',
      '回电请拨',
      '九',
      '五',
      '五',
      '零',
      '零',
    ]);
    const en = planSpeech(enTemplate, { name: "Mary-Ann O'Brien", amountDue: '21.05', currency: 'USD', dueDate: '2026-11-21', daysPastDue: 3 }, bank, 'en-US');
    expect(en.filter((p) => p.kind === 'say').map((p) => p.text)).toEqual([
      'Hello',
      'Mary',
      'Ann',
      "O'Brien",
      'Your payment of',
      'twenty',
      'one',
      'dollars',
      'and',
      'five',
      'cents',
      'was due on',
      'November',
      'twenty',
      'first',
      'Please pay soon',
    ]);
  });

  it('speaks the bank and contact names as phrases, like the template text', () => {
    const plan = planSpeech(
      'This is {bank_name}. Ask for {contact_name}.',
      { name: 'x', amountDue: null, currency: null, dueDate: null, daysPastDue: null },
      { name: 'Demo Bank, Shanghai', callbackNumber: '1', contactName: 'Ms Jane Doe' },
      'en-US',
    );
    expect(plan.filter((p) => p.kind === 'say').map((p) => p.text)).toEqual(['This is', 'Demo Bank', 'Shanghai', 'Ask for', 'Ms Jane Doe']);
  });

  it('pauses by punctuation: sentence, clause, word, or the join of touching pieces', () => {
    const plan = planSpeech(
      '{name}{name}, {name}. {name}-{name}',
      { name: 'Li', amountDue: null, currency: null, dueDate: null, daysPastDue: null },
      bank,
      'en-US',
    );
    expect(plan).toEqual([
      { kind: 'say', text: 'Li' },
      { kind: 'pause', ms: PAUSE_MS.join['en-US'], text: '' },
      { kind: 'say', text: 'Li' },
      { kind: 'pause', ms: PAUSE_MS.clause, text: ', ' },
      { kind: 'say', text: 'Li' },
      { kind: 'pause', ms: PAUSE_MS.sentence, text: '. ' },
      { kind: 'say', text: 'Li' },
      { kind: 'pause', ms: PAUSE_MS.word, text: '-' },
      { kind: 'say', text: 'Li' },
    ]);
    const zh = planSpeech('{name}。', { name: '李', amountDue: null, currency: null, dueDate: null, daysPastDue: null }, bank, 'zh-CN');
    expect(zh).toEqual([
      { kind: 'say', text: '李' },
      { kind: 'pause', ms: PAUSE_MS.sentence, text: '。' },
    ]);
  });

  it('throws what renderText throws', () => {
    const none = { name: 'x', amountDue: null, currency: null, dueDate: null, daysPastDue: null };
    expect(() => planSpeech('{amount}', none, bank, 'en-US')).toThrow(/amount/);
    expect(() => planSpeech('{nope}', none, bank, 'en-US')).toThrow(/nope/);
  });

  it('reads every amount, date and day count from a small closed vocabulary (so they are cached once)', () => {
    for (const locale of ['zh-CN', 'en-US'] as const) {
      const words = new Set<string>();
      const add = (plan: SpeechPart[]) => plan.forEach((p) => p.kind === 'say' && words.add(p.text));
      for (let units = 0; units < 100_000; units += 97)
        for (const currency of ['CNY', 'USD', 'EUR', 'GBP', 'HKD', 'JPY'])
          add(
            planSpeech(
              '{amount}',
              { name: 'x', amountDue: `${units}.${String(units % 100).padStart(2, '0')}`, currency, dueDate: null, daysPastDue: null },
              bank,
              locale,
            ),
          );
      for (let d = 0; d < 366 * 2; d++) {
        const date = new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10);
        add(planSpeech('{due_date}{days_past_due}', { name: 'x', amountDue: null, currency: null, dueDate: date, daysPastDue: d }, bank, locale));
      }
      expect(words.size).toBeLessThan(locale === 'zh-CN' ? 40 : 90);
    }
  }, 60_000);
});

describe('phraseParts / wordParts / normalise', () => {
  it('cuts phrases only at punctuation and at their ends', () => {
    expect(phraseParts(' Your payment of ', 'en-US')).toEqual([
      { kind: 'pause', ms: PAUSE_MS.word, text: ' ' },
      { kind: 'say', text: 'Your payment of' },
      { kind: 'pause', ms: PAUSE_MS.word, text: ' ' },
    ]);
    expect(phraseParts('天，请尽快还款。', 'zh-CN').map((p) => p.text)).toEqual(['天', '，', '请尽快还款', '。']);
    expect(phraseParts('', 'zh-CN')).toEqual([]);
    // Between fields, a phrase with nothing to say is a pause; inside a phrase, espeak-ng reads it.
    expect(normalise(phraseParts(' / ', 'en-US'), 'en-US')).toEqual([{ kind: 'pause', ms: PAUSE_MS.word, text: ' / ' }]);
    expect(phraseParts('a / b', 'en-US')).toEqual([{ kind: 'say', text: 'a / b' }]);
  });

  it('cuts words at spaces, hyphens and symbols, and Han text into syllables', () => {
    expect(wordParts('twenty-one', 'en-US').map((p) => p.text)).toEqual(['', 'twenty', '-', 'one', '']);
    expect(wordParts('李 Lee', 'zh-CN').map((p) => p.text)).toEqual(['', '李', ' ', 'Lee', '']);
    expect(wordParts('', 'en-US')).toEqual([{ kind: 'pause', ms: PAUSE_MS.join['en-US'], text: '' }]);
  });

  it('merges pauses (the longest wins), joins touching pieces, drops empty edges', () => {
    expect(
      normalise(
        [
          { kind: 'pause', ms: 5, text: '' },
          { kind: 'say', text: 'a' },
          { kind: 'say', text: 'b' },
          { kind: 'pause', ms: PAUSE_MS.word, text: ' ' },
          { kind: 'pause', ms: PAUSE_MS.sentence, text: '.' },
          { kind: 'say', text: 'c' },
          { kind: 'pause', ms: 5, text: '' },
        ],
        'en-US',
      ),
    ).toEqual([
      { kind: 'say', text: 'a' },
      { kind: 'pause', ms: PAUSE_MS.join['en-US'], text: '' },
      { kind: 'say', text: 'b' },
      { kind: 'pause', ms: PAUSE_MS.sentence, text: ' .' },
      { kind: 'say', text: 'c' },
    ]);
  });
});
