import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../dialer/dialer-harness.js';
import { answeredLive, createFaultHarness, LOST_RETRY, type FaultHarness } from './fault-harness.js';
import { assertHealed, ledger } from './invariants.js';

describe('fault: SIGTERM mid-campaign (a deploy)', () => {
  let h: FaultHarness;
  beforeAll(async () => {
    h = await createFaultHarness({ RINGWISE_DRAIN_SECONDS: '40' });
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('the worker lets its live calls finish, hands back the rest, exits 0; the next worker completes the campaign', async () => {
    const c = await h.campaign(30, { maxConcurrent: 10, callsPerSecond: 10 });
    const first = h.spawn();
    await waitFor(
      'calls answered and some ended',
      async () => {
        const rows = await ledger(h, c.campaignId);
        return rows.filter((r) => r.state === 'ended').length >= 3 && (await answeredLive(h, c.campaignId)).length >= 4;
      },
      60_000,
    );
    const live = await answeredLive(h, c.campaignId);
    const termAt = Date.now();
    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const drainMs = Date.now() - termAt;

    // At its exit nothing it started is open, and its live calls ended normally.
    const atExit = await ledger(h, c.campaignId);
    expect(atExit.filter((r) => r.state !== 'ended')).toEqual([]);
    for (const id of live) expect(atExit.find((r) => r.id === id)).toMatchObject({ outcome: 'completed', endReason: 'menu_timeout' });
    const pendingAtExit = (
      await h.tdb.db.query(`SELECT count(*)::int AS n FROM campaign_contacts WHERE campaign_id = $1 AND state <> 'completed'`, [c.campaignId])
    ).rows[0].n as number;
    expect(pendingAtExit).toBeGreaterThan(0);

    const second = h.spawn();
    const ms = await h.converged(c.campaignId, Date.now());
    const summary = await assertHealed(h, c.campaignId, { originated: h.originated(), lostMaxRetries: LOST_RETRY.maxRetries });
    expect(summary.lost).toBe(0);
    expect(summary.attempts).toBe(30);
    expect(first.log()).toContain('worker stopped');
    expect(second.originated().length).toBe(pendingAtExit);
    console.log(
      `sigterm drain: ${live.length} live calls finished in ${drainMs} ms, ${pendingAtExit} contacts handed back, converged ${ms} ms after the restart`,
      summary,
    );
  }, 240_000);
});
