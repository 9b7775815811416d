import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../dialer/dialer-harness.js';
import { answeredLive, createFaultHarness, LOST_RETRY, type FaultHarness } from './fault-harness.js';
import { assertHealed, ledger } from './invariants.js';

describe('fault: Redis loses its data mid-campaign', () => {
  let h: FaultHarness;
  beforeAll(async () => {
    h = await createFaultHarness();
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('the queues are rebuilt from PostgreSQL and the campaign completes', async () => {
    const c = await h.campaign(40, { maxConcurrent: 10, callsPerSecond: 10 });
    const w = h.spawn();
    await waitFor(
      'calls answered and some ended',
      async () => {
        const rows = await ledger(h, c.campaignId);
        return rows.filter((r) => r.state === 'ended').length >= 5 && (await answeredLive(h, c.campaignId)).length >= 3;
      },
      60_000,
    );
    const queuedBefore = (await h.tdb.db.query(`SELECT count(*)::int AS n FROM campaign_contacts WHERE campaign_id = $1 AND state = 'queued'`, [c.campaignId]))
      .rows[0].n as number;
    expect(queuedBefore).toBeGreaterThan(5);

    // The test's own key prefix only: other tests share this Redis (never FLUSHALL).
    const keys = await h.redis.keys(`${h.config.queuePrefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    await h.redis.del(...keys);
    const lostAt = Date.now();

    const ms = await h.converged(c.campaignId, lostAt);
    const summary = await assertHealed(h, c.campaignId, { originated: h.originated(), lostMaxRetries: LOST_RETRY.maxRetries });
    // Nothing a customer would notice: no call was lost, each contact was dialled once.
    expect(summary.lost).toBe(0);
    expect(summary.attempts).toBe(40);
    expect(w.log()).toMatch(/"redisLost":true/);
    console.log(`redis data loss: ${keys.length} keys deleted with ${queuedBefore} contacts queued, converged ${ms} ms after`, summary);
  }, 240_000);
});
