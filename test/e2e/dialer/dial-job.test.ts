import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CampaignEvents } from '../../../src/scheduler/campaign-events.js';
import { loadStatsRows, summarizeStats } from '../../../src/campaigns/campaign.stats.js';
import { dialJobId, type Queues } from '../../../src/scheduler/queues.js';
import type { TestDb } from '../../helpers/db.js';
import { startFakeAriWorker, type FakeAriWorker } from '../../helpers/fake-ari-worker.js';
import type { FakeAri } from '../../unit/dialer/fake-ari.js';

// The scheduler against real PostgreSQL, Redis and compliance gate, with a scripted fake ARI:
// deterministic checks of launch, idempotency, crash recovery, defer and pause.
describe('dial jobs (real PG + Redis, fake ARI)', () => {
  let w: FakeAriWorker;
  let tdb: TestDb;
  let ari: FakeAri;
  let queues: Queues;
  let events: CampaignEvents;

  beforeAll(async () => {
    w = await startFakeAriWorker({ name: 'job', catchUpEveryMs: 500, healing: { everyMs: 500, deadWorkerMs: 2_000 } });
    ({ tdb, ari, queues, events } = w);
    // The far end: numbers ending 20 are busy; anything else answers, then hangs up at once.
    ari.onDial = (id, endpoint) => {
      if (endpoint.endsWith('20@carrier')) {
        ari.channels.delete(id);
        ari.emit({ type: 'ChannelDestroyed', channel: { id }, cause: 17, tech_cause: 486 });
      } else {
        ari.answer(id);
        setTimeout(() => ari.emit({ type: 'ChannelDestroyed', channel: { id }, cause: 16 }), 20);
      }
    };
  });
  afterAll(async () => {
    await w?.close();
  });
  beforeEach(() => {
    ari.calls = [];
  });

  let seq = 0;
  async function seed(phones: string[], over: { retryPolicy?: object; policyOverrides?: object; state?: string } = {}) {
    const c = await tdb.db.query<{ id: string }>(
      `INSERT INTO campaigns (name, state, prompt, retry_policy, policy_overrides) VALUES ($1, $2, '{}', $3, $4) RETURNING id::text`,
      [`job ${++seq}`, over.state ?? 'draft', JSON.stringify(over.retryPolicy ?? {}), JSON.stringify(over.policyOverrides ?? {})],
    );
    const campaignId = c.rows[0]!.id;
    const contacts: string[] = [];
    for (const phone of phones) {
      const cu = await tdb.db.query<{ id: string }>(
        `INSERT INTO customers (external_id, name, phones, time_zone) VALUES ($1, 'X', ARRAY[$2], 'Asia/Shanghai')
         ON CONFLICT (external_id) DO UPDATE SET updated_at = now() RETURNING id::text`,
        [`job-${phone}`, phone],
      );
      const cc = await tdb.db.query<{ id: string }>(`INSERT INTO campaign_contacts (campaign_id, customer_id) VALUES ($1, $2) RETURNING id::text`, [
        campaignId,
        cu.rows[0]!.id,
      ]);
      contacts.push(cc.rows[0]!.id);
    }
    return { campaignId, contacts };
  }
  const launch = async (id: string) => {
    await tdb.db.query(`UPDATE campaigns SET state = 'running' WHERE id = $1`, [id]);
    await events.campaignStateChanged(id, 'running');
  };
  const campaignState = async (id: string) => (await tdb.db.query<{ state: string }>(`SELECT state FROM campaigns WHERE id = $1`, [id])).rows[0]!.state;
  const rows = async (id: string) =>
    (
      await tdb.db.query(
        `SELECT contact_id::text AS contact, attempt_no AS n, state, outcome, end_reason AS "endReason" FROM call_attempts WHERE campaign_id = $1 ORDER BY contact_id, attempt_no`,
        [id],
      )
    ).rows;
  async function until(what: string, f: () => Promise<boolean>, ms = 15_000) {
    const end = Date.now() + ms;
    while (!(await f())) {
      if (Date.now() > end) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('launch expands contacts into jobs; a double launch dials each contact once', async () => {
    const { campaignId, contacts } = await seed(['+8613800001101', '+8613800001120', '+8613800001102']);
    await launch(campaignId);
    await launch(campaignId);
    await until('completed', async () => (await campaignState(campaignId)) === 'completed');
    const r = await rows(campaignId);
    expect(r).toHaveLength(3);
    expect(r.map((x) => x.contact).sort()).toEqual([...contacts].sort());
    expect(r.filter((x) => x.outcome === 'busy')).toHaveLength(1);
    expect(ari.ops().filter((o) => o === 'originate')).toHaveLength(3);
  });

  it('a replayed job whose attempt is past reserved never dials it; the dead worker’s call, gone from Asterisk, ends as lost', async () => {
    // No lost-call retry here, so the campaign completes with the lost attempt.
    const { campaignId, contacts } = await seed(['+8613800001203'], { state: 'running', retryPolicy: { lost: { delaySeconds: 0, maxRetries: 0 } } });
    const contactId = contacts[0]!;
    const customer = await tdb.db.query<{ id: string }>(`SELECT customer_id::text AS id FROM campaign_contacts WHERE id = $1`, [contactId]);
    // What a crashed worker leaves: the attempt answered, the contact dialing, the job replayed.
    await tdb.db.query(
      `INSERT INTO call_attempts (campaign_id, contact_id, customer_id, attempt_no, phone, state, worker_id, originated_at, answered_at)
       VALUES ($1, $2, $3, 1, '+8613800001203', 'answered', 'w-dead', now(), now())`,
      [campaignId, contactId, customer.rows[0]!.id],
    );
    await tdb.db.query(`UPDATE campaign_contacts SET state = 'dialing', attempts = 1 WHERE id = $1`, [contactId]);
    await queues.dial.add('dial', { campaignId, contactId, attemptNo: 1, queuedAt: new Date().toISOString() }, { jobId: dialJobId(campaignId, contactId, 1) });
    await until('completed', async () => (await campaignState(campaignId)) === 'completed');
    expect(await rows(campaignId)).toEqual([{ contact: contactId, n: 1, state: 'ended', outcome: 'failed', endReason: 'lost' }]);
    expect(ari.ops()).not.toContain('originate');
  });

  it('busy is retried as a new delayed job through the gate; the capped contact is blocked instead', async () => {
    const retryPolicy = { busy: { delaySeconds: 0.2, maxRetries: 2 } };
    const free = await seed(['+8613800001320'], { retryPolicy });
    const capped = await seed(['+8613800001420'], { retryPolicy, policyOverrides: { maxAttemptsPerContact: 2 } });
    await launch(free.campaignId);
    await launch(capped.campaignId);
    await until(
      'both completed',
      async () => (await campaignState(free.campaignId)) === 'completed' && (await campaignState(capped.campaignId)) === 'completed',
    );
    expect((await rows(free.campaignId)).map((x) => [x.n, x.outcome])).toEqual([
      [1, 'busy'],
      [2, 'busy'],
      [3, 'busy'],
    ]);
    expect((await rows(capped.campaignId)).map((x) => [x.n, x.outcome])).toEqual([
      [1, 'busy'],
      [2, 'busy'],
    ]);
    const st = await tdb.db.query(`SELECT state FROM campaign_contacts WHERE campaign_id = $1`, [capped.campaignId]);
    expect(st.rows).toEqual([{ state: 'blocked' }]);
  });

  it("a held contact keeps the gate's reason (rule: detail), and the stats count it under its rule", async () => {
    const capped = await seed(['+8613800001520'], {
      retryPolicy: { busy: { delaySeconds: 0.2, maxRetries: 2 } },
      policyOverrides: { maxAttemptsPerContact: 1 },
    });
    await launch(capped.campaignId);
    await until('completed', async () => (await campaignState(capped.campaignId)) === 'completed');
    const held = await tdb.db.query<{ state: string; reason: string }>(`SELECT state, reason FROM campaign_contacts WHERE campaign_id = $1`, [
      capped.campaignId,
    ]);
    expect(held.rows).toEqual([{ state: 'blocked', reason: expect.stringMatching(/^max_attempts_per_contact: .*1\/1/) }]);
    const stats = summarizeStats(Number(capped.campaignId), await loadStatsRows(tdb.db, Number(capped.campaignId)));
    expect(stats.contacts.reasons).toEqual({ deferred: {}, blocked: { max_attempts_per_contact: 1 } });
  });

  it('a paused campaign dials nothing and gives its contacts back; resume dials them', async () => {
    const { campaignId } = await seed(['+8613800001501', '+8613800001502']);
    await launch(campaignId);
    await tdb.db.query(`UPDATE campaigns SET state = 'paused' WHERE id = $1`, [campaignId]);
    await events.campaignStateChanged(campaignId, 'paused');
    await until('contacts back to pending or done', async () => {
      const r = await tdb.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM campaign_contacts WHERE campaign_id = $1 AND state IN ('queued', 'dialing')`,
        [campaignId],
      );
      return r.rows[0]!.n === 0;
    });
    const dialedWhilePaused = (await rows(campaignId)).length;
    await launch(campaignId);
    await until('completed', async () => (await campaignState(campaignId)) === 'completed');
    expect((await rows(campaignId)).length).toBe(2);
    expect(dialedWhilePaused).toBeLessThanOrEqual(2);
  });

  it('a cancelled campaign dials nothing more: its remaining contacts are cancelled', async () => {
    const { campaignId } = await seed(['+8613800001601', '+8613800001602', '+8613800001603']);
    await tdb.db.query(`UPDATE campaigns SET state = 'cancelled' WHERE id = $1`, [campaignId]);
    // Jobs that were already queued when the cancel landed.
    for (const contactId of (await tdb.db.query<{ id: string }>(`SELECT id::text FROM campaign_contacts WHERE campaign_id = $1`, [campaignId])).rows.map(
      (r) => r.id,
    )) {
      await queues.dial.add(
        'dial',
        { campaignId, contactId, attemptNo: 1, queuedAt: new Date().toISOString() },
        { jobId: dialJobId(campaignId, contactId, 1) },
      );
    }
    await events.campaignStateChanged(campaignId, 'cancelled');
    await until('contacts cancelled', async () => {
      const r = await tdb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM campaign_contacts WHERE campaign_id = $1 AND state = 'cancelled'`, [
        campaignId,
      ]);
      return r.rows[0]!.n === 3;
    });
    expect(await rows(campaignId)).toEqual([]);
    expect(ari.ops()).not.toContain('originate');
  });

  it('a launch whose event was lost is caught up by the recurring scheduler', async () => {
    const { campaignId } = await seed(['+8613800001701']);
    // Committed as running, but no event reached Redis.
    await tdb.db.query(`UPDATE campaigns SET state = 'running' WHERE id = $1`, [campaignId]);
    await until('completed', async () => (await campaignState(campaignId)) === 'completed');
    expect(await rows(campaignId)).toHaveLength(1);
    const schedulers = await queues.campaign.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toEqual(['campaign-catch-up']);
  });
  it('token, then gate: a contact waiting for its calls-per-second token holds no reservation, and a DNC entry made meanwhile blocks it', async () => {
    const { campaignId, contacts } = await seed(['+8613800001501', '+8613800001502']);
    // A quarter call per second: the first token at once, the second four seconds later.
    await tdb.db.query(`UPDATE campaigns SET calls_per_second = 0.25 WHERE id = $1`, [campaignId]);
    await launch(campaignId);
    await until('the first call', async () => ari.ops().includes('originate'));
    const first = (await rows(campaignId)).map((r) => r.contact);
    expect(first).toHaveLength(1);
    const waiting = contacts.find((c) => c !== first[0])!;
    // The second job holds its slot and waits for its token: the ledger has no row for it yet
    // (a reservation would count against the customer's caps while nothing is dialled).
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await rows(campaignId)).map((r) => r.contact)).toEqual(first);
    const phone = (
      await tdb.db.query<{ phone: string }>(
        `SELECT c.phones[1] AS phone FROM campaign_contacts cc JOIN customers c ON c.id = cc.customer_id WHERE cc.id = $1`,
        [waiting],
      )
    ).rows[0]!.phone;
    await tdb.db.query(`INSERT INTO dnc_entries (phone, reason, source) VALUES ($1, 'asked by phone', 'test')`, [phone]);
    await until('completed', async () => (await campaignState(campaignId)) === 'completed', 20_000);
    expect(ari.ops().filter((o) => o === 'originate')).toHaveLength(1);
    expect((await rows(campaignId)).map((r) => r.contact)).toEqual(first);
    const held = await tdb.db.query<{ state: string; reason: string }>(`SELECT state, reason FROM campaign_contacts WHERE id = $1`, [waiting]);
    expect(held.rows[0]).toMatchObject({ state: 'blocked' });
    expect(held.rows[0]!.reason).toContain('do-not-call');
  });
});
