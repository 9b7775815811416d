import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../dialer/dialer-harness.js';
import { answeredLive, createFaultHarness, LOST_RETRY, type FaultHarness } from './fault-harness.js';
import { assertHealed, ledger } from './invariants.js';

describe('fault: kill -9 of the worker mid-campaign', () => {
  let h: FaultHarness;
  beforeAll(async () => {
    h = await createFaultHarness();
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('the restarted worker adopts the calls still up; they end normally; the campaign completes', async () => {
    const c = await h.campaign(30, { maxConcurrent: 10, callsPerSecond: 10 });
    const first = h.spawn();
    // Mid-campaign: some calls done, several answered and up in Asterisk.
    await waitFor(
      'calls answered and some ended',
      async () => {
        const rows = await ledger(h, c.campaignId);
        return rows.filter((r) => r.state === 'ended').length >= 3 && (await answeredLive(h, c.campaignId)).length >= 4;
      },
      60_000,
    );
    const up = await answeredLive(h, c.campaignId);
    first.kill('SIGKILL');
    await first.exited;
    const killedAt = Date.now();

    // systemd's Restart=on-failure: the same worker id comes back.
    h.spawn();
    const ms = await h.converged(c.campaignId, killedAt);

    const summary = await assertHealed(h, c.campaignId, { originated: h.originated(), lostMaxRetries: LOST_RETRY.maxRetries });
    // The calls that were up when the worker died ended with their normal outcome, not as lost.
    const rows = await ledger(h, c.campaignId);
    const adopted = rows.filter((r) => up.includes(r.id));
    expect(adopted.length).toBe(up.length);
    for (const r of adopted) expect(r, `adopted call ${r.id}`).toMatchObject({ state: 'ended', outcome: 'completed' });
    expect(adopted.every((r) => r.endReason !== 'lost')).toBe(true);
    expect(h.workers[1]!.log()).toContain('adopting a live call');
    console.log(`worker kill -9: ${up.length} calls up adopted, converged ${ms} ms after the kill`, summary);
  }, 180_000);
});
