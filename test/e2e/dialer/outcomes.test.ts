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

// Each outcome, over real SIP through the trunk to the simulated carrier, recorded in the ledger.
describe('dialer e2e: every outcome is recorded', () => {
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

  it('a small campaign: human, busy, no answer, rejected, congestion, invalid, hang-up during prompt, DTMF 2; AMD machine', async () => {
    const plain = await seedCampaign(h, {
      contacts: ['01', '20', '30', '40', '50', '80', '70', '12'].map((n) => ({ phone: num(n) })),
    });
    const amd = await seedCampaign(h, { amd: true, contacts: [{ phone: num('60', 1) }] });
    await setCampaignState(h, plain.campaignId, 'running');
    await setCampaignState(h, amd.campaignId, 'running');

    await waitFor(
      'both campaigns to complete',
      async () => (await campaignState(h, plain.campaignId)) === 'completed' && (await campaignState(h, amd.campaignId)) === 'completed',
      60_000,
    );

    const rows = await attempts(h, plain.campaignId);
    const by = Object.fromEntries(rows.map((r) => [r.phone.slice(-2), r]));
    expect(rows).toHaveLength(8);
    for (const r of rows) {
      expect(r.state).toBe('ended');
      expect(r.attemptNo).toBe(1);
      expect(r.queuedAt).not.toBeNull();
      expect(r.originatedAt).not.toBeNull();
      expect(r.endedAt).not.toBeNull();
      expect(r.promptVersion).toMatch(/^[0-9a-f]{16}$/);
      expect(r.ringMs).not.toBeNull();
    }
    expect(by['01']).toMatchObject({ outcome: 'completed', endReason: 'menu_timeout', connected: true, digits: '' });
    expect(by['01']!.answeredAt).not.toBeNull();
    expect(by['01']!.talkMs).toBeGreaterThan(0);
    expect(by['20']).toMatchObject({ outcome: 'busy', cause: 17, answeredAt: null, connected: false });
    expect(by['30']).toMatchObject({ outcome: 'no_answer', answeredAt: null });
    // It rang until the ring timeout rather than failing at once.
    expect(by['30']!.ringMs).toBeGreaterThanOrEqual(10_000);
    expect(by['40']).toMatchObject({ outcome: 'rejected', cause: 21 });
    expect(by['50']).toMatchObject({ outcome: 'congestion', cause: 34 });
    expect(by['80']).toMatchObject({ outcome: 'invalid_number', cause: 1 });
    expect(by['70']).toMatchObject({ outcome: 'hangup_during_prompt', connected: true });
    expect(by['12']).toMatchObject({ outcome: 'completed', digits: '2', endReason: 'promise_to_pay' });

    const [machine] = await attempts(h, amd.campaignId);
    expect(machine).toMatchObject({ outcome: 'answered_machine', amdStatus: 'MACHINE', endReason: 'machine', connected: false });

    const contacts = await contactStates(h, plain.campaignId);
    expect(contacts[num('01')]).toMatchObject({ state: 'completed', lastOutcome: 'completed', attempts: 1 });
    expect(contacts[num('20')]).toMatchObject({ state: 'failed', lastOutcome: 'busy' });
  });
});
