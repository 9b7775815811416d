import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStatsRows, summarizeStats } from '../../../src/campaigns/campaign.stats.js';
import { SLOW_MS } from '../../../src/scheduler/pacing.backpressure.js';
import { startFakeAriWorker, type FakeAriWorker } from '../../helpers/fake-ari-worker.js';

// Real PostgreSQL, Redis and gate; a scripted Asterisk that turns slow for a while: call setup
// (originate → first channel event) takes 1.5 s for the first 30 calls, then 20 ms again.
describe('backpressure from a slow Asterisk', () => {
  let w: FakeAriWorker;
  let dials = 0;
  beforeAll(async () => {
    w = await startFakeAriWorker({ name: 'bp', global: { maxChannels: 200, callsPerSecond: 100 }, concurrency: 200 });
    w.ari.onDial = (id) => {
      const slow = ++dials <= 30;
      setTimeout(
        () => {
          w.ari.answer(id);
          setTimeout(() => w.ari.emit({ type: 'ChannelDestroyed', channel: { id }, cause: 16 }), 20);
        },
        slow ? SLOW_MS + 500 : 20,
      );
    };
  });
  afterAll(async () => {
    await w?.close();
  });

  it('holds the pacing back while Asterisk is slow, fails no call, recovers, and the stats say when and why', async () => {
    const { db } = w.tdb;
    const c = await db.query<{ id: string }>(
      `INSERT INTO campaigns (name, state, prompt, calls_per_second, max_concurrent) VALUES ('bp', 'draft', '{}', 20, 200) RETURNING id::text`,
    );
    const campaignId = c.rows[0]!.id;
    await db.query(
      `WITH cu AS (INSERT INTO customers (external_id, name, phones, time_zone)
                   SELECT 'bp-' || g, 'X', ARRAY['+86139' || lpad(g::text, 8, '0')], 'Asia/Shanghai' FROM generate_series(1, 120) g RETURNING id)
       INSERT INTO campaign_contacts (campaign_id, customer_id) SELECT $1, id FROM cu`,
      [campaignId],
    );
    await db.query(`UPDATE campaigns SET state = 'running' WHERE id = $1`, [campaignId]);
    await w.events.campaignStateChanged(campaignId, 'running');
    let held = false;
    const end = Date.now() + 90_000;
    for (;;) {
      held ||= w.worker.pressure.current().factor < 1;
      const state = (await db.query<{ state: string }>(`SELECT state FROM campaigns WHERE id = $1`, [campaignId])).rows[0]!.state;
      const open = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pacing_holds WHERE campaign_id = $1 AND ended_at IS NULL`, [campaignId]))
        .rows[0]!.n;
      if (state === 'completed' && w.worker.pressure.current().factor === 1 && open === 0) break;
      if (Date.now() > end) throw new Error(`not done: ${state}, factor ${w.worker.pressure.current().factor}, open holds ${open}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(held).toBe(true);
    const stats = summarizeStats(Number(campaignId), await loadStatsRows(db, Number(campaignId)));
    expect(stats.contacts.byState['completed']).toBe(120);
    expect(stats.attempts.total).toBe(120);
    expect(stats.pacingHolds.count).toBeGreaterThanOrEqual(1);
    expect(stats.pacingHolds.recent[0]!.reasons).toContain('asterisk_slow');
    expect(stats.pacingHolds.recent[0]!.lowestFactor).toBeLessThan(1);
    expect(stats.pacingHolds.recent[0]!.endedAt).not.toBeNull();
  }, 120_000);
});
