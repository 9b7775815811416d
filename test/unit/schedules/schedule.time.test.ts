import { describe, expect, it } from 'vitest';
import { complementIntervals, cronProblem, localDateOf, nextFiring, windowClosesAt, assertScheduleTiming } from '../../../src/schedules/schedule.time.js';

const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];

describe('localDateOf', () => {
  it('is the calendar date in the schedule zone, not in UTC', () => {
    const ms = Date.parse('2026-11-29T17:30:00Z');
    expect(localDateOf('Asia/Shanghai', ms)).toBe('2026-11-30'); // 01:30 next day
    expect(localDateOf('America/Los_Angeles', ms)).toBe('2026-11-29'); // 09:30
    expect(localDateOf('Pacific/Kiritimati', Date.parse('2026-11-29T10:00:00Z'))).toBe('2026-11-30'); // UTC+14
    expect(localDateOf('Pacific/Pago_Pago', Date.parse('2026-11-29T10:00:00Z'))).toBe('2026-11-28'); // UTC-11
  });

  it('across DST changes: the hour that repeats and the hour that is skipped stay on their own date', () => {
    // New York falls back on 2026-11-01 at 02:00 EDT → 01:00 EST: 01:30 happens twice, same date.
    expect(localDateOf('America/New_York', Date.parse('2026-11-01T05:30:00Z'))).toBe('2026-11-01');
    expect(localDateOf('America/New_York', Date.parse('2026-11-01T06:30:00Z'))).toBe('2026-11-01');
    // 23:30 EST the night before the spring-forward (2026-03-08) is still the 7th.
    expect(localDateOf('America/New_York', Date.parse('2026-03-08T04:30:00Z'))).toBe('2026-03-07');
    expect(localDateOf('America/New_York', Date.parse('2026-03-08T07:30:00Z'))).toBe('2026-03-08'); // 03:30 EDT
    // Europe/London at midnight in summer is 23:00 UTC the day before.
    expect(localDateOf('Europe/London', Date.parse('2026-07-01T23:00:00Z'))).toBe('2026-07-02');
    expect(localDateOf('Europe/London', Date.parse('2026-12-01T23:00:00Z'))).toBe('2026-12-01');
  });
});

describe('cron and zone checks', () => {
  it('accepts 5 and 6 fields, refuses bad values, wrong field counts and unknown zones with their codes', () => {
    expect(cronProblem('0 9 * * *', 'Asia/Shanghai')).toBeNull();
    expect(cronProblem('* * * * * *', 'UTC')).toBeNull();
    expect(cronProblem('61 * * * *', 'UTC')).toMatch(/invalid cron/);
    expect(cronProblem('* * *', 'UTC')).toMatch(/5 or 6 fields/);
    expect(cronProblem(' 0 9 * * *', 'UTC')).toMatch(/padded/);
    expect(() => assertScheduleTiming({ cron: '0 9 * * *', timeZone: 'Mars/Olympus' })).toThrow(
      expect.objectContaining({ code: 'invalid_time_zone', status: 422 }),
    );
    expect(() => assertScheduleTiming({ cron: '0 25 * * *', timeZone: 'UTC' })).toThrow(
      expect.objectContaining({ code: 'invalid_cron', details: { field: 'cron' } }),
    );
    // A patch of one field is judged with the stored other one.
    expect(() => assertScheduleTiming({ cron: 'x' }, { cron: '0 9 * * *', timeZone: 'UTC' })).toThrow(expect.objectContaining({ code: 'invalid_cron' }));
  });

  it('the next firing is read in the zone', () => {
    expect(nextFiring('0 9 * * *', 'Asia/Shanghai', new Date('2026-11-29T00:00:00Z'))?.toISOString()).toBe('2026-11-29T01:00:00.000Z');
    expect(nextFiring('0 9 * * *', 'America/New_York', new Date('2026-11-29T00:00:00Z'))?.toISOString()).toBe('2026-11-29T14:00:00.000Z');
  });
});

describe('windowClosesAt', () => {
  it('the end of the window open at or after the firing, in the schedule zone', () => {
    const w = { windowStart: '09:00', windowEnd: '18:00', allowedWeekdays: EVERY_DAY };
    // Fired 10:00 Shanghai → closes 18:00 Shanghai the same day.
    expect(windowClosesAt(w, 'Asia/Shanghai', Date.parse('2026-11-30T02:00:00Z')).toISOString()).toBe('2026-11-30T10:00:00.000Z');
    // Fired 20:00 Shanghai (after the window) → tomorrow's window, closing 18:00 tomorrow.
    expect(windowClosesAt(w, 'Asia/Shanghai', Date.parse('2026-11-30T12:00:00Z')).toISOString()).toBe('2026-12-01T10:00:00.000Z');
    // Fired 07:00 → today's window.
    expect(windowClosesAt(w, 'Asia/Shanghai', Date.parse('2026-11-29T23:00:00Z')).toISOString()).toBe('2026-11-30T10:00:00.000Z');
  });

  it('a window crossing midnight closes the next morning; an all-day window at the next local midnight', () => {
    const night = { windowStart: '22:00', windowEnd: '06:00', allowedWeekdays: EVERY_DAY };
    expect(windowClosesAt(night, 'UTC', Date.parse('2026-11-30T23:00:00Z')).toISOString()).toBe('2026-12-01T06:00:00.000Z');
    const allDay = { windowStart: '00:00', windowEnd: '24:00', allowedWeekdays: EVERY_DAY };
    expect(windowClosesAt(allDay, 'Asia/Shanghai', Date.parse('2026-11-30T02:00:00Z')).toISOString()).toBe('2026-11-30T16:00:00.000Z');
  });

  it('skips weekdays the policy forbids, and keeps local wall time across a DST change', () => {
    const weekdays = { windowStart: '09:00', windowEnd: '17:00', allowedWeekdays: [1, 2, 3, 4, 5] };
    // Saturday 2026-11-28 10:00 New York → Monday's window, 17:00 EST = 22:00Z.
    expect(windowClosesAt(weekdays, 'America/New_York', Date.parse('2026-11-28T15:00:00Z')).toISOString()).toBe('2026-11-30T22:00:00.000Z');
    // Sunday 2026-03-08 (spring forward) 08:00 EDT → Monday 17:00 EDT = 21:00Z.
    expect(windowClosesAt(weekdays, 'America/New_York', Date.parse('2026-03-08T12:00:00Z')).toISOString()).toBe('2026-03-09T21:00:00.000Z');
  });

  it('complementIntervals', () => {
    expect(complementIntervals([[540, 1080]])).toEqual([
      [0, 540],
      [1080, 1440],
    ]);
    expect(
      complementIntervals([
        [0, 360],
        [1320, 1440],
      ]),
    ).toEqual([[360, 1320]]);
    expect(complementIntervals([[0, 1440]])).toEqual([]);
  });
});
