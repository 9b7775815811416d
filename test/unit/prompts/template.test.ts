import { describe, expect, it } from 'vitest';
import {
  callbackWords,
  PromptFieldMissingError,
  promptIds,
  renderText,
  templateFields,
  validatePrompt,
  type PromptCustomer,
} from '../../../src/prompts/prompt.template.js';
import { AppError } from '../../../src/shared/errors.js';

const zhTemplate = '您好{name}，您的贷款{amount}已逾期{days_past_due}天，请于{due_date}前还款。回电请拨{callback_number}。';
const customer: PromptCustomer = { name: '张三', locale: 'zh-CN', amountDue: '3200.00', currency: 'CNY', dueDate: '2026-12-05', daysPastDue: 15 };
const bank = { name: '示例银行', callbackNumber: '+8695500' };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? err.code : `not an AppError: ${String(err)}`;
  }
  return undefined;
}

describe('renderText', () => {
  it('fills a Mandarin template with words', () => {
    expect(renderText(zhTemplate, customer, bank, 'zh-CN')).toBe('您好张三，您的贷款三千二百元已逾期十五天，请于十二月五日前还款。回电请拨九五五零零。');
  });

  it('fills an English template with words', () => {
    const en = { ...customer, name: 'John Smith', amountDue: '3200.50', currency: 'USD' };
    expect(
      renderText(
        'Hello {name}, {bank_name} here. You owe {amount}, due {due_date}, {days_past_due} days late. Call {callback_number}.',
        en,
        { name: 'Demo Bank', callbackNumber: '+14155550123' },
        'en-US',
      ),
    ).toBe(
      'Hello John Smith, Demo Bank here. You owe three thousand two hundred dollars and fifty cents, due December fifth, fifteen days late. Call four one five, five five five, zero one two three.',
    );
  });

  it('says 两天 for two days', () => {
    expect(renderText('逾期{days_past_due}天', { ...customer, daysPastDue: 2 }, bank, 'zh-CN')).toBe('逾期两天');
  });

  it('accepts the Date that pg makes of a date column, and spaces inside braces', () => {
    expect(renderText('{ due_date }', { ...customer, dueDate: new Date(2026, 11, 5) }, bank, 'zh-CN')).toBe('十二月五日');
  });

  it('keeps markup and control characters out of a spoken name', () => {
    expect(renderText('{name}', { ...customer, name: ' <speak>{x}\u0007 Li\n Si ' }, bank, 'en-US')).toBe('speak x Li Si');
  });

  it('names every missing field', () => {
    const bare = { ...customer, amountDue: null, dueDate: null, daysPastDue: null };
    let err: unknown;
    try {
      renderText(zhTemplate, bare, bank, 'zh-CN');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PromptFieldMissingError);
    expect((err as PromptFieldMissingError).details).toEqual({ fields: ['amount', 'days_past_due', 'due_date'] });
    expect(codeOf(() => renderText('{amount}', { ...customer, currency: null }, bank, 'zh-CN'))).toBe('prompt_field_missing');
    expect(renderText('no fields used', bare, bank, 'zh-CN')).toBe('no fields used');
  });

  it('rejects unknown placeholders', () => {
    expect(codeOf(() => renderText('hi {nmae}', customer, bank, 'en-US'))).toBe('prompt_unknown_field');
  });
});

describe('callbackWords', () => {
  it('reads the number as dialled at home, grouped', () => {
    expect(callbackWords('+8695500', 'zh-CN')).toBe('九五五零零');
    expect(callbackWords('+861012345678', 'zh-CN')).toBe('零幺零，幺二三四，五六七八');
    expect(callbackWords('95511', 'en-US')).toBe('nine five five one one');
  });
});

describe('validatePrompt', () => {
  const good = {
    'zh-CN': {
      segments: [
        { type: 'audio', promptId: 12 },
        { type: 'tts', text: zhTemplate },
        { type: 'sound', name: 'hello-world' },
      ],
    },
    'en-US': { segments: [{ type: 'sound', name: 'digits/5' }] },
  };

  it('accepts a well-formed prompt and lists its audio ids', () => {
    expect(validatePrompt(good)).toEqual(good);
    expect(promptIds(validatePrompt(good))).toEqual([12]);
    expect(validatePrompt({})).toEqual({});
  });

  it('accepts the untyped shorthand of the campaigns API and returns it typed', () => {
    const input = { 'zh-CN': { segments: [{ promptId: 3 }, { text: '您好{name}' }] } };
    expect(validatePrompt(input)).toEqual({
      'zh-CN': {
        segments: [
          { type: 'audio', promptId: 3 },
          { type: 'tts', text: '您好{name}' },
        ],
      },
    });
    expect(input['zh-CN'].segments[0]).toEqual({ promptId: 3 });
    expect(codeOf(() => validatePrompt({ 'zh-CN': { segments: [{ text: '{nope}' }] } }))).toBe('prompt_unknown_field');
  });

  it('accepts locale keys by language', () => {
    const p = { zh: { segments: [{ type: 'sound', name: 'x' }] }, 'en-GB': { segments: [{ type: 'sound', name: 'y' }] } };
    expect(validatePrompt(p)).toEqual(p);
  });

  it.each([
    ['unknown field', { 'zh-CN': { segments: [{ type: 'tts', text: '您好{customer}' }] } }, 'prompt_unknown_field'],
    ['stray brace', { 'zh-CN': { segments: [{ type: 'tts', text: '您好{name' }] } }, 'prompt_invalid_template'],
    ['unsupported locale', { 'fr-FR': { segments: [{ type: 'sound', name: 'hello-world' }] } }, 'prompt_unsupported_locale'],
    ['not an object', 'hello', 'prompt_invalid'],
    ['no segments', { 'zh-CN': { segments: [] } }, 'prompt_invalid'],
    ['unknown segment type', { 'zh-CN': { segments: [{ type: 'video', name: 'x' }] } }, 'prompt_invalid'],
    ['extra property', { 'zh-CN': { segments: [{ type: 'sound', name: 'x', volume: 3 }] } }, 'prompt_invalid'],
    ['absolute sound path', { 'zh-CN': { segments: [{ type: 'sound', name: '/etc/passwd' }] } }, 'prompt_invalid'],
    ['sound path escape', { 'zh-CN': { segments: [{ type: 'sound', name: 'a/../b' }] } }, 'prompt_invalid'],
    ['comma in sound name', { 'zh-CN': { segments: [{ type: 'sound', name: 'a,b' }] } }, 'prompt_invalid'],
    ['promptId zero', { 'zh-CN': { segments: [{ type: 'audio', promptId: 0 }] } }, 'prompt_invalid'],
    ['bad locale key', { 'ZH CN': { segments: [{ type: 'sound', name: 'x' }] } }, 'prompt_unsupported_locale'],
  ])('rejects %s', (_what, prompt, code) => {
    expect(codeOf(() => validatePrompt(prompt))).toBe(code);
  });

  it('reports the unknown field and where it is', () => {
    try {
      validatePrompt({
        'en-US': {
          segments: [
            { type: 'sound', name: 'x' },
            { type: 'tts', text: 'Hi {first_name} {name}' },
          ],
        },
      });
      expect.unreachable();
    } catch (err) {
      expect((err as AppError).status).toBe(422);
      expect((err as AppError).details).toMatchObject({ locale: 'en-US', segment: 1, fields: ['first_name'] });
    }
  });

  it('finds fields in order', () => {
    expect(templateFields('{a}{ b }{a}')).toEqual(['a', 'b', 'a']);
  });
});
