import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attempts,
  campaignState,
  controlApi,
  createHarness,
  num,
  seedCampaign,
  startWorker,
  waitFor,
  type Harness,
  type RunningWorker,
} from './dialer-harness.js';

describe('dialer e2e: pause and resume', () => {
  let h: Harness;
  let w: RunningWorker;
  let api: Awaited<ReturnType<typeof controlApi>>;

  beforeAll(async () => {
    h = await createHarness();
    w = await startWorker(h);
    api = await controlApi(h);
  });
  afterAll(async () => {
    await api?.app.close();
    await w?.stop();
    await h?.close();
  });

  it('through the API: pause stops new dials within 2 s; resume dials the rest', async () => {
    // One call per second, one at a time: the campaign takes several seconds to run through.
    const c = await seedCampaign(h, {
      contacts: Array.from({ length: 8 }, (_, i) => ({ phone: num('20', 10 + i) })),
      callsPerSecond: 1,
      maxConcurrent: 1,
      // The API's shorthand segment ({text}); the campaign stores it typed ({type: 'tts', text}).
      prompt: { 'en-US': { segments: [{ text: 'Hello {name}, this is a payment reminder.' }] } },
    });
    await api.action(c.campaignId, 'launch');
    await waitFor('two calls placed', async () => (await attempts(h, c.campaignId)).length >= 2);

    const pausedAt = Date.now();
    await api.action(c.campaignId, 'pause');
    // Long enough for several more calls at 1/s had the pause not worked.
    await new Promise((r) => setTimeout(r, 4_000));
    const during = await attempts(h, c.campaignId);
    const late = during.filter((a) => a.originatedAt && a.originatedAt.getTime() > pausedAt + 2_000);
    expect(late).toEqual([]);
    expect(during.length).toBeLessThan(8);
    expect(await campaignState(h, c.campaignId)).toBe('paused');

    await api.action(c.campaignId, 'resume');
    await waitFor('campaign completed after resume', async () => (await campaignState(h, c.campaignId)) === 'completed', 45_000);
    const all = await attempts(h, c.campaignId);
    expect(all).toHaveLength(8);
    expect(new Set(all.map((a) => a.phone)).size).toBe(8);
    expect(all.map((a) => [a.attemptNo, a.outcome, a.endReason])).toEqual(all.map(() => [1, 'busy', null]));
  });
});
