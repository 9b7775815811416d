/** Calling windows as local minute-of-day intervals; "24:00" is allowed only as an end. */

const HHMM = /^([01]\d|2[0-4]):([0-5]\d)$/;

export function parseHhmm(value: string): number | null {
  const m = HHMM.exec(value);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes > 1440 ? null : minutes;
}

/**
 * The window's [from, to) minute intervals within one local date, sorted by start. A window
 * whose end is earlier than its start crosses midnight: [0, end) and [start, 1440).
 */
export function windowIntervals(start: string, end: string): Array<readonly [number, number]> {
  const s = parseHhmm(start);
  const e = parseHhmm(end);
  if (s === null || e === null || s === e || s === 1440) throw new Error(`invalid calling window ${start}-${end}`);
  if (s < e) return [[s, e]];
  const out: Array<readonly [number, number]> = [];
  if (e > 0) out.push([0, e]);
  out.push([s, 1440]);
  return out;
}

export function minuteInWindow(intervals: ReadonlyArray<readonly [number, number]>, minuteOfDay: number): boolean {
  return intervals.some(([a, b]) => minuteOfDay >= a && minuteOfDay < b);
}

/** True when every minute the inner window allows, the outer window allows too. */
export function windowWithin(inner: { start: string; end: string }, outer: { start: string; end: string }): boolean {
  const i = windowIntervals(inner.start, inner.end);
  const o = windowIntervals(outer.start, outer.end);
  for (let m = 0; m < 1440; m++) if (minuteInWindow(i, m) && !minuteInWindow(o, m)) return false;
  return true;
}
