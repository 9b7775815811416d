import { describe, expect, it } from 'vitest';
import { bucketCapacity, takeToken, type BucketState } from '../../../src/scheduler/pacing.js';
import { pacingJitter } from '../../../src/scheduler/dial.processor.js';

describe('takeToken', () => {
  it('holds a tenth of a second of calls, at least one', () => {
    expect(bucketCapacity(150)).toBe(15);
    expect(bucketCapacity(5)).toBe(1);
    expect(bucketCapacity(0.5)).toBe(1);
  });

  it('starts full: a burst of capacity, then waits', () => {
    let s: BucketState | null = null;
    const now = 1_000_000;
    const results: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const r = takeToken(s, 30, now);
      results.push(r.ok);
      s = r.next;
    }
    expect(results).toEqual([true, true, true, false]);
  });

  it('refills at the rate and says how long to wait', () => {
    let r = takeToken(null, 2, 0);
    expect(r.ok).toBe(true);
    r = takeToken(r.next, 2, 0);
    expect(r.ok).toBe(false);
    expect(r.waitMs).toBe(500);
    r = takeToken(r.next, 2, 499);
    expect(r.ok).toBe(false);
    r = takeToken(r.next, 2, 500);
    expect(r.ok).toBe(true);
  });

  it('never holds more than its capacity after a long idle time', () => {
    let s = takeToken(null, 5, 0).next;
    s = takeToken(s, 5, 3_600_000).next;
    expect(s.tokens).toBeLessThanOrEqual(bucketCapacity(5));
  });

  it('a rate below one per second still lets one call through, then spaces them', () => {
    let r = takeToken(null, 0.5, 0);
    expect(r.ok).toBe(true);
    r = takeToken(r.next, 0.5, 100);
    expect(r.ok).toBe(false);
    expect(r.waitMs).toBe(1900);
    r = takeToken(r.next, 0.5, 2000);
    expect(r.ok).toBe(true);
  });

  it('over any window, grants at most capacity + rate × seconds', () => {
    let s: BucketState | null = null;
    let granted = 0;
    for (let t = 0; t <= 10_000; t += 7) {
      const r = takeToken(s, 4, t);
      if (r.ok) granted++;
      s = r.next;
    }
    expect(granted).toBeLessThanOrEqual(bucketCapacity(4) + 4 * 10);
    expect(granted).toBeGreaterThanOrEqual(4 * 10);
  });
});

describe('pacingJitter', () => {
  it('spreads a first wait over 100 ms and doubles with each wait, up to 1.6 s', () => {
    const top = () => 0.999;
    expect(pacingJitter({ attemptsStarted: 1 }, top)).toBe(99);
    expect(pacingJitter({ attemptsStarted: 2 }, top)).toBe(199);
    expect(pacingJitter({ attemptsStarted: 4 }, top)).toBe(799);
    expect(pacingJitter({ attemptsStarted: 50 }, top)).toBe(1598);
    expect(pacingJitter({ attemptsStarted: 50 }, () => 0)).toBe(0);
  });
});
