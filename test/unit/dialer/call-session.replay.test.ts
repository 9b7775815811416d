import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { CallSession } from '../../../src/dialer/call-session.js';
import { ARI_SCENARIOS, loadAriFixture, type AriFixture, type AriScenario } from '../../helpers/ari-fixture.js';
import { FakeAri } from './fake-ari.js';

/**
 * What the real Asterisk 22 sent during real calls (test/fixtures/ari/, recorded and re-checked
 * by test/e2e/dialer/ari-fixtures.test.ts), replayed into a CallSession over a fake port at the
 * recorded pace: the session must come to what the real run came to, asking the same of ARI.
 * The session's own timers (menu timeout) fire on fake time between the recorded events.
 */
async function replay(fx: AriFixture) {
  const ari = new FakeAri();
  const progress: string[] = [];
  const s = new CallSession(
    ari,
    { ...fx.options, amd: { enabled: false, machineAction: 'hangup', context: 'ringwise-amd' } },
    { onOptOut: async () => undefined, onProgress: (st) => progress.push(st) },
    pino({ level: 'silent' }),
  );
  await s.start();
  let t = 0;
  for (const { atMs, event } of fx.events) {
    await vi.advanceTimersByTimeAsync(atMs - t);
    t = atMs;
    s.handle(event);
  }
  const r = await s.done;
  return { r, ops: ari.ops(), progress };
}

const byName = (name: AriScenario) => loadAriFixture(name);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('CallSession replaying recorded Asterisk 22 calls', () => {
  for (const { scenario } of ARI_SCENARIOS) {
    it(`${scenario}: the same outcome, end reason and ARI requests as the real run`, async () => {
      const fx = byName(scenario);
      const { r, ops } = await replay(fx);
      expect({
        outcome: r.outcome,
        endReason: r.facts.endReason ?? null,
        digits: r.facts.digits ?? '',
        answered: r.facts.answered,
        hungUpBy: r.facts.hungUpBy ?? null,
        cause: r.facts.cause ?? null,
        promptStarted: r.facts.promptStarted ?? false,
        promptFinished: r.facts.promptFinished ?? false,
      }).toEqual(fx.result);
      expect(ops).toEqual(fx.ops);
      expect(r.answeredAt === null).toBe(!fx.result.answered);
    });
  }

  it('answered, prompt played, nobody pressed: we hung up at the menu timeout, the far end did not', async () => {
    const { r, ops, progress } = await replay(byName('answered-prompt-menu-timeout'));
    expect(r).toMatchObject({ outcome: 'completed', facts: { endReason: 'menu_timeout', hungUpBy: 'us', cause: 16 } });
    expect(ops).toEqual(['originate', 'play', 'hangup']);
    expect(progress).toEqual(['ringing', 'answered', 'first_audio']);
    expect(r.firstAudioAt).not.toBeNull();
  });

  it('digit 2 during the prompt: the prompt is cut, the acknowledgement plays, promise to pay', async () => {
    const { r, ops } = await replay(byName('dtmf-2-promise-to-pay'));
    expect(r).toMatchObject({ outcome: 'completed', facts: { digits: '2', endReason: 'promise_to_pay', hungUpBy: 'us' } });
    expect(ops).toEqual(['originate', 'play', 'stopPlayback', 'play', 'hangup']);
  });

  it('busy: 486 from the carrier is ChannelDestroyed cause 17 with no answer', async () => {
    const { r, ops, progress } = await replay(byName('busy'));
    expect(r).toMatchObject({ outcome: 'busy', facts: { cause: 17, answered: false } });
    expect(r.answeredAt).toBeNull();
    expect(ops).toEqual(['originate']);
    expect(progress).toEqual([]);
  });

  it("no answer: Asterisk's originate timeout ends it (cause 19) before our own ring guard", async () => {
    const fx = byName('no-answer');
    const { r, ops, progress } = await replay(fx);
    expect(r).toMatchObject({ outcome: 'no_answer', facts: { cause: 19, answered: false, hungUpBy: 'remote' } });
    expect(ops).toEqual(['originate']);
    expect(progress).toEqual(['ringing']);
    expect(fx.events.at(-1)!.atMs).toBeLessThan((fx.options.ringTimeoutSeconds + 3) * 1000);
  });

  it('the callee hangs up mid-prompt: hangup_during_prompt, the far end hung up', async () => {
    const { r, ops } = await replay(byName('callee-hangs-up-mid-prompt'));
    expect(r).toMatchObject({ outcome: 'hangup_during_prompt', facts: { hungUpBy: 'remote', promptStarted: true } });
    expect(r.facts.promptFinished ?? false).toBe(false);
    expect(ops).toEqual(['originate', 'play']);
  });
});
