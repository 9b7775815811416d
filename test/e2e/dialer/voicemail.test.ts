import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProfile } from '../../../src/compliance/policy.profiles.js';
import { saveGlobalPolicy } from '../../../src/compliance/policy.store.js';
import { sandboxDir } from '../../helpers/sandbox-env.js';
import {
  attempts,
  campaignState,
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
 * Voicemail through real Asterisk and SIPp: the carrier's 6x numbers answer with a spoken
 * greeting (~14 s) that ends with a 0.5 s beep. AMD says MACHINE within seconds; the message
 * must wait for the end of the greeting and the beep, and be the limited-content message,
 * never the reminder prompt. Whether a machine gets anything is the policy's `voicemail`.
 */
describe('dialer e2e: voicemail', () => {
  let h: Harness;
  let w: RunningWorker;
  // The greeting as SIPp plays it (u-law: 8000 bytes a second), beep included.
  const greetingSeconds = statSync(join(sandboxDir(), 'audio', 'greeting.ulaw')).size / 8000;

  beforeAll(async () => {
    h = await createHarness();
    w = await startWorker(h);
  });
  afterAll(async () => {
    await w?.stop();
    await h?.close();
  });

  const allDay = { windowStart: '00:00', windowEnd: '24:00' };
  const run = async (phone: string) => {
    const c = await seedCampaign(h, { contacts: [{ phone }], amd: true, amdMachineAction: 'message' });
    await setCampaignState(h, c.campaignId, 'running');
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 90_000);
    const [a] = await attempts(h, c.campaignId);
    return { a: a!, heard: w.played.filter((p) => p.channelId === a!.id) };
  };

  it('us-regf: after the beep, the limited-content message, not the prompt', async () => {
    expect(greetingSeconds).toBeGreaterThan(10);
    await saveGlobalPolicy(h.tdb.db, 'us-regf', { ...getProfile('us-regf'), ...allDay }, null);
    const { a, heard } = await run(num('60', 1));
    expect(a).toMatchObject({ amdStatus: 'MACHINE', outcome: 'answered_machine', endReason: 'machine', state: 'ended' });
    expect(heard).toHaveLength(1);
    const [message] = heard;
    // One rendered TTS file: the limited-content message (its words: test/unit/dialer/voicemail.test.ts).
    expect(message!.media).toHaveLength(1);
    expect(message!.media[0]).toMatch(/^sound:.*\/[0-9a-f]{64}$/);
    expect(message!.media).not.toContain('sound:hello-world');
    // Not a word before the greeting and its beep are over (AMD decided long before).
    const afterAnswer = (message!.at.getTime() - a.answeredAt!.getTime()) / 1000;
    expect(afterAnswer).toBeGreaterThanOrEqual(greetingSeconds);
    expect(afterAnswer).toBeLessThan(greetingSeconds + 15);
  });

  it('cn-bank: a machine is hung up on at once, nothing is played', async () => {
    await saveGlobalPolicy(h.tdb.db, 'cn-bank', { ...getProfile('cn-bank'), ...allDay, maxAttemptsPerDay: 100, maxConnectedPerDay: 100 }, null);
    const { a, heard } = await run(num('60', 2));
    expect(a).toMatchObject({ amdStatus: 'MACHINE', outcome: 'answered_machine', endReason: 'machine' });
    expect(heard).toEqual([]);
    expect((a.endedAt!.getTime() - a.answeredAt!.getTime()) / 1000).toBeLessThan(greetingSeconds);
  });
});
