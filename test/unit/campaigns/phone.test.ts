import { describe, expect, it } from 'vitest';
import { toE164 } from '../../../src/campaigns/phone.js';

describe('toE164', () => {
  it.each([
    ['13800138000', 'CN', '+8613800138000'],
    ['138 0013 8000', 'CN', '+8613800138000'],
    ['+86 138-0013-8000', 'CN', '+8613800138000'],
    ['008613800138000', 'CN', '+8613800138000'],
    ['010 6552 9988', 'CN', '+861065529988'],
    ['+1 (415) 555-2671', 'CN', '+14155552671'],
    ['(415) 555-2671', 'US', '+14155552671'],
    ['  13800138000  ', 'cn', '+8613800138000'],
  ])('accepts %s in %s', (raw, region, e164) => {
    expect(toE164(raw, region)).toEqual({ ok: true, e164 });
  });

  it.each([
    ['', 'phone_missing'],
    ['   ', 'phone_missing'],
    [null, 'phone_missing'],
    [undefined, 'phone_missing'],
    ['abc', 'phone_not_a_number'],
    ['call me', 'phone_not_a_number'],
    ['1', 'phone_too_short'],
    ['12345', 'phone_too_short'],
    ['95588', 'phone_too_short'],
    ['1380013800099999999', 'phone_too_long'],
    ['1'.repeat(50), 'phone_too_long'],
    ['+999 1234 5678', 'phone_invalid_country'],
    ['13800138000 ext. 12', 'phone_invalid'],
    ['+86 000 0000 0000', 'phone_invalid'],
  ])('refuses %j with %s', (raw, code) => {
    const r = toE164(raw, 'CN');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.message).toMatch(/\w/);
    }
  });

  it('needs an international prefix when the default region is unknown', () => {
    expect(toE164('13800138000', 'ZZ').ok).toBe(false);
    expect(toE164('+8613800138000', 'ZZ')).toEqual({ ok: true, e164: '+8613800138000' });
  });

  it('always returns E.164 that the database check accepts', () => {
    for (const raw of ['13800138000', '+14155552671', '02079460958']) {
      const r = toE164(raw, 'GB');
      if (r.ok) expect(r.e164).toMatch(/^\+[1-9][0-9]{6,14}$/);
    }
  });
});
