import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAbandonWindow, loadAbandonWindows } from '../../../src/calls/abandon.js';
import { endAttempt, insertReservedAttempt, markAgentSought, markBridged } from '../../../src/calls/attempts.repo.js';
import { createAttemptProgress } from '../../../src/calls/attempt-progress.js';
import type { Outcome } from '../../../src/calls/outcome.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { createLogger } from '../../../src/shared/logger.js';

const log = createLogger('silent');

// The ledger's abandon facts, written by endAttempt from the stored timestamps (real PostgreSQL):
// the 2 s boundary, who counts as live, and the rolling 30 days per campaign.
describe('abandoned calls in the ledger', () => {
  let t: TestDb;
  let campaignId: string;
  let other: string;
  let contactNo = 0;

  beforeAll(async () => {
    t = await createTestDb();
    const c = await t.db.query<{ id: string }>(
      `INSERT INTO campaigns (name, state, prompt) VALUES ('a', 'running', '{}'), ('b', 'running', '{}') RETURNING id::text`,
    );
    [campaignId, other] = [c.rows[0]!.id, c.rows[1]!.id];
  });
  afterAll(async () => {
    await t?.drop();
  });

  /** One call: answered at `answeredAt`, handed to agents `soughtMs` later, bridged `bridgedMs` after that, ended with `outcome`. */
  async function call(o: { outcome: Outcome; answeredAt?: Date; soughtMs?: number; bridgedMs?: number; campaign?: string; answered?: boolean }) {
    // A customer per call (a campaign holds each customer once).
    const n = ++contactNo;
    const cu = await t.db.query<{ id: string }>(`INSERT INTO customers (external_id, name, phones) VALUES ($1, 'X', ARRAY[$2]) RETURNING id::text`, [
      `ab-${n}`,
      `+86139000${String(n).padStart(5, '0')}`,
    ]);
    const customerId = cu.rows[0]!.id;
    const cc = await t.db.query<{ id: string }>(`INSERT INTO campaign_contacts (campaign_id, customer_id) VALUES ($1, $2) RETURNING id::text`, [
      o.campaign ?? campaignId,
      customerId,
    ]);
    const answeredAt = o.answeredAt ?? new Date(Date.now() - 60_000);
    const id = await insertReservedAttempt(t.db, {
      campaignId: o.campaign ?? campaignId,
      contactId: cc.rows[0]!.id,
      customerId,
      attemptNo: 1,
      phone: `+86139000${String(n).padStart(5, '0')}`,
      workerId: 'w',
      reservedAt: new Date(answeredAt.getTime() - 10_000),
    });
    await t.db.query(`UPDATE call_attempts SET state = 'ringing' WHERE id = $1`, [id]);
    if (o.answered !== false) {
      const progress = createAttemptProgress(t.db, log);
      progress.answered(id, answeredAt);
      await progress.flush();
    }
    const sought = o.soughtMs === undefined ? null : new Date(answeredAt.getTime() + o.soughtMs);
    if (sought) await markAgentSought(t.db, id, sought);
    if (sought && o.bridgedMs !== undefined) await markBridged(t.db, id, 1, new Date(sought.getTime() + o.bridgedMs));
    await endAttempt(t.db, id, {
      outcome: o.outcome,
      cause: 16,
      techCause: null,
      amdStatus: null,
      amdCause: null,
      digits: '',
      promptVersion: null,
      endReason: null,
      answeredAt: o.answered === false ? null : answeredAt,
      endedAt: new Date(answeredAt.getTime() + 30_000),
    });
    const r = await t.db.query<{ live: boolean; abandoned: boolean }>(`SELECT live_answered AS live, abandoned FROM call_attempts WHERE id = $1`, [id]);
    return r.rows[0]!;
  }

  it('a call handed to agents is abandoned unless bridged within 2 s of the hand-off', async () => {
    expect(await call({ outcome: 'answered_human', soughtMs: 3_000, bridgedMs: 1_900 })).toEqual({ live: true, abandoned: false });
    expect(await call({ outcome: 'answered_human', soughtMs: 3_000, bridgedMs: 2_000 })).toEqual({ live: true, abandoned: false });
    expect(await call({ outcome: 'answered_human', soughtMs: 3_000, bridgedMs: 2_100 })).toEqual({ live: true, abandoned: true });
    expect(await call({ outcome: 'abandoned', soughtMs: 3_000 })).toEqual({ live: true, abandoned: true });
    // Lost (a worker died) while waiting for an agent: the customer got nobody.
    expect(await call({ outcome: 'failed', soughtMs: 3_000 })).toEqual({ live: true, abandoned: true });
  });

  it('calls never handed to agents are never abandoned; only a person answering counts as live', async () => {
    expect(await call({ outcome: 'completed' })).toEqual({ live: true, abandoned: false });
    expect(await call({ outcome: 'hangup_during_prompt' })).toEqual({ live: true, abandoned: false });
    expect(await call({ outcome: 'answered_machine' })).toEqual({ live: false, abandoned: false });
    expect(await call({ outcome: 'answered_unknown' })).toEqual({ live: false, abandoned: false });
    expect(await call({ outcome: 'busy', answered: false })).toEqual({ live: false, abandoned: false });
  });

  it('the window is per campaign and the last 30 days by answer time; the scrape lists every campaign in it', async () => {
    // So far in `campaignId`: 7 live (3 abandoned).
    await call({ outcome: 'abandoned', soughtMs: 1_000, answeredAt: new Date(Date.now() - 31 * 86_400_000) });
    await call({ outcome: 'answered_human', soughtMs: 1_000, bridgedMs: 500, answeredAt: new Date(Date.now() - 29 * 86_400_000) });
    await call({ outcome: 'abandoned', soughtMs: 1_000, campaign: other });
    // A campaign that ended two days ago dials no more: the scrape leaves it out; one ended an hour ago stays.
    const done = await t.db.query<{ id: string }>(
      `INSERT INTO campaigns (name, state, prompt, ended_at) VALUES ('old', 'completed', '{}', now() - interval '2 days'), ('recent', 'completed', '{}', now() - interval '1 hour') RETURNING id::text`,
    );
    await call({ outcome: 'abandoned', soughtMs: 1_000, campaign: done.rows[0]!.id, answeredAt: new Date(Date.now() - 3 * 86_400_000) });
    await call({ outcome: 'completed', campaign: done.rows[1]!.id, answeredAt: new Date(Date.now() - 2 * 3_600_000) });
    const w = await loadAbandonWindow(t.db, campaignId);
    expect({ abandoned: w.abandoned, liveAnswered: w.liveAnswered }).toEqual({ abandoned: 3, liveAnswered: 8 });
    expect(Date.now() - w.since.getTime()).toBeGreaterThanOrEqual(30 * 86_400_000);
    const all = await loadAbandonWindows(t.db);
    expect(all.map((x) => [x.campaignId, x.abandoned, x.liveAnswered]).sort()).toEqual(
      [
        [campaignId, 3, 8],
        [other, 1, 1],
        [done.rows[1]!.id, 0, 1],
      ].sort(),
    );
  });
});
