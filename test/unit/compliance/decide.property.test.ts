import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { COUNTRY_ZONES } from '../../../src/compliance/country-zones.data.js';
import { decide } from '../../../src/compliance/decide.js';
import type { AttemptRecord, DecisionInput, Policy, Weekday } from '../../../src/compliance/policy.types.js';
import { fakeHolidays } from './fixtures.js';

/*
 * An independent, naive oracle for "may we call at instant t", written straight from the rule
 * definitions with luxon, checked against decide() on random zones, instants around DST
 * changes, histories and policies.
 */

const MIN = 60_000;
const DAY = 86_400_000;
const GRID = 15 * MIN;

// Every zone here has offsets and transitions on 15-minute boundaries, so with windows on
// 15-minute boundaries the set of allowed instants only changes at a 15-minute UTC grid point
// or at a history-derived instant: scanning those points finds any allowed instant.
// (Zones whose local date steps backwards at a fall-back, like America/Santiago, are excluded:
// there the engine may overshoot by up to the repeated hour, never undershoot.)
const ZONES = [
  'America/New_York',
  'America/Los_Angeles',
  'Europe/London',
  'Europe/Berlin',
  'Australia/Lord_Howe',
  'Australia/Sydney',
  'Asia/Shanghai',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'America/St_Johns',
  'America/Havana',
  'UTC',
];
// Customers without a zone: inferred from the number's country (AU has several DST regimes).
const PHONES: Record<string, string> = { AU: '+61212345678', CN: '+8613800138000' };

// 2026 DST changes in the zones above, so random instants cluster where things go wrong.
const PIVOTS = [
  '2026-03-08T07:00:00Z',
  '2026-03-08T05:00:00Z',
  '2026-03-29T01:00:00Z',
  '2026-04-04T15:00:00Z',
  '2026-04-04T16:00:00Z',
  '2026-10-03T15:30:00Z',
  '2026-10-03T16:00:00Z',
  '2026-10-25T01:00:00Z',
  '2026-11-01T06:00:00Z',
  '2026-11-01T05:30:00Z',
  '2026-04-05T01:45:00Z',
  '2026-09-26T14:00:00Z',
  '2026-01-15T12:00:00Z',
  '2026-07-01T00:00:00Z',
].map((s) => Date.parse(s));

const hhmm = (q: number): string => (q === 96 ? '24:00' : `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`);

const windowArb = fc
  .tuple(fc.integer({ min: 0, max: 95 }), fc.integer({ min: 1, max: 96 }))
  .filter(([s, e]) => s !== e)
  .map(([s, e]) => ({ windowStart: hhmm(s), windowEnd: hhmm(e) }));

const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    window: fc.oneof(windowArb, fc.constant({ windowStart: '08:00', windowEnd: '22:00' }), fc.constant({ windowStart: '08:00', windowEnd: '21:00' })),
    allowedWeekdays: fc.oneof(
      fc.constant([1, 2, 3, 4, 5, 6, 7] as Weekday[]),
      fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }).map((a) => a as Weekday[]),
    ),
    observeHolidays: fc.boolean(),
    voicemail: fc.constant('hang_up' as const),
    makeupWorkdays: fc.constantFrom('call' as const, 'no_call' as const, 'by_weekday' as const),
    maxAttemptsPerDay: fc.option(fc.integer({ min: 1, max: 6 })),
    maxConnectedPerDay: fc.option(fc.integer({ min: 1, max: 3 })),
    maxAttemptsInRollingDays: fc.option(fc.record({ count: fc.integer({ min: 1, max: 8 }), days: fc.integer({ min: 1, max: 8 }) })),
    cooldownAfterConversationDays: fc.option(fc.integer({ min: 1, max: 7 })),
    minGapMinutes: fc.option(fc.integer({ min: 0, max: 600 })),
  })
  .map(({ window, ...rest }) => ({ ...window, ...rest, holidayCountry: 'XX', maxAttemptsPerContact: null, maxAbandonRate: 0.03 }));

const caseArb = fc
  .record({
    pivot: fc.constantFrom(...PIVOTS),
    offsetMs: fc.integer({ min: -4 * DAY, max: 4 * DAY }),
    zone: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...ZONES) }, { weight: 1, arbitrary: fc.constantFrom('AU', 'CN').map((c) => `country:${c}`) }),
    history: fc.array(
      fc.record({ agoMs: fc.integer({ min: 0, max: 9 * DAY }), connected: fc.boolean(), talkMs: fc.option(fc.integer({ min: 1000, max: 60_000 })) }),
      { maxLength: 12 },
    ),
    recentBurst: fc.array(fc.integer({ min: 0, max: 6 * 3600_000 }), { maxLength: 6 }),
    holidayOffsets: fc.uniqueArray(fc.integer({ min: -10, max: 15 }), { maxLength: 4 }),
    makeupOffsets: fc.uniqueArray(fc.integer({ min: -10, max: 15 }), { maxLength: 3 }),
    policy: policyArb,
  })
  .map((c) => {
    const now = c.pivot + c.offsetMs;
    const history: AttemptRecord[] = [
      ...c.history.map((h) => ({
        at: new Date(now - h.agoMs),
        connected: h.connected,
        answeredAt: h.connected && h.talkMs !== null ? new Date(now - h.agoMs + h.talkMs) : null,
      })),
      ...c.recentBurst.map((ago) => ({ at: new Date(now - ago), connected: false })),
    ].filter((h: AttemptRecord) => (h.answeredAt ?? h.at).getTime() <= now);
    const holidays = c.holidayOffsets.map((d) => new Date(now + d * DAY).toISOString().slice(0, 10));
    // Make-up working days (调休) are never holidays.
    const makeup = c.makeupOffsets.map((d) => new Date(now + d * DAY).toISOString().slice(0, 10)).filter((d) => !holidays.includes(d));
    const country = c.zone.startsWith('country:') ? c.zone.slice(8) : null;
    const input: DecisionInput = {
      now: new Date(now),
      policy: c.policy,
      customer: { timeZone: country ? null : c.zone, phones: [] },
      phone: country ? PHONES[country]! : '+8613800138000',
      history,
      dnc: [],
      contactAttempts: 0,
      holidays: fakeHolidays(holidays, makeup),
    };
    return { input, zones: country ? [...COUNTRY_ZONES[country]!] : [c.zone], holidays: new Set(holidays), makeup: new Set(makeup) };
  });

type Case = { input: DecisionInput; zones: string[]; holidays: Set<string>; makeup: Set<string> };

const minuteOfDay = (d: DateTime): number => d.hour * 60 + d.minute + (d.second * 1000 + d.millisecond) / MIN;
const parse = (s: string): number => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
const dayDiff = (a: string, b: string): number => (Date.parse(a) - Date.parse(b)) / DAY;

const isoCache = new WeakMap<Case, Map<string, string[]>>();
/** Local ISO dates of each history entry in `zone` (reserved time and conversation time). */
function historyDates(c: Case, zone: string, conversation: boolean): string[] {
  let byZone = isoCache.get(c);
  if (!byZone) isoCache.set(c, (byZone = new Map()));
  const key = `${zone}:${conversation}`;
  let out = byZone.get(key);
  if (!out) {
    out = c.input.history.map((a) => DateTime.fromMillis((conversation ? (a.answeredAt ?? a.at) : a.at).getTime(), { zone }).toISODate()!);
    byZone.set(key, out);
  }
  return out;
}

function oracle(c: Case, t: number): boolean {
  const p = c.input.policy;
  const h = c.input.history;
  const last = h.length > 0 ? Math.max(...h.map((a) => a.at.getTime())) : null;
  if (p.minGapMinutes !== null && last !== null && t - last < p.minGapMinutes * MIN) return false;
  const s = parse(p.windowStart);
  const e = parse(p.windowEnd);
  for (const zone of c.zones) {
    const local = DateTime.fromMillis(t, { zone });
    const m = minuteOfDay(local);
    if (s < e ? !(m >= s && m < e) : !(m >= s || m < e)) return false;
    const today = local.toISODate()!;
    // A make-up working day is a working day (call), a day off (no_call) or an ordinary day.
    const makeupDay = p.makeupWorkdays !== 'by_weekday' && c.makeup.has(today);
    if (makeupDay ? p.makeupWorkdays !== 'call' : !p.allowedWeekdays.includes(local.weekday as Weekday)) return false;
    if (p.observeHolidays && c.holidays.has(today)) return false;
    const dates = historyDates(c, zone, false);
    const sameDay = h.filter((_, i) => dates[i] === today);
    if (p.maxAttemptsPerDay !== null && sameDay.length >= p.maxAttemptsPerDay) return false;
    if (p.maxConnectedPerDay !== null && sameDay.filter((a) => a.connected).length >= p.maxConnectedPerDay) return false;
    const r = p.maxAttemptsInRollingDays;
    if (r !== null && h.filter((a, i) => t - a.at.getTime() < r.days * DAY || dayDiff(today, dates[i]!) < r.days).length >= r.count) return false;
    const cd = p.cooldownAfterConversationDays;
    if (cd !== null) {
      const talkDates = historyDates(c, zone, true);
      for (const [i, a] of h.entries()) {
        if (!a.connected) continue;
        const c0 = (a.answeredAt ?? a.at).getTime();
        if (t - c0 < cd * DAY || dayDiff(today, talkDates[i]!) < cd) return false;
      }
    }
  }
  return true;
}

/** Every instant in [from, to) where the allowed set can start: grid points and history edges. */
function candidates(c: Case, from: number, to: number): number[] {
  const p = c.input.policy;
  const out = new Set<number>([from]);
  for (let g = Math.ceil(from / GRID) * GRID; g < to; g += GRID) out.add(g);
  for (const a of c.input.history) {
    const t0 = a.at.getTime();
    const c0 = (a.answeredAt ?? a.at).getTime();
    const edges = [
      p.minGapMinutes !== null ? t0 + p.minGapMinutes * MIN : null,
      p.maxAttemptsInRollingDays ? t0 + p.maxAttemptsInRollingDays.days * DAY : null,
      p.cooldownAfterConversationDays !== null ? c0 + p.cooldownAfterConversationDays * DAY : null,
    ];
    for (const e of edges) if (e !== null && e >= from && e < to) out.add(e);
  }
  return [...out].sort((x, y) => x - y);
}

const runs = { numRuns: 250 };

describe('decide (property)', () => {
  it('an allow never breaks a rule, and a defer lands on the earliest allowed instant', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const now = c.input.now.getTime();
        const d = decide(c.input);
        if (d.kind === 'allow') {
          expect(oracle(c, now)).toBe(true);
          return;
        }
        if (d.kind === 'block') {
          // Only when no instant can ever work (e.g. a 15-minute window that no two AU zones
          // share): after 30 days holidays and history no longer matter, so that suffices.
          expect(d.rule).toBe('no_allowed_time');
          expect(candidates(c, now, now + 30 * DAY).find((t) => oracle(c, t))).toBeUndefined();
          return;
        }
        const until = d.until.getTime();
        expect(until).toBeGreaterThan(now);
        // The target is allowed by the oracle and by decide itself with the same history.
        expect(oracle(c, until)).toBe(true);
        expect(decide({ ...c.input, now: d.until })).toEqual({ kind: 'allow' });
        // Nothing earlier was skipped.
        const skipped = candidates(c, now, until).find((t) => oracle(c, t));
        expect(skipped === undefined ? undefined : new Date(skipped).toISOString()).toBeUndefined();
      }),
      runs,
    );
  }, 60_000);

  it('is deterministic and never allows what the oracle forbids at random later instants', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 3 * DAY }), (c, later) => {
        const input = { ...c.input, now: new Date(c.input.now.getTime() + later) };
        const d = decide(input);
        expect(decide(input)).toEqual(d);
        expect(d.kind === 'allow').toBe(oracle(c, input.now.getTime()));
      }),
      runs,
    );
  }, 60_000);
});
