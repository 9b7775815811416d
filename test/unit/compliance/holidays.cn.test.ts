import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { decide, explain } from '../../../src/compliance/decide.js';
import { createHolidayCalendar } from '../../../src/compliance/holidays.js';
import type { Policy } from '../../../src/compliance/policy.types.js';
import { OPEN, input } from './fixtures.js';

/*
 * China's holidays and make-up working days (调休), typed here from the State Council General
 * Office's notices on the holiday arrangements (2025: 国办发明电〔2024〕12号, November 2024;
 * 2026: the notice of November 2025), not from the package that supplies them.
 * The 2027 notice is not in the package yet: its dates come from date-holidays, without 调休.
 */
const range = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let d = DateTime.fromISO(from, { zone: 'UTC' }); d.toISODate()! <= to; d = d.plus({ days: 1 })) out.push(d.toISODate()!);
  return out;
};
const PUBLISHED: Record<number, { off: string[]; makeup: string[] }> = {
  2025: {
    off: [
      ...range('2025-01-01', '2025-01-01'), // 元旦
      ...range('2025-01-28', '2025-02-04'), // 春节
      ...range('2025-04-04', '2025-04-06'), // 清明
      ...range('2025-05-01', '2025-05-05'), // 劳动节
      ...range('2025-05-31', '2025-06-02'), // 端午
      ...range('2025-10-01', '2025-10-08'), // 国庆、中秋
    ],
    makeup: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
  2026: {
    off: [
      ...range('2026-01-01', '2026-01-03'), // 元旦
      ...range('2026-02-15', '2026-02-23'), // 春节
      ...range('2026-04-04', '2026-04-06'), // 清明
      ...range('2026-05-01', '2026-05-05'), // 劳动节
      ...range('2026-06-19', '2026-06-21'), // 端午
      ...range('2026-09-25', '2026-09-27'), // 中秋
      ...range('2026-10-01', '2026-10-07'), // 国庆
    ],
    makeup: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
};

const cal = createHolidayCalendar();
const ZONE = 'Asia/Shanghai';
/** A bank that calls on working days only: Monday to Friday, no holidays, make-up days are working days. */
const workdaysOnly: Policy = {
  ...OPEN,
  windowStart: '08:00',
  windowEnd: '22:00',
  allowedWeekdays: [1, 2, 3, 4, 5],
  observeHolidays: true,
  makeupWorkdays: 'call',
};
const tenAm = (iso: string): Date => DateTime.fromISO(`${iso}T10:00`, { zone: ZONE }).toJSDate();

describe('China: official holidays and make-up working days (调休)', () => {
  for (const year of [2025, 2026]) {
    it(`matches the published ${year} schedule day by day`, () => {
      const { off, makeup } = PUBLISHED[year]!;
      for (const iso of range(`${year}-01-01`, `${year}-12-31`)) {
        expect(cal.isHoliday('CN', iso), `${iso} holiday`).toBe(off.includes(iso));
        expect(cal.isMakeupWorkday!('CN', iso), `${iso} make-up`).toBe(makeup.includes(iso));
      }
      expect(cal.source!('CN', year)).toMatch(/chinese-days/);
    });
  }

  it('says where 2027 comes from until its notice is in the package (no 调休 then)', () => {
    expect(cal.source!('CN', 2027)).toBe('date-holidays');
    expect(cal.isHoliday('CN', '2027-10-01')).toBe(true);
    expect(cal.isMakeupWorkday!('CN', '2027-10-09')).toBe(false);
  });

  it('make-up days only for China; other countries keep date-holidays', () => {
    expect(cal.isMakeupWorkday!('US', '2026-02-14')).toBe(false);
    expect(cal.isHoliday('US', '2026-07-03')).toBe(true); // Independence Day observed
  });

  it('a working-days-only policy calls exactly on the official working days of 2025-2026 (property)', () => {
    const days = [...range('2025-01-01', '2026-12-31')];
    fc.assert(
      fc.property(fc.constantFrom(...days), (iso) => {
        const y = Number(iso.slice(0, 4));
        const weekday = DateTime.fromISO(iso, { zone: ZONE }).weekday;
        const working = PUBLISHED[y]!.makeup.includes(iso) || (weekday <= 5 && !PUBLISHED[y]!.off.includes(iso));
        const d = decide(input({ policy: workdaysOnly, holidays: cal, now: tenAm(iso) }));
        expect(d.kind, iso).toBe(working ? 'allow' : 'defer');
      }),
      { numRuns: 400 },
    );
  });

  it("the profile's switches: no_call skips a make-up Saturday, by_weekday judges it as a Saturday", () => {
    const saturday = tenAm('2026-02-14');
    expect(decide(input({ policy: workdaysOnly, holidays: cal, now: saturday }))).toEqual({ kind: 'allow' });
    const noCall = decide(input({ policy: { ...workdaysOnly, makeupWorkdays: 'no_call' }, holidays: cal, now: saturday }));
    expect(noCall).toMatchObject({ kind: 'defer', rule: 'allowed_weekdays' });
    // Sunday 15th to Monday 23rd are the Spring Festival: the next working day is Tuesday 24th.
    expect(noCall.kind === 'defer' && noCall.until.toISOString()).toBe(DateTime.fromISO('2026-02-24T08:00', { zone: ZONE }).toUTC().toISO());
    expect(decide(input({ policy: { ...workdaysOnly, makeupWorkdays: 'by_weekday' }, holidays: cal, now: saturday }))).toMatchObject({
      kind: 'defer',
      rule: 'allowed_weekdays',
    });
    // Every day allowed, no_call: the make-up day alone is skipped.
    expect(decide(input({ policy: { ...OPEN, makeupWorkdays: 'no_call' }, holidays: cal, now: saturday }))).toMatchObject({
      kind: 'defer',
      rule: 'allowed_weekdays',
    });
    const e = explain(input({ policy: workdaysOnly, holidays: cal, now: tenAm('2026-02-16') }));
    expect(e.rules.find((r) => r.rule === 'holiday')?.detail).toMatch(/2026-02-16 is a public holiday in CN \(chinese-days/);
  });
});
