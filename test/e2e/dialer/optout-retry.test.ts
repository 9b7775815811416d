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

describe('dialer e2e: opt-out and retries', () => {
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

  it('DTMF 9 puts the customer on DNC at once, and no later call is placed', async () => {
    const phone = num('19');
    // A retry policy that would call back a no-answer: the opt-out must win over it.
    // The prompt is spoken by the TTS engine, rendered before the call (Mandarin for this customer).
    const prompt = { 'zh-CN': { segments: [{ type: 'tts', text: '您好{name}，您的欠款{amount}已逾期{days_past_due}天。按9不再接收提醒。' }] } };
    const first = await seedCampaign(h, { contacts: [{ phone, locale: 'zh-CN' }], prompt, retryPolicy: { no_answer: { delaySeconds: 1, maxRetries: 3 } } });
    await setCampaignState(h, first.campaignId, 'running');
    await waitFor('campaign completed', async () => (await campaignState(h, first.campaignId)) === 'completed');

    const [a] = await attempts(h, first.campaignId);
    expect(a).toMatchObject({ outcome: 'opted_out', digits: '9', endReason: 'opted_out', state: 'ended' });
    expect(a!.answeredAt).not.toBeNull();
    expect(a!.promptVersion).toMatch(/^[0-9a-f]{16}$/);
    const dnc = await h.tdb.db.query(`SELECT phone, customer_id::text AS "customerId", source FROM dnc_entries`);
    expect(dnc.rows).toEqual([{ phone, customerId: first.contacts[0]!.customerId, source: 'ivr' }]);
    expect((await contactStates(h, first.campaignId))[phone]).toMatchObject({ state: 'opted_out' });

    // The same customer in a new campaign: the gate blocks, nothing is dialed.
    const before = w.created.length;
    const second = await seedCampaign(h, { contacts: [{ phone }] });
    await setCampaignState(h, second.campaignId, 'running');
    await waitFor('second campaign completed', async () => (await campaignState(h, second.campaignId)) === 'completed');
    expect(await attempts(h, second.campaignId)).toEqual([]);
    expect((await contactStates(h, second.campaignId))[phone]).toMatchObject({ state: 'blocked' });
    expect(w.created.length).toBe(before);
  });

  it('a busy number is retried later through the gate; a capped customer is not', async () => {
    const retryPolicy = { busy: { delaySeconds: 2, maxRetries: 1 } };
    const free = await seedCampaign(h, { contacts: [{ phone: num('20', 1) }], retryPolicy });
    // At most one attempt per contact in this campaign: the retry must be refused by the gate.
    const capped = await seedCampaign(h, { contacts: [{ phone: num('20', 2) }], retryPolicy, policyOverrides: { maxAttemptsPerContact: 1 } });
    await setCampaignState(h, free.campaignId, 'running');
    await setCampaignState(h, capped.campaignId, 'running');
    await waitFor(
      'both completed',
      async () => (await campaignState(h, free.campaignId)) === 'completed' && (await campaignState(h, capped.campaignId)) === 'completed',
    );

    const retried = await attempts(h, free.campaignId);
    expect(retried.map((r) => [r.attemptNo, r.outcome])).toEqual([
      [1, 'busy'],
      [2, 'busy'],
    ]);
    // "Later": the second attempt was reserved no sooner than the retry delay after the first ended.
    expect(retried[1]!.reservedAt.getTime() - retried[0]!.endedAt!.getTime()).toBeGreaterThanOrEqual(1_900);
    expect((await contactStates(h, free.campaignId))[num('20', 1)]).toMatchObject({ state: 'failed', attempts: 2, lastOutcome: 'busy' });

    const cappedRows = await attempts(h, capped.campaignId);
    expect(cappedRows.map((r) => [r.attemptNo, r.outcome])).toEqual([[1, 'busy']]);
    expect((await contactStates(h, capped.campaignId))[num('20', 2)]).toMatchObject({ state: 'blocked' });
  });
});
