import { describe, expect, it } from 'vitest';
import { BACKLOG, createBackpressure, FACTOR_MIN, nextPressure, RECOVER_STEP, SLOW_MS, WINDOW_MS } from '../../../src/scheduler/pacing.backpressure.js';
import { FakeAri } from '../dialer/fake-ari.js';

const calm = { errors: 0, setupMs: [30, 40], stuck: 0 };
const full = { factor: 1, reason: null };

describe('backpressure: the pacing factor', () => {
  it('halves on ARI errors, cuts on slow setup or a setup backlog, never below the floor', () => {
    expect(nextPressure(full, { ...calm, errors: 1 })).toEqual({ factor: 0.5, reason: 'ari_errors' });
    expect(nextPressure(full, { ...calm, setupMs: [SLOW_MS + 500, SLOW_MS + 500, 20] }).reason).toBe('asterisk_slow');
    expect(nextPressure(full, { ...calm, stuck: BACKLOG + 1 }).reason).toBe('channels_in_setup');
    let p = { factor: 1, reason: null } as ReturnType<typeof nextPressure>;
    for (let i = 0; i < 50; i++) p = nextPressure(p, { ...calm, errors: 3 });
    expect(p.factor).toBe(FACTOR_MIN);
  });

  it('recovers step by step in calm windows and forgets the reason at full speed', () => {
    let p = nextPressure(full, { ...calm, errors: 1 });
    p = nextPressure(p, calm);
    expect(p.factor).toBeCloseTo(0.5 + RECOVER_STEP);
    expect(p.reason).toBe('ari_errors');
    for (let i = 0; i < 20; i++) p = nextPressure(p, calm);
    expect(p).toEqual(full);
    // A single slow call among many fast ones is not a slowdown (p90).
    expect(nextPressure(full, { ...calm, setupMs: [...Array(19).fill(20), 5_000] })).toEqual(full);
  });
});

describe('backpressure: watching the ARI port', () => {
  it('times originate → first channel event, counts failed originates, and passes everything through', async () => {
    const ari = new FakeAri();
    let t = 0;
    const bp = createBackpressure(ari, () => t);
    const seen: string[] = [];
    bp.ari.onEvent((e) => seen.push(e.type));
    const changes: number[] = [];
    bp.start((now) => changes.push(now.factor));
    await bp.ari.originate({ channelId: 'c1', endpoint: 'PJSIP/1@carrier', timeoutSeconds: 15 });
    await bp.ari.originate({ channelId: 'c0', endpoint: 'PJSIP/0@carrier', timeoutSeconds: 15 });
    t += SLOW_MS * 2;
    ari.emit({ type: 'StasisStart', channel: { id: 'c1' } });
    expect(seen).toEqual(['StasisStart']);
    expect(bp.ari.app).toBe(ari.app);
    expect(bp.ari.isConnected()).toBe(true);
    await new Promise((r) => setTimeout(r, WINDOW_MS + 100));
    expect(bp.current().reason).toBe('asterisk_slow');
    expect(bp.scale(100)).toBeCloseTo(70);
    // c0 was sent before that cut: its slow answer is the same overload, not a reason to cut again.
    t += 1;
    ari.emit({ type: 'StasisStart', channel: { id: 'c0' } });
    await new Promise((r) => setTimeout(r, WINDOW_MS + 100));
    expect(bp.scale(100)).toBeGreaterThanOrEqual(70);
    ari.originate = () => Promise.reject(new Error('ARI timeout'));
    await expect(bp.ari.originate({ channelId: 'c2', endpoint: 'PJSIP/2@carrier', timeoutSeconds: 15 })).rejects.toThrow('ARI timeout');
    await new Promise((r) => setTimeout(r, WINDOW_MS + 100));
    expect(bp.current().reason).toBe('ari_errors');
    expect(changes.length).toBeGreaterThanOrEqual(2);
    bp.stop();
  });
});
