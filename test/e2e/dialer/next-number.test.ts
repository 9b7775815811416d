import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attempts,
  campaignState,
  contactStates,
  createHarness,
  num,
  seedCampaign,
  setCampaignState,
  startWorker,
  waitFor,
  type Harness,
  type RunningWorker,
} from './dialer-harness.js';

/*
 * A customer's numbers in order, through real Asterisk and SIPp (the carrier's 2x numbers are
 * busy, 0x answer): the campaign's rule moves on to the next number after busy / no answer /
 * invalid; a number on the do-not-call list is skipped; every attempt is in the ledger with the
 * number it dialed.
 */
describe('dialer e2e: all of a customer numbers', () => {
  let h: Harness;
  let w: RunningWorker;

  beforeAll(async () => {
    h = await createHarness();
    w = await startWorker(h);
  });
  afterAll(async () => {
    await w?.stop();
    await h?.close();
  });

  it('busy on the first number: the second is dialed at once, and answers', async () => {
    const first = num('20', 5); // busy
    const second = num('01', 5); // answers
    const c = await seedCampaign(h, { contacts: [{ phone: first, phones: [first, second] }], nextNumberOn: ['busy', 'no_answer', 'invalid_number'] });
    await setCampaignState(h, c.campaignId, 'running');
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed');
    const rows = (await attempts(h, c.campaignId)).sort((a, b) => a.attemptNo - b.attemptNo);
    expect(rows.map((r) => [r.attemptNo, r.phone, r.outcome])).toEqual([
      [1, first, 'busy'],
      [2, second, 'completed'],
    ]);
    // "At once": no retry delay between them (the campaign has no retry policy at all).
    expect(rows[1]!.reservedAt.getTime() - rows[0]!.endedAt!.getTime()).toBeLessThan(10_000);
    expect((await contactStates(h, c.campaignId))[first]).toMatchObject({ state: 'completed', attempts: 2 });
  });

  it('without the rule only the first number is dialed, as before', async () => {
    const first = num('20', 6);
    const c = await seedCampaign(h, { contacts: [{ phone: first, phones: [first, num('01', 6)] }] });
    await setCampaignState(h, c.campaignId, 'running');
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed');
    expect((await attempts(h, c.campaignId)).map((r) => [r.phone, r.outcome])).toEqual([[first, 'busy']]);
  });

  it('a number on the do-not-call list is skipped: the next one is dialed', async () => {
    const first = num('01', 7);
    const second = num('02', 7);
    await h.tdb.db.query(`INSERT INTO dnc_entries (phone, reason, source) VALUES ($1, 'asked on another call', 'api')`, [first]);
    const c = await seedCampaign(h, { contacts: [{ phone: first, phones: [first, second] }], nextNumberOn: ['busy'] });
    await setCampaignState(h, c.campaignId, 'running');
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed');
    expect((await attempts(h, c.campaignId)).map((r) => [r.phone, r.outcome])).toEqual([[second, 'completed']]);
    expect(w.created.length).toBeGreaterThan(0);
  });
});
