import { DateTime } from 'luxon';

/**
 * Exact local-time arithmetic over epoch milliseconds. Between two UTC-offset changes local
 * wall-clock time is UTC plus a constant, so "the first instant at or after t whose local time
 * satisfies P" is found segment by segment without ever converting a local time back to an
 * instant (that conversion is what goes wrong in skipped and repeated hours).
 */

export const MINUTE = 60_000;
export const DAY = 86_400_000;

export function offsetMs(zone: string, ms: number): number {
  return DateTime.fromMillis(ms, { zone }).offset * MINUTE;
}

/** Local wall-clock time of `ms` in `zone`, as if it were a UTC timestamp. */
export function localMs(zone: string, ms: number): number {
  return ms + offsetMs(zone, ms);
}

/** Days since 1970-01-01 of the local date of `ms`. */
export function localDay(zone: string, ms: number): number {
  return Math.floor(localMs(zone, ms) / DAY);
}

export function dayToIso(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** ISO weekday (1 = Monday) of a local day number. */
export function dayToWeekday(day: number): number {
  return ((new Date(day * DAY).getUTCDay() + 6) % 7) + 1;
}

/**
 * The first instant in (from, to] whose offset differs from the offset at `from`, or null.
 * Assumes at most one change in the span (true of every zone since 1970 for spans ≤ 1 day).
 */
function nextOffsetChange(zone: string, from: number, to: number): number | null {
  const o = offsetMs(zone, from);
  if (offsetMs(zone, to) === o) return null;
  let lo = from;
  let hi = to;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMs(zone, mid) === o) lo = mid;
    else hi = mid;
  }
  return hi;
}

export interface LocalSpec {
  /** Allowed [from, to) minute-of-day intervals, sorted by start. */
  readonly intervals: ReadonlyArray<readonly [number, number]>;
  /** Whether a local day (days since epoch) may be used at all. */
  readonly dayAllowed: (day: number) => boolean;
}

export const ALL_DAY: ReadonlyArray<readonly [number, number]> = [[0, 1440]];

/** Whether instant `ms` satisfies the spec in `zone`. */
export function satisfiesLocal(zone: string, ms: number, spec: LocalSpec): boolean {
  const l = localMs(zone, ms);
  const day = Math.floor(l / DAY);
  if (!spec.dayAllowed(day)) return false;
  const minute = (l - day * DAY) / MINUTE;
  return spec.intervals.some(([a, b]) => minute >= a && minute < b);
}

/** The first instant ≥ `from` that satisfies the spec in `zone`, or null if none before `limit`. */
export function nextLocal(zone: string, from: number, spec: LocalSpec, limit: number): number | null {
  let s = from;
  while (s < limit) {
    const o = offsetMs(zone, s);
    const e = nextOffsetChange(zone, s, s + DAY) ?? s + DAY;
    const l0 = s + o;
    const l1 = e + o;
    for (let day = Math.floor(l0 / DAY); day * DAY < l1; day++) {
      if (!spec.dayAllowed(day)) continue;
      for (const [a, b] of spec.intervals) {
        const lo = Math.max(day * DAY + a * MINUTE, l0);
        const hi = Math.min(day * DAY + b * MINUTE, l1);
        if (lo < hi) return lo - o;
      }
    }
    s = e;
  }
  return null;
}

/** The first instant whose local day is `day` or later (local midnight, or later if skipped). */
export function startOfLocalDay(zone: string, day: number, searchFrom: number): number {
  const found = nextLocal(zone, searchFrom, { intervals: ALL_DAY, dayAllowed: (d) => d >= day }, Math.max(searchFrom, day * DAY) + 2 * DAY);
  if (found === null) throw new Error(`no start of local day ${dayToIso(day)} in ${zone}`);
  return found;
}
