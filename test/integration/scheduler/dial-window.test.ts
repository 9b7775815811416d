import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/shared/logger.js';
import { startDialWorker, type DialWorker } from '../../../src/scheduler/worker.runtime.js';
import { createGatePort } from '../../../src/scheduler/gate.adapter.js';
import { createCampaignEvents, type CampaignEvents } from '../../../src/scheduler/campaign-events.js';
import { createQueues, type Queues } from '../../../src/scheduler/queues.js';
import { saveGlobalPolicy } from '../../../src/compliance/policy.store.js';
import { getProfile } from '../../../src/compliance/policy.profiles.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { sandboxEnv } from '../../helpers/sandbox-env.js';
import { FakeAri } from '../../unit/dialer/fake-ari.js';

// The dial window against real PostgreSQL and Redis, with the production worker and a fake ARI
// whose calls answer and end at once: a campaign larger than its window never has more than the
// window queued, is topped up as calls finish, and dials every contact exactly once.
describe('dial window (real PG + Redis, fake ARI)', () => {
  const WINDOW = 40;
  const CONTACTS = 300;
  const MAX_CONCURRENT = 10;
  let tdb: TestDb;
  let redis: Redis;
  let ari: FakeAri;
  let worker: DialWorker;
  let queues: Queues;
  let events: CampaignEvents;
  const prefix = `rwt-win-${randomBytes(4).toString('hex')}`;
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

  beforeAll(async () => {
    tdb = await createTestDb();
    redis = new Redis(process.env.REDIS_URL ?? sandboxEnv()['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    await saveGlobalPolicy(tdb.db, 'cn-bank', { ...getProfile('cn-bank'), windowStart: '00:00', windowEnd: '24:00' }, null);
    ari = new FakeAri();
    ari.onDial = (id) => {
      ari.emit({ type: 'ChannelStateChange', channel: { id, state: 'Up' } });
      setTimeout(() => ari.emit({ type: 'ChannelDestroyed', channel: { id }, cause: 16 }), 10);
    };
    queues = createQueues(redis, prefix);
    events = createCampaignEvents(queues, redis, prefix, log);
    worker = await startDialWorker({
      db: tdb.db,
      redis,
      log,
      ari,
      gate: createGatePort(tdb.db, 'cn-bank'),
      renderPrompt: async () => ({ media: ['sound:hello-world'], version: 'v-test' }),
      prefix,
      dialer: { dialTemplate: 'PJSIP/{number}@carrier', ringTimeoutSeconds: 15, menuTimeoutSeconds: 1, workerId: 'w-win' },
      global: { maxChannels: MAX_CONCURRENT, callsPerSecond: 200 },
      concurrency: MAX_CONCURRENT,
      lockDurationMs: 5_000,
      dialWindow: () => WINDOW,
    });
  });
  afterAll(async () => {
    await worker?.close(1_000);
    await queues?.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis?.quit();
    await tdb?.drop();
  });

  const contactStates = async (campaignId: string) => {
    const r = await tdb.db.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM campaign_contacts WHERE campaign_id = $1 GROUP BY 1`, [campaignId]);
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
        maxJobs = Math.max(maxJobs, Object.values(j).reduce((a, b) => a + b, 0));
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
    expect(ari.ops().filter((o) => o === 'originate')).toHaveLength(CONTACTS);
    // Nothing is left behind: the expand job finished once every contact was queued.
    expect(await queues.campaign.getJob(`expand-${campaignId}`)).toBeUndefined();
  });
});
