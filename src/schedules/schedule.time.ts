import { CronExpressionParser } from 'cron-parser';
import { DateTime, IANAZone } from 'luxon';
import { windowIntervals } from '../compliance/window.js';
import { dayToWeekday, localDay, nextLocal, startOfLocalDay, DAY } from '../compliance/local-time.js';
import { ValidationError } from '../shared/errors.js';

/** A schedule's time rules, pure: cron patterns, local dates, when a run's window closes. */

/** Problems with a cron pattern in a zone, as the API reports them; null when it is fine. */
export function cronProblem(cron: string, timeZone: string): string | null {
  if (cron.trim() !== cron || cron.length === 0) return 'cron must not be empty or padded with spaces';
  const fields = cron.split(/\s+/).length;
  // 5 fields (minute first) or 6 (seconds first); BullMQ and cron-parser read both the same way.
  if (!cron.startsWith('@') && (fields < 5 || fields > 6)) return `cron needs 5 or 6 fields, got ${fields}`;
  try {
    CronExpressionParser.parse(cron, { tz: timeZone, strict: false }).next();
    return null;
  } catch (err) {
    return `invalid cron "${cron}": ${(err as Error).message}`;
  }
}

/** Throws the API's 422s: `invalid_time_zone` before `invalid_cron` (a cron is read in its zone). */
export function assertScheduleTiming(s: { cron?: string | undefined; timeZone?: string | undefined }, current?: { cron: string; timeZone: string }): void {
  const timeZone = s.timeZone ?? current?.timeZone;
  const cron = s.cron ?? current?.cron;
  if (timeZone !== undefined && !IANAZone.isValidZone(timeZone)) {
    throw new ValidationError(`unknown IANA time zone "${timeZone}"`, { field: 'timeZone' }, 'invalid_time_zone');
  }
  if (cron !== undefined && timeZone !== undefined) {
    const problem = cronProblem(cron, timeZone);
    if (problem) throw new ValidationError(problem, { field: 'cron' }, 'invalid_cron');
  }
}

/** The next firing after `from`, for listings. */
export function nextFiring(cron: string, timeZone: string, from: Date): Date | null {
  try {
    return CronExpressionParser.parse(cron, { tz: timeZone, currentDate: from }).next().toDate();
  } catch {
    return null;
  }
}

/** The calendar date (YYYY-MM-DD) of instant `ms` in `zone`: the run's idempotency key. */
export function localDateOf(zone: string, ms: number): string {
  const d = DateTime.fromMillis(ms, { zone }).toISODate();
  if (d === null) throw new ValidationError(`unknown IANA time zone "${zone}"`, { field: 'timeZone' }, 'invalid_time_zone');
  return d;
}

/** The minutes of the day outside a window's intervals (both sorted, [from, to)). */
export function complementIntervals(intervals: ReadonlyArray<readonly [number, number]>): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  let at = 0;
  for (const [a, b] of intervals) {
    if (a > at) out.push([at, a]);
    at = Math.max(at, b);
  }
  if (at < 1440) out.push([at, 1440]);
  return out;
}

export interface RunWindow {
  windowStart: string;
  windowEnd: string;
  allowedWeekdays: readonly number[];
}

/**
 * When a run fired at `firedAtMs` stops being able to call: the end of the first calling window
 * (in the schedule's zone, on an allowed weekday) that is open at or after the firing. A window
 * that never closes (00:00-24:00) ends with the local day it opened on.
 */
export function windowClosesAt(w: RunWindow, zone: string, firedAtMs: number): Date {
  const intervals = windowIntervals(w.windowStart, w.windowEnd);
  const open = nextLocal(zone, firedAtMs, { intervals, dayAllowed: (d) => w.allowedWeekdays.includes(dayToWeekday(d)) }, firedAtMs + 400 * DAY) ?? firedAtMs;
  const gaps = complementIntervals(intervals);
  const close = gaps.length > 0 ? nextLocal(zone, open + 1, { intervals: gaps, dayAllowed: () => true }, open + 3 * DAY) : null;
  return new Date(close ?? startOfLocalDay(zone, localDay(zone, open) + 1, open));
}
