/** Small numeric helpers for the benchmark reports. */

export interface Dist {
  n: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

/** Nearest-rank percentiles of a sample (values in ms); nulls when the sample is empty. */
export function dist(values: number[]): Dist {
  if (values.length === 0) return { n: 0, p50: null, p99: null, max: null };
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number): number => round(s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!);
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: round(s[s.length - 1]!) };
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export const mib = (bytes: number): number => round(bytes / 1024 / 1024);

/** Most intervals open at once (a sweep over starts and ends). */
export function peakOverlap(intervals: Array<[number, number]>): number {
  const points: Array<[number, number]> = [];
  for (const [a, b] of intervals) points.push([a, 1], [b, -1]);
  // Ends before starts at the same instant: back-to-back calls are not concurrent.
  points.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let cur = 0;
  let peak = 0;
  for (const [, d] of points) {
    cur += d;
    peak = Math.max(peak, cur);
  }
  return peak;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
