import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attempts,
  campaignState,
  createHarness,
  num,
  seedCampaign,
  setCampaignState,
  startWorker,
  TEST_PROMPT,
  waitFor,
  type Harness,
  type RunningWorker,
} from './dialer-harness.js';

/*
 * The DTMF menu through real Asterisk and SIPp: the carrier's 1x numbers answer, say "hello?",
 * and about 2 s later send the RFC 2833 digit x. What the customer heard is each playback the
 * worker started on the channel.
 */
describe('dialer e2e: the DTMF menu', () => {
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

  const heard = (attemptId: string) => w.played.filter((p) => p.channelId === attemptId).map((p) => p.media);

  it('key 0 repeats the prompt (default menu), then the menu times out', async () => {
    const c = await seedCampaign(h, { contacts: [{ phone: num('10') }] });
    await setCampaignState(h, c.campaignId, 'running');
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed');
    const [a] = await attempts(h, c.campaignId);
    expect(a).toMatchObject({ digits: '0', endReason: 'menu_timeout', outcome: 'completed', state: 'ended' });
    const prompt = TEST_PROMPT['en-US'].segments.map((s) => `sound:${s.name}`);
    // The prompt, cut by key 0, then the prompt again from the start, heard to its end.
    expect(heard(a!.id)).toEqual([prompt, prompt]);
  });

  it("a campaign's own menu: announced after the prompt, its keys act, an invalid key hears 'not recognised' and the menu", async () => {
    const menu = { '3': 'agent', '5': 'callback', '7': 'opt_out', '0': 'repeat' };
    const c = await seedCampaign(h, { contacts: [{ phone: num('14', 1) }, { phone: num('15', 1) }], menu });
    await setCampaignState(h, c.campaignId, 'running');
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed');
    const [invalid, callback] = await attempts(h, c.campaignId);
    expect(invalid).toMatchObject({ phone: num('14', 1), digits: '4', endReason: 'menu_timeout', state: 'ended' });
    expect(callback).toMatchObject({ phone: num('15', 1), digits: '5', endReason: 'callback_requested', outcome: 'completed' });

    const first = heard(invalid!.id);
    const prompt = TEST_PROMPT['en-US'].segments.map((s) => `sound:${s.name}`);
    // Prompt + the rendered announcement (a TTS file), then "not recognised" + the same announcement.
    expect(first).toHaveLength(2);
    expect(first[0]!.slice(0, prompt.length)).toEqual(prompt);
    const announcement = first[0]!.slice(prompt.length);
    expect(announcement).toHaveLength(1);
    expect(announcement[0]).toMatch(/^sound:.*\/[0-9a-f]{64}$/);
    expect(first[1]).toHaveLength(2);
    expect(first[1]![0]).toMatch(/^sound:.*\/[0-9a-f]{64}$/);
    expect(first[1]![0]).not.toBe(announcement[0]);
    expect(first[1]![1]).toBe(announcement[0]);
    // The callback request is acknowledged before the hang-up.
    expect(heard(callback!.id).at(-1)).toEqual(['sound:auth-thankyou']);
  });
});
