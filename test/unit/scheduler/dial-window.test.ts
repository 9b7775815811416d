import { describe, expect, it } from 'vitest';
import { dialWindow, minTopUp, topUpDelayMs, WINDOW_MAX, WINDOW_MIN } from '../../../src/scheduler/dial-window.js';

describe('dialWindow', () => {
  it('holds 120 s of calls at the campaign rate', () => {
    expect(dialWindow({ callsPerSecond: 20, maxConcurrent: 50 })).toBe(2_400);
    expect(dialWindow({ callsPerSecond: 2.5, maxConcurrent: 10 })).toBe(300);
  });

  it('holds a job for every channel and as many again when channels bind, not the rate', () => {
    expect(dialWindow({ callsPerSecond: 2, maxConcurrent: 400 })).toBe(800);
  });

  it('is clamped to [200, 50,000]', () => {
    expect(dialWindow({ callsPerSecond: 0.5, maxConcurrent: 1 })).toBe(WINDOW_MIN);
    expect(dialWindow({ callsPerSecond: 1_000, maxConcurrent: 5_000 })).toBe(WINDOW_MAX);
    expect(dialWindow({ callsPerSecond: 20, maxConcurrent: 100_000 })).toBe(WINDOW_MAX);
  });

  it('never goes below the minimum for nonsense input', () => {
    expect(dialWindow({ callsPerSecond: -3, maxConcurrent: -1 })).toBe(WINDOW_MIN);
  });
});

describe('topUpDelayMs', () => {
  it('is the time to dial half the window, clamped to [1 s, 30 s]', () => {
    expect(topUpDelayMs(200, 20)).toBe(5_000);
    expect(topUpDelayMs(50, 100)).toBe(1_000);
    // Half of a 120 s window is 60 s of dialing: the 30 s ceiling applies to ordinary campaigns.
    expect(topUpDelayMs(dialWindow({ callsPerSecond: 20, maxConcurrent: 50 }), 20)).toBe(30_000);
    expect(topUpDelayMs(dialWindow({ callsPerSecond: 1, maxConcurrent: 10 }), 1)).toBe(30_000);
    // Past ~830 calls/s the 50,000 cap makes half the window shorter: 25,000 / 1,000 = 25 s.
    expect(topUpDelayMs(dialWindow({ callsPerSecond: 1_000, maxConcurrent: 10 }), 1_000)).toBe(25_000);
    expect(topUpDelayMs(dialWindow({ callsPerSecond: 50_000, maxConcurrent: 10 }), 50_000)).toBe(1_000);
  });
});

describe('minTopUp', () => {
  it('is a tenth of the window, at least one', () => {
    expect(minTopUp(200)).toBe(20);
    expect(minTopUp(2_401)).toBe(241);
    expect(minTopUp(1)).toBe(1);
  });
});
