import type { AttemptRecord, HolidayCalendar, Policy, RuleName } from './policy.types.js';
import { ALL_DAY, DAY, MINUTE, dayToIso, dayToWeekday, localDay, localMs, nextLocal, satisfiesLocal, startOfLocalDay, type LocalSpec } from './local-time.js';
import { windowIntervals } from './window.js';

/**
 * A time rule is a predicate over instants with the history fixed. `next(t)` returns an instant
 * > t that is no later than the first instant ≥ t the rule allows (exact for every rule here
 * except across a fall-back that moves the local date backwards), or null for "never".
 */
export interface TimeRule {
  readonly name: RuleName;
  readonly zone?: string;
  ok(t: number): boolean;
  next(t: number, limit: number): number | null;
  describe(t: number): { detail: string; used?: number; limit?: number };
}

const hhmm = (zone: string, t: number): string => new Date(localMs(zone, t)).toISOString().slice(11, 16);
const localStamp = (zone: string, t: number): string => new Date(localMs(zone, t)).toISOString().slice(0, 16).replace('T', ' ');

function localRule(name: RuleName, zone: string, spec: LocalSpec, describe: (t: number) => string): TimeRule {
  return {
    name,
    zone,
    ok: (t) => satisfiesLocal(zone, t, spec),
    next: (t, limit) => nextLocal(zone, t, spec, limit),
    describe: (t) => ({ detail: describe(t) }),
  };
}

export function windowRule(zone: string, p: Policy): TimeRule {
  const spec = { intervals: windowIntervals(p.windowStart, p.windowEnd), dayAllowed: () => true };
  return localRule('calling_window', zone, spec, (t) => `local time ${hhmm(zone, t)}, calls allowed ${p.windowStart}-${p.windowEnd}`);
}

/**
 * Weekdays, with make-up working days (调休) judged as the policy says: a make-up Saturday is a
 * working day under `call`, a day without calls under `no_call`, a Saturday under `by_weekday`.
 */
export function weekdayRule(zone: string, p: Policy, country: string | null, cal: HolidayCalendar): TimeRule {
  const allowed = new Set<number>(p.allowedWeekdays);
  const makeup = (d: number): boolean => p.makeupWorkdays !== 'by_weekday' && country !== null && (cal.isMakeupWorkday?.(country, dayToIso(d)) ?? false);
  const dayAllowed = (d: number): boolean => (makeup(d) ? p.makeupWorkdays === 'call' : allowed.has(dayToWeekday(d)));
  return localRule('allowed_weekdays', zone, { intervals: ALL_DAY, dayAllowed }, (t) => {
    const d = localDay(zone, t);
    const why = makeup(d) ? ` (${dayToIso(d)} is a make-up working day in ${country}: ${p.makeupWorkdays === 'call' ? 'calls allowed' : 'no calls'})` : '';
    return `local weekday ${dayToWeekday(d)}, allowed ${[...allowed].sort().join(',')}${why}`;
  });
}

export function holidayRule(zone: string, country: string, cal: HolidayCalendar): TimeRule {
  const spec = { intervals: ALL_DAY, dayAllowed: (d: number) => !cal.isHoliday(country, dayToIso(d)) };
  return localRule('holiday', zone, spec, (t) => {
    const iso = dayToIso(localDay(zone, t));
    const source = cal.source ? ` (${cal.source(country, Number(iso.slice(0, 4)))})` : '';
    return `${iso} is ${cal.isHoliday(country, iso) ? '' : 'not '}a public holiday in ${country}${source}`;
  });
}

/** At most `cap` matching attempts on the local date of t. */
export function dailyCapRule(name: 'max_attempts_per_day' | 'max_connected_per_day', zone: string, history: readonly AttemptRecord[], cap: number): TimeRule {
  const perDay = new Map<number, number>();
  for (const a of history) {
    if (name === 'max_connected_per_day' && !a.connected) continue;
    const d = localDay(zone, a.at.getTime());
    perDay.set(d, (perDay.get(d) ?? 0) + 1);
  }
  const used = (t: number): number => perDay.get(localDay(zone, t)) ?? 0;
  const what = name === 'max_attempts_per_day' ? 'attempts' : 'connected calls';
  return {
    name,
    zone,
    ok: (t) => used(t) < cap,
    next: (t, limit) => {
      const today = localDay(zone, t);
      return nextLocal(zone, t, { intervals: ALL_DAY, dayAllowed: (d) => d !== today && (perDay.get(d) ?? 0) < cap }, limit);
    },
    describe: (t) => ({ detail: `${what} on local date ${dayToIso(localDay(zone, t))}: ${used(t)}/${cap}`, used: used(t), limit: cap }),
  };
}

/**
 * "Within `days` days of instant a", read both ways so neither reading is broken: less than
 * days × 24 h since a, or a local date fewer than `days` dates after a's. Returns when it ends.
 */
function windowEnd(zone: string, a: number, days: number): number {
  return Math.max(a + days * DAY, startOfLocalDay(zone, localDay(zone, a) + days, a));
}

export function rollingCapRule(zone: string, history: readonly AttemptRecord[], count: number, days: number): TimeRule {
  const ends = history.map((a) => windowEnd(zone, a.at.getTime(), days)).sort((x, y) => x - y);
  const used = (t: number): number => ends.filter((e) => t < e).length;
  return {
    name: 'max_attempts_rolling',
    zone,
    ok: (t) => used(t) < count,
    // Enough counted attempts must age out to leave room for one more.
    next: (t) => {
      const live = ends.filter((e) => t < e);
      return live[live.length - count] ?? null;
    },
    describe: (t) => ({ detail: `attempts in the last ${days} days: ${used(t)}/${count}`, used: used(t), limit: count }),
  };
}

export function cooldownRule(zone: string, history: readonly AttemptRecord[], days: number): TimeRule {
  const talks = history.filter((a) => a.connected).map((a) => (a.answeredAt ?? a.at).getTime());
  const last = talks.length > 0 ? Math.max(...talks) : null;
  const end = last === null ? null : windowEnd(zone, last, days);
  return {
    name: 'cooldown_after_conversation',
    zone,
    ok: (t) => end === null || t >= end,
    next: () => end,
    describe: (t) => ({
      detail:
        last === null
          ? 'no conversation on record'
          : `last conversation ${localStamp(zone, last)} local; quiet ${days} days, until ${end !== null && t < end ? localStamp(zone, end) : 'over'}`,
    }),
  };
}

export function minGapRule(history: readonly AttemptRecord[], gapMinutes: number): TimeRule {
  const last = history.length > 0 ? Math.max(...history.map((a) => a.at.getTime())) : null;
  const end = last === null ? null : last + gapMinutes * MINUTE;
  return {
    name: 'min_gap',
    ok: (t) => end === null || t >= end,
    next: () => end,
    describe: (t) => ({
      detail: last === null ? 'no earlier attempt' : `${Math.floor((t - last) / MINUTE)} min since the last attempt, minimum ${gapMinutes}`,
      ...(last === null ? {} : { used: Math.floor((t - last) / MINUTE), limit: gapMinutes }),
    }),
  };
}
