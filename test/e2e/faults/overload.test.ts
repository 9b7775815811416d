import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaultHarness, LOST_RETRY, type FaultHarness } from './fault-harness.js';
import { assertHealed, ledger } from './invariants.js';
import { startSlowAriProxy } from './slow-ari-proxy.js';

describe('fault: overload (originates answered after the worker gave up on them)', () => {
  let h: FaultHarness;
  let proxy: Awaited<ReturnType<typeof startSlowAriProxy>>;
  beforeAll(async () => {
    h = await createFaultHarness();
    proxy = await startSlowAriProxy(h.config.ari.url, 1_800);
  });
  afterAll(async () => {
    await h?.dispose();
    await proxy?.close();
  });

  it('every originate times out, yet every call is handled as the live call it is: no failed originate, no silent call', async () => {
    // 40 customers at once, each originate answered 1.8 s late against a 1 s deadline.
    const c = await h.campaign(40, { maxConcurrent: 40, callsPerSecond: 40 });
    const w = h.spawn({ ARI_URL: proxy.url, RINGWISE_ARI_TIMEOUT_MS: '1000' });
    const start = Date.now();
    const ms = await h.converged(c.campaignId, start);
    const summary = await assertHealed(h, c.campaignId, { originated: h.originated(), lostMaxRetries: LOST_RETRY.maxRetries });
    expect(proxy.delayed()).toBeGreaterThanOrEqual(40);
    expect(w.log()).toContain('originate timed out, but Asterisk has the call');
    const all = await ledger(h, c.campaignId);
    // Originates that timed out while still queued in the worker never reached Asterisk: not a
    // dial (no channel, never answered), re-queued at once.
    const notDialled = all.filter((r) => r.endReason === 'not_dialled');
    expect(notDialled.every((r) => r.answeredAt === null)).toBe(true);
    // One real call per customer, each answered, each heard the prompt, each with its real outcome.
    const rows = all.filter((r) => r.endReason !== 'not_dialled');
    expect(rows).toHaveLength(40);
    expect(new Set(rows.map((r) => r.customerId)).size).toBe(40);
    expect(rows.filter((r) => r.outcome !== 'completed')).toEqual([]);
    expect(rows.every((r) => r.firstAudioAt !== null)).toBe(true);
    console.log(`overload: ${proxy.delayed()} originates timed out, campaign done in ${ms} ms`, summary);
  }, 240_000);
});
