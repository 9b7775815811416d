import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignEvents } from '../../../src/scheduler/campaign-events.js';
import type { Queues } from '../../../src/scheduler/queues.js';
import type { TestDb } from '../../helpers/db.js';
import { startFakeAriWorker, type FakeAriWorker } from '../../helpers/fake-ari-worker.js';
// The dial window against real PostgreSQL and Redis, with the production worker and a fake ARI
// whose calls answer and end at once: a campaign larger than its window never has more than the
// window queued, is topped up as calls finish, and dials every contact exactly once.
describe('dial window (real PG + Redis, fake ARI)', () => {
  const WINDOW = 40;
  const CONTACTS = 300;
  const MAX_CONCURRENT = 10;
  let w: FakeAriWorker;
  let tdb: TestDb;
  let queues: Queues;
  let events: CampaignEvents;

  beforeAll(async () => {
    w = await startFakeAriWorker({
      name: 'win',
      global: { maxChannels: MAX_CONCURRENT, callsPerSecond: 200 },
      concurrency: MAX_CONCURRENT,
      dialWindow: () => WINDOW,
    });
    ({ tdb, queues, events } = w);
    w.ari.onDial = (id) => {
      w.ari.answer(id);
      setTimeout(() => w.ari.emit({ type: 'ChannelDestroyed', channel: { id }, cause: 16 }), 10);
    };
  });
  afterAll(async () => {
    await w?.close();
  });

  const contactStates = async (campaignId: string) => {
    const r = await tdb.db.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM campaign_contacts WHERE campaign_id = $1 GROUP BY 1`, [
      campaignId,
    ]);
    return Object.fromEntries(r.rows.map((x) => [x.state, x.n])) as Record<string, number>;
  };

  it(`a campaign of ${CONTACTS} contacts holds at most its window of ${WINDOW} queued, is topped up as calls end, and dials each contact once`, async () => {
    const c = await tdb.db.query<{ id: string }>(
      `INSERT INTO campaigns (name, state, prompt, calls_per_second, max_concurrent) VALUES ('window', 'draft', '{}', 100, $1) RETURNING id::text`,
      [MAX_CONCURRENT],
    );
    const campaignId = c.rows[0]!.id;
    await tdb.db.query(
      `WITH cu AS (
         INSERT INTO customers (external_id, name, phones, time_zone)
         SELECT 'win-' || g, 'X', ARRAY['+86138' || lpad(g::text, 8, '0')], 'Asia/Shanghai' FROM generate_series(1, $2::int) g
         RETURNING id)
       INSERT INTO campaign_contacts (campaign_id, customer_id) SELECT $1, id FROM cu`,
      [campaignId, CONTACTS],
    );

    // Sample PostgreSQL and Redis while the campaign runs.
    let maxQueued = 0;
    let maxJobs = 0;
    let firstQueued: Record<string, number> | null = null;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const s = await contactStates(campaignId);
        if (!firstQueued && (s['queued'] ?? 0) > 0) firstQueued = s;
        maxQueued = Math.max(maxQueued, s['queued'] ?? 0);
        const j = await queues.dial.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
        maxJobs = Math.max(
          maxJobs,
          Object.values(j).reduce((a, b) => a + b, 0),
        );
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    await tdb.db.query(`UPDATE campaigns SET state = 'running' WHERE id = $1`, [campaignId]);
    await events.campaignStateChanged(campaignId, 'running');
    const deadline = Date.now() + 45_000;
    while ((await tdb.db.query<{ state: string }>(`SELECT state FROM campaigns WHERE id = $1`, [campaignId])).rows[0]!.state !== 'completed') {
      if (Date.now() > deadline) throw new Error(`not completed: ${JSON.stringify(await contactStates(campaignId))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    sampling = false;
    await sampler;

    // The first expand queued the window and left the rest pending.
    expect(firstQueued!['pending']).toBeGreaterThanOrEqual(CONTACTS - WINDOW - MAX_CONCURRENT);
    expect(maxQueued).toBeLessThanOrEqual(WINDOW);
    // Redis holds the window plus the jobs of calls in progress, never the campaign.
    expect(maxJobs).toBeLessThanOrEqual(WINDOW + MAX_CONCURRENT);
    expect(await contactStates(campaignId)).toEqual({ completed: CONTACTS });
    const attempts = await tdb.db.query<{ contacts: number; attempts: number }>(
      `SELECT count(DISTINCT contact_id)::int AS contacts, count(*)::int AS attempts FROM call_attempts WHERE campaign_id = $1`,
      [campaignId],
    );
    expect(attempts.rows[0]).toEqual({ contacts: CONTACTS, attempts: CONTACTS });
    expect(w.ari.ops().filter((o) => o === 'originate')).toHaveLength(CONTACTS);
    // Nothing is left behind: the expand job finished once every contact was queued.
    expect(await queues.campaign.getJob(`expand-${campaignId}`)).toBeUndefined();
  });
});
