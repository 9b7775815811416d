import { DateTime } from 'luxon';

/**
 * Exact local-time arithmetic over epoch milliseconds. Between two UTC-offset changes local
 * wall-clock time is UTC plus a constant, so "the first instant at or after t whose local time
 * satisfies P" is found segment by segment without ever converting a local time back to an
 * instant (that conversion is what goes wrong in skipped and repeated hours).
 */

export const MINUTE = 60_000;
export const DAY = 86_400_000;

function rawOffsetMs(zone: string, ms: number): number {
  return DateTime.fromMillis(ms, { zone }).offset * MINUTE;
}

/**
 * A stretch of constant UTC offset. An exact end is an offset change found to the millisecond;
 * an inexact one is only as far as the search looked (the offset is still the same there).
 */
interface Span {
  readonly from: number;
  readonly to: number;
  readonly offset: number;
  readonly toExact: boolean;
}

const PROBE = DAY;
const REACH_AHEAD = 400 * DAY;
const REACH_BACK = 40 * DAY;

// Memo of immutable tz data: asking the offset through Intl costs ~10 µs, and the rules ask
// thousands of times per decision. Assumes at most one offset change per day (true of every
// zone since 1970), so probing a day apart cannot miss one.
const spansByZone = new Map<string, Span[]>();

function bisect(zone: string, lo: number, hi: number, offset: number): number {
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (rawOffsetMs(zone, mid) === offset) lo = mid;
    else hi = mid;
  }
  return hi;
}

function spanAt(zone: string, ms: number): Span {
  let spans = spansByZone.get(zone);
  if (!spans) spansByZone.set(zone, (spans = []));
  for (const s of spans) if (ms >= s.from && ms < s.to) return s;
  const offset = rawOffsetMs(zone, ms);
  let to = ms + REACH_AHEAD;
  let toExact = false;
  for (let p = ms + PROBE; p <= ms + REACH_AHEAD; p += PROBE) {
    if (rawOffsetMs(zone, p) !== offset) {
      to = bisect(zone, p - PROBE, p, offset);
      toExact = true;
      break;
    }
  }
  let from = ms - REACH_BACK;
  for (let p = ms - PROBE; p >= ms - REACH_BACK; p -= PROBE) {
    if (rawOffsetMs(zone, p) !== offset) {
      from = bisect(zone, p, p + PROBE, rawOffsetMs(zone, p));
      break;
    }
  }
  const span = { from, to, offset, toExact };
  spans.push(span);
  if (spans.length > 256) spans.shift();
  return span;
}

export function offsetMs(zone: string, ms: number): number {
  return spanAt(zone, ms).offset;
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

/** The first instant in (from, to] whose offset differs from the offset at `from`, or null. */
function nextOffsetChange(zone: string, from: number, to: number): number | null {
  let s = spanAt(zone, from);
  while (!s.toExact && s.to <= to) s = spanAt(zone, s.to);
  return s.to <= to ? s.to : null;
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
    const e = nextOffsetChange(zone, s, limit) ?? limit;
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
