import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttemptProgress } from '../../../src/calls/attempt-progress.js';
import { insertReservedAttempt } from '../../../src/calls/attempts.repo.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';

const log = createLogger('silent');

// Live calls' stamps are written in batches behind the calls (real PostgreSQL): the same
// conditions as one at a time, so late or repeated stamps never move a call backwards.
describe('ledger progress stamps, written in batches', () => {
  let t: TestDb;
  let campaignId: string;
  let n = 0;

  beforeAll(async () => {
    t = await createTestDb();
    campaignId = (await t.db.query<{ id: string }>(`INSERT INTO campaigns (name, state, prompt) VALUES ('p', 'running', '{}') RETURNING id::text`)).rows[0]!.id;
  });
  afterAll(async () => {
    await t?.drop();
  });

  async function attempt(state: string): Promise<string> {
    const i = ++n;
    const phone = `+86139100${String(i).padStart(5, '0')}`;
    const customerId = (
      await t.db.query<{ id: string }>(`INSERT INTO customers (external_id, name, phones) VALUES ($1, 'X', ARRAY[$2]) RETURNING id::text`, [`pr-${i}`, phone])
    ).rows[0]!.id;
    const contactId = (
      await t.db.query<{ id: string }>(`INSERT INTO campaign_contacts (campaign_id, customer_id) VALUES ($1, $2) RETURNING id::text`, [campaignId, customerId])
    ).rows[0]!.id;
    const id = await insertReservedAttempt(t.db, { campaignId, contactId, customerId, attemptNo: 1, phone, workerId: 'w', reservedAt: new Date() });
    await t.db.query(`UPDATE call_attempts SET state = $2 WHERE id = $1`, [id, state]);
    return id;
  }
  const row = async (id: string) =>
    (
      await t.db.query<{ state: string; answered_at: Date | null; first_audio_at: Date | null }>(
        `SELECT state, answered_at, first_audio_at FROM call_attempts WHERE id = $1`,
        [id],
      )
    ).rows[0]!;

  it('writes the stamps of several calls in one batch, each as it would alone', async () => {
    const progress = createAttemptProgress(t.db, log, 60_000);
    const [rings, answers, ended] = [await attempt('originating'), await attempt('originating'), await attempt('ended')];
    const at = new Date('2026-12-07T10:00:00.000Z');
    const heard = new Date('2026-12-07T10:00:00.040Z');
    progress.ringing(rings);
    progress.ringing(answers);
    progress.answered(answers, at);
    progress.firstAudio(answers, heard);
    progress.answered(ended, at); // a stamp that arrives after the call's end
    // Nothing is written before the flush (the interval here is a minute).
    expect((await row(answers)).state).toBe('originating');
    await progress.flush();
    expect(await row(rings)).toMatchObject({ state: 'ringing', answered_at: null, first_audio_at: null });
    expect(await row(answers)).toMatchObject({ state: 'answered', answered_at: at, first_audio_at: heard });
    expect(await row(ended)).toMatchObject({ state: 'ended', answered_at: null });
  });

  it('never moves a call backwards, keeps the first audio time, and forgets a call whose end is written', async () => {
    const progress = createAttemptProgress(t.db, log, 60_000);
    const id = await attempt('originating');
    const first = new Date('2026-12-07T11:00:00.000Z');
    progress.answered(id, first);
    progress.firstAudio(id, first);
    await progress.flush();
    progress.ringing(id);
    progress.firstAudio(id, new Date('2026-12-07T11:00:05.000Z'));
    await progress.flush();
    expect(await row(id)).toMatchObject({ state: 'answered', first_audio_at: first });

    const gone = await attempt('originating');
    progress.ringing(gone);
    progress.forget(gone);
    await progress.flush();
    expect((await row(gone)).state).toBe('originating');
  });

  it('flushes by itself after its interval', async () => {
    const progress = createAttemptProgress(t.db, log, 20);
    const id = await attempt('originating');
    progress.ringing(id);
    const deadline = Date.now() + 5_000;
    while ((await row(id)).state !== 'ringing' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect((await row(id)).state).toBe('ringing');
    await progress.close();
  });
});
