import { describe, expect, it } from 'vitest';
import { decide, explain } from '../../../src/compliance/decide.js';
import { createHolidayCalendar } from '../../../src/compliance/holidays.js';
import { getProfile } from '../../../src/compliance/policy.profiles.js';
import type { Decision, Policy } from '../../../src/compliance/policy.types.js';
import { OPEN, at, attempts, fakeHolidays, input } from './fixtures.js';

const until = (d: Decision): string | undefined => (d.kind === 'defer' ? d.until.toISOString() : undefined);
const ny = { timeZone: 'America/New_York', phones: ['+12125551234'] };
const regf = getProfile('us-regf');
const cn = getProfile('cn-bank');

describe('cn-bank profile (Asia/Shanghai, UTC+8)', () => {
  it('allows inside 08:00-22:00 local and defers outside to the next 08:00', () => {
    expect(decide(input({ now: at('2026-03-10T00:00:00Z') }))).toEqual({ kind: 'allow' }); // 08:00
    expect(decide(input({ now: at('2026-03-10T13:59:59Z') }))).toEqual({ kind: 'allow' }); // 21:59:59
    const late = decide(input({ now: at('2026-03-10T14:00:00Z') })); // 22:00
    expect(late).toMatchObject({ kind: 'defer', rule: 'calling_window' });
    expect(until(late)).toBe('2026-03-11T00:00:00.000Z');
    expect(until(decide(input({ now: at('2026-03-09T23:59:00Z') })))).toBe('2026-03-10T00:00:00.000Z'); // 07:59
  });

  it('caps attempts at 6 per local day across campaigns, then defers to the next day 08:00', () => {
    const five = [1, 2, 3, 4, 5].map((i) => ({ at: at(`2026-03-10T0${i}:00:00Z`), connected: false, campaignId: i }));
    expect(decide(input({ now: at('2026-03-10T06:00:00Z'), history: five }))).toEqual({ kind: 'allow' });
    const six = [...five, { at: at('2026-03-10T05:30:00Z'), connected: false, campaignId: 9 }];
    const d = decide(input({ now: at('2026-03-10T06:00:00Z'), history: six }));
    expect(d).toMatchObject({ kind: 'defer', rule: 'max_attempts_per_day' });
    expect(until(d)).toBe('2026-03-11T00:00:00.000Z');
  });

  it('counts the local day, not the UTC day', () => {
    // 23:30 UTC on the 9th is 07:30 on the 10th in Shanghai: same local day as 10:00 on the 10th.
    const h = attempts([
      '2026-03-09T23:30:00Z',
      '2026-03-09T23:31:00Z',
      '2026-03-09T23:32:00Z',
      '2026-03-10T00:10:00Z',
      '2026-03-10T00:20:00Z',
      '2026-03-10T00:30:00Z',
    ]);
    expect(decide(input({ now: at('2026-03-10T02:00:00Z'), history: h }))).toMatchObject({ kind: 'defer', rule: 'max_attempts_per_day' });
    // 15:59 UTC on the 9th is 23:59 on the 9th locally: a different day.
    const y = attempts([
      '2026-03-09T15:59:00Z',
      '2026-03-09T15:58:00Z',
      '2026-03-09T15:57:00Z',
      '2026-03-09T15:56:00Z',
      '2026-03-09T15:55:00Z',
      '2026-03-09T15:54:00Z',
    ]);
    expect(decide(input({ now: at('2026-03-10T02:00:00Z'), history: y }))).toEqual({ kind: 'allow' });
  });

  it('caps connected calls at 3 per local day', () => {
    const h = attempts(['2026-03-10T01:00:00Z', '2026-03-10T02:00:00Z', '2026-03-10T03:00:00Z'], true);
    const d = decide(input({ now: at('2026-03-10T04:00:00Z'), history: h }));
    expect(d).toMatchObject({ kind: 'defer', rule: 'max_connected_per_day' });
    expect(until(d)).toBe('2026-03-11T00:00:00.000Z');
    expect(decide(input({ now: at('2026-03-10T04:00:00Z'), history: h.slice(0, 2) }))).toEqual({ kind: 'allow' });
  });
});

describe('us-regf profile (America/New_York)', () => {
  it('calls only 08:00-21:00 local, EST and EDT alike', () => {
    const base = { policy: regf, customer: ny, phone: '+12125551234' };
    expect(decide(input({ ...base, now: at('2026-01-15T13:00:00Z') }))).toEqual({ kind: 'allow' }); // 08:00 EST
    expect(until(decide(input({ ...base, now: at('2026-01-15T12:59:00Z') })))).toBe('2026-01-15T13:00:00.000Z');
    expect(until(decide(input({ ...base, now: at('2026-07-15T01:00:00Z') })))).toBe('2026-07-15T12:00:00.000Z'); // 21:00 EDT → 08:00 EDT
  });

  it('allows at most 7 attempts in 7 consecutive days, deferring until the oldest leaves the window', () => {
    const h = attempts([
      '2026-06-01T14:00:00Z',
      '2026-06-02T14:00:00Z',
      '2026-06-03T14:00:00Z',
      '2026-06-04T14:00:00Z',
      '2026-06-05T14:00:00Z',
      '2026-06-06T14:00:00Z',
      '2026-06-07T14:00:00Z',
    ]);
    const d = decide(input({ policy: regf, customer: ny, phone: '+12125551234', now: at('2026-06-07T15:00:00Z'), history: h }));
    expect(d).toMatchObject({ kind: 'defer', rule: 'max_attempts_rolling' });
    // The first attempt (10:00 EDT on 1 June) stops counting 168 hours later.
    expect(until(d)).toBe('2026-06-08T14:00:00.000Z');
    expect(decide(input({ policy: regf, customer: ny, phone: '+12125551234', now: at('2026-06-07T15:00:00Z'), history: h.slice(1) }))).toEqual({
      kind: 'allow',
    });
  });

  it('waits 7 days after a conversation', () => {
    const h = [{ at: at('2026-06-01T13:59:00Z'), answeredAt: at('2026-06-01T14:00:00Z'), connected: true }];
    const d = decide(input({ policy: regf, customer: ny, phone: '+12125551234', now: at('2026-06-04T15:00:00Z'), history: h }));
    expect(d).toMatchObject({ kind: 'defer', rule: 'cooldown_after_conversation' });
    expect(until(d)).toBe('2026-06-08T14:00:00.000Z');
  });

  it('places a +1 number without a zone by its area code: 212 is New York alone', () => {
    const base = { policy: regf, customer: { timeZone: null, phones: ['+12125551234'] }, phone: '+12125551234' };
    // 09:30 in New York (04:30 in Honolulu, which a 212 number is not).
    expect(decide(input({ ...base, now: at('2026-06-04T13:30:00Z') }))).toEqual({ kind: 'allow' });
    const e = explain(input({ ...base, now: at('2026-06-04T13:30:00Z') }));
    expect(e).toMatchObject({ zones: ['America/New_York'], zoneSource: 'area_code', country: 'US' });
    // 07:59 New York: deferred to 08:00 New York.
    expect(until(decide(input({ ...base, now: at('2026-06-04T11:59:00Z') })))).toBe('2026-06-04T12:00:00.000Z');
  });

  it('infers every US zone for a non-geographic +1 number (toll-free 800) and calls only when all are inside', () => {
    const base = { policy: regf, customer: { timeZone: null, phones: ['+18005551234'] }, phone: '+18005551234' };
    // 10:00 in New York is 04:00 in Honolulu.
    const d = decide(input({ ...base, now: at('2026-06-04T14:00:00Z') }));
    expect(d).toMatchObject({ kind: 'defer', rule: 'calling_window' });
    expect(until(d)).toBe('2026-06-04T18:00:00.000Z'); // 08:00 HST
    // 21:00 EDT (01:00Z) closes New York; nothing opens until Honolulu's... and New York's next day.
    expect(until(decide(input({ ...base, now: at('2026-06-05T01:00:00Z') })))).toBe('2026-06-05T18:00:00.000Z');
    const e = explain(input({ ...base, now: at('2026-06-04T19:00:00Z') }));
    expect(e.zones).toContain('Pacific/Honolulu');
    expect(e.zoneSource).toBe('phone_country');
  });

  it("uses the campaign's default zone when the number does not settle it, never one outside the number's country", () => {
    const tollFree = { policy: regf, customer: { timeZone: null, phones: ['+18005551234'] }, phone: '+18005551234' };
    const ny = explain(input({ ...tollFree, campaignZone: 'America/New_York', now: at('2026-06-04T14:00:00Z') }));
    expect(ny).toMatchObject({ zones: ['America/New_York'], zoneSource: 'campaign_default', decision: { kind: 'allow' } });
    // A campaign zone outside the US does not narrow a US number.
    const sh = explain(input({ ...tollFree, campaignZone: 'Asia/Shanghai', now: at('2026-06-04T14:00:00Z') }));
    expect(sh.zoneSource).toBe('phone_country');
    // An area code beats the campaign's zone; the customer's own zone beats both.
    expect(
      explain(
        input({
          policy: regf,
          customer: { timeZone: null, phones: ['+18085550100'] },
          phone: '+18085550100',
          campaignZone: 'America/New_York',
          now: at('2026-06-04T14:00:00Z'),
        }),
      ),
    ).toMatchObject({ zones: ['Pacific/Honolulu'], zoneSource: 'area_code' });
    expect(
      explain(
        input({ policy: regf, customer: { timeZone: 'America/Chicago', phones: ['+18085550100'] }, phone: '+18085550100', now: at('2026-06-04T14:00:00Z') }),
      ),
    ).toMatchObject({ zones: ['America/Chicago'], zoneSource: 'customer' });
  });
});

describe('blocks', () => {
  it('blocks on a DNC entry for the phone or the customer, ignoring expired ones', () => {
    const now = at('2026-03-10T02:00:00Z');
    expect(decide(input({ now, dnc: [{ reason: 'asked', phone: '+8613800138000' }] }))).toMatchObject({ kind: 'block', rule: 'dnc' });
    expect(decide(input({ now, dnc: [{ reason: 'dispute', customerId: 1 }] }))).toMatchObject({ kind: 'block', rule: 'dnc' });
    expect(decide(input({ now, dnc: [{ reason: 'old', phone: '+8613800138000', expiresAt: at('2026-03-10T01:00:00Z') }] }))).toEqual({ kind: 'allow' });
  });

  it('blocks once the contact used its campaign attempts', () => {
    const policy: Policy = { ...cn, maxAttemptsPerContact: 3 };
    expect(decide(input({ now: at('2026-03-10T02:00:00Z'), policy, contactAttempts: 2 }))).toEqual({ kind: 'allow' });
    expect(decide(input({ now: at('2026-03-10T02:00:00Z'), policy, contactAttempts: 3 }))).toMatchObject({ kind: 'block', rule: 'max_attempts_per_contact' });
  });

  it('blocks when no time zone is known or inferable', () => {
    const d = decide(input({ now: at('2026-03-10T02:00:00Z'), customer: { timeZone: null, phones: ['+80012345678'] }, phone: '+80012345678' }));
    expect(d).toMatchObject({ kind: 'block', rule: 'time_zone' });
  });
});

describe('other rules', () => {
  it('keeps the minimum gap between attempts across campaigns', () => {
    const policy: Policy = { ...cn, minGapMinutes: 90 };
    const h = [{ at: at('2026-03-10T01:00:00.250Z'), connected: false, campaignId: 7 }];
    const d = decide(input({ now: at('2026-03-10T02:00:00Z'), policy, history: h }));
    expect(d).toMatchObject({ kind: 'defer', rule: 'min_gap' });
    expect(until(d)).toBe('2026-03-10T02:30:00.250Z');
  });

  it('skips disallowed weekdays to the next allowed day at window start', () => {
    const policy: Policy = { ...cn, allowedWeekdays: [1, 2, 3, 4, 5] };
    // Saturday 2026-03-14 10:00 local.
    const d = decide(input({ now: at('2026-03-14T02:00:00Z'), policy }));
    expect(d).toMatchObject({ kind: 'defer', rule: 'allowed_weekdays' });
    expect(until(d)).toBe('2026-03-16T00:00:00.000Z');
  });

  it('skips public holidays from date-holidays (US Thanksgiving) and joins them with weekends and caps', () => {
    const policy: Policy = { ...regf, observeHolidays: true, allowedWeekdays: [1, 2, 3, 4, 5] };
    const cal = createHolidayCalendar();
    const d = decide(input({ policy, customer: ny, phone: '+12125551234', holidays: cal, now: at('2026-11-26T15:00:00Z') }));
    expect(d).toMatchObject({ kind: 'defer', rule: 'holiday' });
    expect(until(d)).toBe('2026-11-27T13:00:00.000Z'); // Friday 08:00 EST
    // Friday also a holiday (fake calendar): the weekend follows, so Monday 08:00.
    const d2 = decide(
      input({ policy, customer: ny, phone: '+12125551234', holidays: fakeHolidays(['2026-11-26', '2026-11-27']), now: at('2026-11-26T15:00:00Z') }),
    );
    expect(until(d2)).toBe('2026-11-30T13:00:00.000Z');
  });

  it('uses the Chinese public holiday calendar for CN numbers', () => {
    const cal = createHolidayCalendar();
    expect(cal.isHoliday('CN', '2026-10-01')).toBe(true);
    expect(cal.isHoliday('CN', '2026-10-12')).toBe(false);
    const d = decide(input({ policy: { ...cn, observeHolidays: true }, holidays: cal, now: at('2026-10-01T02:00:00Z') }));
    expect(d).toMatchObject({ kind: 'defer', rule: 'holiday' });
  });

  it('blocks when no instant in the horizon can satisfy every rule', () => {
    const policy: Policy = { ...OPEN, allowedWeekdays: [6] };
    const everySaturday = Array.from({ length: 70 }, (_, i) => new Date(Date.UTC(2026, 2, 14 + i * 7)).toISOString().slice(0, 10));
    expect(until(decide(input({ now: at('2026-03-10T02:00:00Z'), policy, holidays: fakeHolidays(everySaturday) })))).toBe('2026-03-13T16:00:00.000Z');
    const d = decide(input({ now: at('2026-03-10T02:00:00Z'), policy: { ...policy, observeHolidays: true }, holidays: fakeHolidays(everySaturday) }));
    expect(d).toMatchObject({ kind: 'block', rule: 'no_allowed_time' });
  });
});

describe('DST', () => {
  const within = (zone: string, windowStart: string, windowEnd: string, now: string): string | undefined =>
    until(decide(input({ now: at(now), customer: { timeZone: zone, phones: [] }, policy: { ...OPEN, windowStart, windowEnd } })));

  it('opens a window whose start falls in a skipped hour at the first instant after the gap', () => {
    // New York skips 02:00-03:00 on 2026-03-08: a 02:30 opening happens at 03:00 EDT (07:00Z).
    expect(within('America/New_York', '02:30', '23:00', '2026-03-08T05:00:00Z')).toBe('2026-03-08T07:00:00.000Z');
    // London skips 01:00-02:00 on 2026-03-29.
    expect(within('Europe/London', '01:15', '23:00', '2026-03-29T00:30:00Z')).toBe('2026-03-29T01:00:00.000Z');
    // Lord Howe skips 02:00-02:30 on 2026-10-04 (UTC+10:30 → +11).
    expect(within('Australia/Lord_Howe', '02:15', '23:00', '2026-10-03T14:00:00Z')).toBe('2026-10-03T15:30:00.000Z');
  });

  it('opens at the first occurrence of a repeated hour', () => {
    // London repeats 01:00-02:00 on 2026-10-25: 01:30 BST is 00:30Z.
    expect(within('Europe/London', '01:30', '23:00', '2026-10-24T23:00:00Z')).toBe('2026-10-25T00:30:00.000Z');
    // New York repeats 01:00-02:00 on 2026-11-01: 01:30 EDT is 05:30Z.
    expect(within('America/New_York', '01:30', '23:00', '2026-11-01T04:00:00Z')).toBe('2026-11-01T05:30:00.000Z');
    // Lord Howe repeats 01:30-02:00 on 2026-04-05: 01:45 at +11 is 14:45Z the day before.
    expect(within('Australia/Lord_Howe', '01:45', '23:00', '2026-04-04T13:00:00Z')).toBe('2026-04-04T14:45:00.000Z');
  });

  it('reopens a window when a repeated hour brings local time back inside it', () => {
    // Window closes 01:30 local; after 01:30 EDT comes 01:00 EST — local time is back inside.
    const d = decide(input({ now: at('2026-11-01T05:45:00Z'), customer: ny, policy: { ...OPEN, windowStart: '00:00', windowEnd: '01:30' } }));
    expect(until(d)).toBe('2026-11-01T06:00:00.000Z'); // 01:00 EST: local time 01:00 is inside again
  });

  it('moves to the next local day at its real midnight across a DST change', () => {
    const h = attempts(['2026-03-08T05:10:00Z']); // 00:10 EST on the 8th
    const d = decide(input({ now: at('2026-03-08T15:00:00Z'), customer: ny, history: h, policy: { ...OPEN, maxAttemptsPerDay: 1 } }));
    expect(until(d)).toBe('2026-03-09T04:00:00.000Z'); // midnight EDT
    // Havana skips midnight on 2026-03-08 (00:00 → 01:00): the day starts at 01:00 CDT.
    const hv = decide(
      input({
        now: at('2026-03-07T20:00:00Z'),
        customer: { timeZone: 'America/Havana', phones: [] },
        history: attempts(['2026-03-07T19:00:00Z']),
        policy: { ...OPEN, maxAttemptsPerDay: 1 },
      }),
    );
    expect(until(hv)).toBe('2026-03-08T05:00:00.000Z');
  });

  it('treats a fixed zone plainly (Asia/Shanghai has no DST)', () => {
    expect(within('Asia/Shanghai', '08:00', '22:00', '2026-03-08T15:00:00Z')).toBe('2026-03-09T00:00:00.000Z');
  });

  it('handles windows that cross midnight', () => {
    expect(within('Asia/Shanghai', '20:00', '02:00', '2026-03-08T10:00:00Z')).toBe('2026-03-08T12:00:00.000Z');
    expect(decide(input({ now: at('2026-03-08T17:30:00Z'), policy: { ...OPEN, windowStart: '20:00', windowEnd: '02:00' } }))).toEqual({ kind: 'allow' });
  });
});

describe('explain', () => {
  it('gives every rule its verdict with the numbers', () => {
    const h = attempts([
      '2026-03-10T01:00:00Z',
      '2026-03-10T01:10:00Z',
      '2026-03-10T01:20:00Z',
      '2026-03-10T01:30:00Z',
      '2026-03-10T01:40:00Z',
      '2026-03-10T01:50:00Z',
    ]);
    const e = explain(input({ now: at('2026-03-10T14:30:00Z'), history: h }));
    expect(e.decision).toMatchObject({ kind: 'defer', rule: 'calling_window' });
    expect(until(e.decision)).toBe('2026-03-11T00:00:00.000Z');
    const byRule = Object.fromEntries(e.rules.map((r) => [r.rule, r]));
    expect(byRule['dnc']?.status).toBe('ok');
    expect(byRule['calling_window']).toMatchObject({ status: 'defer', zone: 'Asia/Shanghai' });
    expect(byRule['max_attempts_per_day']).toMatchObject({ status: 'defer', used: 6, limit: 6 });
    expect(byRule['max_attempts_per_day']?.detail).toContain('6/6');
    expect(byRule['max_connected_per_day']).toMatchObject({ status: 'ok', used: 0, limit: 3 });
    expect(byRule['max_attempts_rolling']).toMatchObject({ status: 'off' });
    expect(byRule['min_gap']).toMatchObject({ status: 'off' });
  });
});
