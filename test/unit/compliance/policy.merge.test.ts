import { describe, expect, it } from 'vitest';
import { effectivePolicy, mergeStricter, validateOverrides, validatePolicy } from '../../../src/compliance/policy.merge.js';
import { getProfile, PROFILES } from '../../../src/compliance/policy.profiles.js';
import type { Policy } from '../../../src/compliance/policy.types.js';

const cn = getProfile('cn-bank');

const failure = (fn: () => unknown): { code?: string; field?: string; details?: unknown } => {
  try {
    fn();
  } catch (err) {
    return {
      code: (err as { code: string }).code,
      field: (err as { details?: { field?: string } }).details?.field,
      details: (err as { details?: unknown }).details,
    };
  }
  throw new Error('expected a failure');
};

describe('profiles', () => {
  it('cn-bank: 08:00-22:00, 6 attempts and 3 connected per local day', () => {
    expect(cn).toMatchObject({ windowStart: '08:00', windowEnd: '22:00', maxAttemptsPerDay: 6, maxConnectedPerDay: 3, maxAttemptsInRollingDays: null });
  });
  it('us-regf: 08:00-21:00, 7 in 7 days, 7 days after a conversation', () => {
    expect(getProfile('us-regf')).toMatchObject({
      windowStart: '08:00',
      windowEnd: '21:00',
      maxAttemptsInRollingDays: { count: 7, days: 7 },
      cooldownAfterConversationDays: 7,
    });
  });
  it('every profile is a valid policy, and an unknown name is refused', () => {
    for (const p of Object.values(PROFILES)) expect(validatePolicy(p)).toBe(p);
    expect(failure(() => getProfile('nope')).code).toBe('unknown_policy_profile');
  });
});

describe('mergeStricter / validateOverrides', () => {
  it('accepts stricter overrides and applies them', () => {
    const o = {
      windowStart: '09:00',
      windowEnd: '20:00',
      maxAttemptsPerDay: 3,
      maxConnectedPerDay: 1,
      maxAttemptsPerContact: 4,
      minGapMinutes: 60,
      allowedWeekdays: [1, 2, 3, 4, 5],
    };
    expect(() => validateOverrides(cn, o)).not.toThrow();
    expect(mergeStricter(cn, o)).toEqual({ ...cn, ...o });
    expect(mergeStricter(cn, {})).toBe(cn);
    expect(mergeStricter(cn, null)).toBe(cn);
  });

  it.each([
    [{ maxAttemptsPerDay: 7 }, 'maxAttemptsPerDay'],
    [{ maxAttemptsPerDay: null }, 'maxAttemptsPerDay'],
    [{ maxConnectedPerDay: 4 }, 'maxConnectedPerDay'],
    [{ windowStart: '07:30' }, 'windowStart'],
    [{ windowEnd: '22:30' }, 'windowEnd'],
    [{ windowStart: '21:00', windowEnd: '09:00' }, 'windowEnd'],
    [{ windowStart: '06:00', windowEnd: '09:00' }, 'windowStart'],
    [{ windowStart: '09:00', windowEnd: '23:00' }, 'windowEnd'],
  ] as const)('rejects a looser override %j naming %s', (o, field) => {
    const f = failure(() => mergeStricter(cn, o));
    expect(f).toMatchObject({ code: 'override_not_stricter', field });
  });

  it('rejects weekdays, gaps and per-contact caps that loosen a stricter global policy', () => {
    const g: Policy = { ...cn, allowedWeekdays: [1, 2, 3, 4, 5], minGapMinutes: 30, maxAttemptsPerContact: 5 };
    expect(failure(() => validateOverrides(g, { allowedWeekdays: [5, 6] }))).toMatchObject({ code: 'override_not_stricter', field: 'allowedWeekdays' });
    expect(failure(() => validateOverrides(g, { minGapMinutes: 10 }))).toMatchObject({ code: 'override_not_stricter', field: 'minGapMinutes' });
    expect(failure(() => validateOverrides(g, { minGapMinutes: null }))).toMatchObject({ code: 'override_not_stricter', field: 'minGapMinutes' });
    expect(failure(() => validateOverrides(g, { maxAttemptsPerContact: 6 }))).toMatchObject({ code: 'override_not_stricter', field: 'maxAttemptsPerContact' });
  });

  it('lists every loose field in details.problems', () => {
    const f = failure(() => validateOverrides(cn, { maxAttemptsPerDay: 9, maxConnectedPerDay: 9 }));
    expect((f.details as { problems: Array<{ field: string }> }).problems.map((p) => p.field)).toEqual(['maxAttemptsPerDay', 'maxConnectedPerDay']);
  });

  it('handles a global window that crosses midnight', () => {
    const night: Policy = { ...cn, windowStart: '20:00', windowEnd: '02:00' };
    expect(() => validateOverrides(night, { windowStart: '22:00', windowEnd: '01:00' })).not.toThrow();
    expect(() => validateOverrides(night, { windowStart: '23:00', windowEnd: '23:30' })).not.toThrow();
    expect(failure(() => validateOverrides(night, { windowEnd: '03:00' }))).toMatchObject({ field: 'windowEnd' });
  });

  it('refuses keys a campaign may not override and malformed values', () => {
    expect(failure(() => validateOverrides(cn, { cooldownAfterConversationDays: 1 })).code).toBe('invalid_policy');
    expect(failure(() => validateOverrides(cn, { windowStart: '8am' })).code).toBe('invalid_policy');
    expect(failure(() => validateOverrides(cn, { maxAttemptsPerDay: 0 })).code).toBe('invalid_policy');
    expect(failure(() => validateOverrides(cn, { allowedWeekdays: [] })).code).toBe('invalid_policy');
    expect(failure(() => validateOverrides(cn, { windowStart: '10:00', windowEnd: '10:00' })).code).toBe('invalid_policy');
  });
});

describe('effectivePolicy (what the gate applies)', () => {
  it('keeps stricter fields, ignores looser or malformed ones, never throws', () => {
    const p = effectivePolicy(cn, {
      maxAttemptsPerDay: 2,
      maxConnectedPerDay: 9,
      windowStart: '07:00',
      minGapMinutes: 'x',
      allowedWeekdays: [1, 2, 3],
      bogus: 1,
    });
    expect(p).toEqual({ ...cn, maxAttemptsPerDay: 2, allowedWeekdays: [1, 2, 3] });
    expect(effectivePolicy(cn, null)).toBe(cn);
    expect(effectivePolicy(cn, [1])).toBe(cn);
  });
});
