import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, MAX_PHONES, type RawValues, type RowError } from '../../../src/contacts/customer.fields.js';
import { externalIdOf, validateRow } from '../../../src/campaigns/import.validate.js';

const opts = { defaultRegion: 'CN' };
const base: RawValues = { externalId: 'C-1', name: 'Zhang Wei', phone: '13800138000' };

function errorsOf(values: RawValues, o: Parameters<typeof validateRow>[2] = opts): Array<Pick<RowError, 'field' | 'code'>> {
  const r = validateRow(7, { ...base, ...values }, o);
  if (r.ok) return [];
  for (const e of r.errors) expect(e.row).toBe(7);
  return r.errors.map((e) => ({ field: e.field, code: e.code }));
}

function valueOf(values: RawValues) {
  const r = validateRow(1, { ...base, ...values }, opts);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

describe('validateRow', () => {
  it('normalises a complete row', () => {
    expect(
      valueOf({
        externalId: '  C-1 ',
        name: ' 张伟 ',
        phone: '+86 139 1234 5678; 021-62345678 | 0086 13700137000',
        timezone: 'asia/shanghai',
        locale: 'zh_cn',
        amountDue: '1234.5',
        currency: 'cny',
        dueDate: '2026-02-28',
        daysPastDue: '13',
        riskScore: '100',
        riskTier: 'HIGH',
        email: ' zhang.wei@example.com ',
      }),
    ).toEqual({
      externalId: 'C-1',
      name: '张伟',
      phones: ['+8613912345678', '+862162345678', '+8613700137000'],
      timeZone: 'Asia/Shanghai',
      locale: 'zh-CN',
      amountDue: '1234.5',
      currency: 'CNY',
      dueDate: '2026-02-28',
      daysPastDue: 13,
      riskScore: 100,
      riskTier: 'high',
      email: 'zhang.wei@example.com',
    });
  });

  it('treats empty and null optional fields as not given', () => {
    const v = valueOf({ timezone: '', locale: ' ', amountDue: null, currency: undefined, dueDate: '', daysPastDue: '', riskScore: null, riskTier: '' });
    expect(v).toMatchObject({
      timeZone: null,
      locale: null,
      amountDue: null,
      currency: null,
      dueDate: null,
      daysPastDue: null,
      riskScore: null,
      riskTier: null,
    });
  });

  it('accepts JSON types: numbers, phone arrays', () => {
    const v = valueOf({ externalId: 42, phone: ['13800138000', '+1 415 555 2671'], amountDue: 99.9, daysPastDue: 0, riskScore: 55 });
    expect(v).toMatchObject({ externalId: '42', phones: ['+8613800138000', '+14155552671'], amountDue: '99.9', daysPastDue: 0, riskScore: 55 });
  });

  describe('required fields', () => {
    it.each(['externalId', 'name', 'phone'] as const)('%s', (field) => {
      for (const empty of [undefined, null, '', '   ']) expect(errorsOf({ [field]: empty })).toEqual([{ field, code: 'required' }]);
    });
    it('phone given only as separators or an empty array', () => {
      expect(errorsOf({ phone: ' ; | ' })).toEqual([{ field: 'phone', code: 'required' }]);
      expect(errorsOf({ phone: [] })).toEqual([{ field: 'phone', code: 'required' }]);
    });
  });

  it('external id and name: type, control characters, length', () => {
    expect(errorsOf({ name: 12 })).toEqual([{ field: 'name', code: 'invalid_type' }]);
    expect(errorsOf({ externalId: { a: 1 } })).toEqual([{ field: 'externalId', code: 'invalid_type' }]);
    expect(errorsOf({ name: 'a\tb' })).toEqual([{ field: 'name', code: 'invalid_characters' }]);
    expect(errorsOf({ externalId: 'x\u0000' })).toEqual([{ field: 'externalId', code: 'invalid_characters' }]);
    expect(errorsOf({ name: 'n'.repeat(201) })).toEqual([{ field: 'name', code: 'too_long' }]);
    expect(errorsOf({ externalId: 'e'.repeat(101) })).toEqual([{ field: 'externalId', code: 'too_long' }]);
    expect(errorsOf({ name: 'n'.repeat(200), externalId: 'e'.repeat(100) })).toEqual([]);
  });

  it('phone: every toE164 code, duplicates, too many, wrong types', () => {
    expect(errorsOf({ phone: '12345' })).toEqual([{ field: 'phone', code: 'phone_too_short' }]);
    expect(errorsOf({ phone: '+999 1234567' })).toEqual([{ field: 'phone', code: 'phone_invalid_country' }]);
    expect(errorsOf({ phone: 'call me' })).toEqual([{ field: 'phone', code: 'phone_not_a_number' }]);
    expect(errorsOf({ phone: '1'.repeat(41) })).toEqual([{ field: 'phone', code: 'phone_too_long' }]);
    expect(errorsOf({ phone: '+86 10 1234 56789 0' })).toEqual([{ field: 'phone', code: expect.stringMatching(/^phone_(invalid|too_long)$/) }]);
    expect(errorsOf({ phone: '13800138000;+8613800138000' })).toEqual([{ field: 'phone', code: 'duplicate_phone' }]);
    const many = Array.from({ length: MAX_PHONES + 1 }, (_, i) => `1380013${String(8000 + i)}`).join(';');
    expect(errorsOf({ phone: many })).toEqual([{ field: 'phone', code: 'too_many_phones' }]);
    expect(errorsOf({ phone: 13800138000 })).toEqual([{ field: 'phone', code: 'invalid_type' }]);
    expect(errorsOf({ phone: ['13800138000', 5] })).toEqual([{ field: 'phone', code: 'invalid_type' }]);
  });

  it('phone errors name the position, never the number', () => {
    const r = validateRow(1, { ...base, phone: '13800138000;12345' }, opts);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.message).toBe('number 2 of 2: phone number is too short');
    if (!r.ok) expect(JSON.stringify(r.errors)).not.toContain('12345');
  });

  it('reads national numbers in the configured region', () => {
    expect(valueOf({ phone: '010 6552 9988' }).phones).toEqual(['+861065529988']);
    const us = validateRow(1, { ...base, phone: '(415) 555-2671' }, { defaultRegion: 'US' });
    expect(us.ok && us.value.phones).toEqual(['+14155552671']);
  });

  it('time zone must be IANA', () => {
    expect(errorsOf({ timezone: 'Asia/Beijing' })).toEqual([{ field: 'timezone', code: 'invalid_time_zone' }]);
    expect(errorsOf({ timezone: '+08:00' })).toEqual([{ field: 'timezone', code: 'invalid_time_zone' }]);
    expect(errorsOf({ timezone: 8 })).toEqual([{ field: 'timezone', code: 'invalid_time_zone' }]);
    expect(valueOf({ timezone: 'America/New_York' }).timeZone).toBe('America/New_York');
    expect(valueOf({ timezone: 'UTC' }).timeZone).toBe('UTC');
  });

  it('locale: BCP 47 shape, then the supported list', () => {
    expect(errorsOf({ locale: 'chinese' })).toEqual([{ field: 'locale', code: 'invalid_format' }]);
    expect(errorsOf({ locale: 'zh-CN-x' })).toEqual([{ field: 'locale', code: 'invalid_format' }]);
    expect(errorsOf({ locale: 'fr-FR' })).toEqual([{ field: 'locale', code: 'unsupported_locale' }]);
    expect(valueOf({ locale: 'EN-us' }).locale).toBe('en-US');
    expect(errorsOf({ locale: 'fr-FR' }, { ...opts, supportedLocales: ['fr-FR'] })).toEqual([]);
  });

  it('locale: a regional variant of a prompt language is kept and accepted (en-GB, en-AU, zh-Hans-CN, zh-TW)', () => {
    for (const [given, kept] of [
      ['en-GB', 'en-GB'],
      ['en_AU', 'en-AU'],
      ['zh-Hans-CN', 'zh-Hans-CN'],
      ['zh-TW', 'zh-TW'],
    ] as const) {
      expect(errorsOf({ locale: given }), given).toEqual([]);
      expect(valueOf({ locale: given }).locale).toBe(kept);
    }
    // No prompt in the language at all: this row's error.
    expect(errorsOf({ locale: 'de-DE' })).toEqual([{ field: 'locale', code: 'unsupported_locale' }]);
    expect(errorsOf({ locale: 'en-GB' }, { ...opts, supportedLocales: ['zh-CN'] })).toEqual([{ field: 'locale', code: 'unsupported_locale' }]);
  });

  it('amount: non-negative decimal, at most 2 places, fits numeric(14,2)', () => {
    expect(valueOf({ amountDue: '0' }).amountDue).toBe('0');
    expect(valueOf({ amountDue: '999999999999.99' }).amountDue).toBe('999999999999.99');
    expect(errorsOf({ amountDue: '-0.01' })).toEqual([{ field: 'amountDue', code: 'out_of_range' }]);
    expect(errorsOf({ amountDue: '1000000000000' })).toEqual([{ field: 'amountDue', code: 'out_of_range' }]);
    expect(errorsOf({ amountDue: '1.234' })).toEqual([{ field: 'amountDue', code: 'too_many_decimals' }]);
    expect(errorsOf({ amountDue: 0.125 })).toEqual([{ field: 'amountDue', code: 'too_many_decimals' }]);
    for (const bad of ['1,000', '1e3', '¥100', '.5', '5.', 'abc', '+5'])
      expect(errorsOf({ amountDue: bad }), bad).toEqual([{ field: 'amountDue', code: 'invalid_format' }]);
    expect(errorsOf({ amountDue: Number.NaN })).toEqual([{ field: 'amountDue', code: 'invalid_type' }]);
    expect(errorsOf({ amountDue: true })).toEqual([{ field: 'amountDue', code: 'invalid_type' }]);
  });

  it('currency: three letters, and a real ISO 4217 code', () => {
    expect(errorsOf({ currency: 'RMB1' })).toEqual([{ field: 'currency', code: 'invalid_format' }]);
    expect(errorsOf({ currency: '¥' })).toEqual([{ field: 'currency', code: 'invalid_format' }]);
    expect(errorsOf({ currency: 'RMB' })).toEqual([{ field: 'currency', code: 'unknown_currency' }]);
    expect(valueOf({ currency: 'hkd' }).currency).toBe('HKD');
  });

  it('due date: yyyy-mm-dd and a real day', () => {
    expect(valueOf({ dueDate: '2028-02-29' }).dueDate).toBe('2028-02-29');
    for (const bad of ['2026/11/15', '15-11-2026', '2026-1-5', '20261115', '2026-11-15T00:00:00Z']) {
      expect(errorsOf({ dueDate: bad }), bad).toEqual([{ field: 'dueDate', code: 'invalid_format' }]);
    }
    for (const bad of ['2026-02-29', '2026-13-01', '2026-04-31', '2026-00-10', '1899-12-31']) {
      expect(errorsOf({ dueDate: bad }), bad).toEqual([{ field: 'dueDate', code: 'invalid_date' }]);
    }
  });

  it('days past due and risk score: whole numbers in range', () => {
    expect(errorsOf({ daysPastDue: '-1' })).toEqual([{ field: 'daysPastDue', code: 'out_of_range' }]);
    expect(errorsOf({ daysPastDue: '1.5' })).toEqual([{ field: 'daysPastDue', code: 'invalid_format' }]);
    expect(errorsOf({ daysPastDue: 'ten' })).toEqual([{ field: 'daysPastDue', code: 'invalid_format' }]);
    expect(errorsOf({ riskScore: '101' })).toEqual([{ field: 'riskScore', code: 'out_of_range' }]);
    expect(errorsOf({ riskScore: -1 })).toEqual([{ field: 'riskScore', code: 'out_of_range' }]);
    expect(errorsOf({ riskScore: 50.5 })).toEqual([{ field: 'riskScore', code: 'invalid_format' }]);
    expect(valueOf({ riskScore: '0', daysPastDue: '100000' })).toMatchObject({ riskScore: 0, daysPastDue: 100000 });
  });

  it('risk tier: low, medium or high', () => {
    expect(errorsOf({ riskTier: 'extreme' })).toEqual([{ field: 'riskTier', code: 'invalid_value' }]);
    expect(valueOf({ riskTier: 'Medium' }).riskTier).toBe('medium');
  });

  it('email: an address shape, at most 254 characters; empty is none', () => {
    expect(errorsOf({ email: 'not an address' })).toEqual([{ field: 'email', code: 'invalid_format' }]);
    expect(errorsOf({ email: 'a@localhost' })).toEqual([{ field: 'email', code: 'invalid_format' }]);
    expect(errorsOf({ email: `${'a'.repeat(250)}@x.cn` })).toEqual([{ field: 'email', code: 'too_long' }]);
    expect(valueOf({ email: '' }).email).toBeNull();
  });

  it('reports every problem of a row, labelled with CSV column names when asked', () => {
    const r = validateRow(3, { externalId: '', name: 'x', phone: '12345', amountDue: '-1', dueDate: '2026-02-30' }, { ...opts, labels: CSV_COLUMNS });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toEqual([
        { row: 3, field: 'external_id', code: 'required', message: 'external_id is required' },
        { row: 3, field: 'phone', code: 'phone_too_short', message: 'phone number is too short' },
        { row: 3, field: 'amount_due', code: 'out_of_range', message: 'amount_due must not be negative' },
        { row: 3, field: 'due_date', code: 'invalid_date', message: '2026-02-30 is not a real date' },
      ]);
    }
  });
});

describe('externalIdOf', () => {
  it('keeps a usable id of an invalid row for the duplicate check', () => {
    expect(externalIdOf(' A-1 ')).toBe('A-1');
    expect(externalIdOf(17)).toBe('17');
    expect(externalIdOf('')).toBeNull();
    expect(externalIdOf('x'.repeat(101))).toBeNull();
    expect(externalIdOf('a\nb')).toBeNull();
    expect(externalIdOf({})).toBeNull();
  });
});
