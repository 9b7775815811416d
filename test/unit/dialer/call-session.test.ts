import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { CallSession, type SessionHooks, type SessionOptions } from '../../../src/dialer/call-session.js';
import { FakeAri } from './fake-ari.js';
import { AriError } from '../../../src/dialer/ari.http.js';

const ID = '0b7c1c1e-0000-4000-8000-000000000001';
const log = pino({ level: 'silent' });

function setup(over: Partial<SessionOptions> = {}, hooks: Partial<SessionHooks> = {}) {
  const ari = new FakeAri();
  const optOut = vi.fn(async () => undefined);
  const progress: string[] = [];
  const s = new CallSession(
    ari,
    {
      attemptId: ID,
      endpoint: 'PJSIP/+8613800000000@carrier',
      media: ['sound:hello-world'],
      amd: { enabled: false, machineAction: 'hangup', context: 'ringwise-amd' },
      ringTimeoutSeconds: 20,
      menuTimeoutMs: 5_000,
      sounds: { acknowledged: ['sound:auth-thankyou'], optedOut: ['sound:goodbye'], machineMessage: ['sound:vm-intro'] },
      ...over,
    },
    { onOptOut: optOut, onProgress: (st) => progress.push(st), ...hooks },
    log,
  );
  ari.onEvent((e) => s.handle(e));
  const ev = (type: string, extra: Record<string, unknown> = {}) => s.handle({ type, channel: { id: ID }, ...extra });
  // As Asterisk reports an answered originate: Up, then the channel enters the app.
  const up = () => {
    s.handle({ type: 'ChannelStateChange', channel: { id: ID, state: 'Up' } });
    s.handle({ type: 'StasisStart', channel: { id: ID, state: 'Up' }, args: [] });
  };
  const pb = (type: string, id = ari.lastPlaybackId()) => s.handle({ type, playback: { id, target_uri: `channel:${ID}` } });
  const destroyed = (cause = 16, tech_cause?: number) => ev('ChannelDestroyed', { cause, tech_cause });
  return { ari, s, ev, up, pb, destroyed, optOut, progress };
}

const lastPlay = (ari: FakeAri) => {
  const c = ari.calls.at(-1);
  return c?.op === 'play' ? c.args[1] : c?.op;
};

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('CallSession', () => {
  it('originates the call into the app in one request, with the ring timeout', async () => {
    const { ari, s } = setup();
    await s.start();
    expect(ari.calls).toEqual([
      { op: 'originate', args: [{ channelId: ID, endpoint: 'PJSIP/+8613800000000@carrier', callerId: undefined, timeoutSeconds: 20 }] },
    ]);
  });

  it('with AMD it also subscribes to the channel (AMD runs outside the app)', async () => {
    const { ari, s } = setup({ amd: { enabled: true, machineAction: 'hangup', context: 'ringwise-amd' } });
    await s.start();
    expect(ari.ops()).toEqual(['originate', 'subscribeChannel']);
  });

  it('busy: classified from ChannelDestroyed, no answer seen', async () => {
    const { s, destroyed } = setup();
    await s.start();
    destroyed(17, 486);
    const r = await s.done;
    expect(r.outcome).toBe('busy');
    expect(r.facts).toMatchObject({ cause: 17, techCause: 486, answered: false });
    expect(r.answeredAt).toBeNull();
  });

  it('ring timeout: we hang up and it is no_answer', async () => {
    const { ari, s, destroyed } = setup();
    await s.start();
    s.handle({ type: 'ChannelStateChange', channel: { id: ID, state: 'Ringing' } });
    await vi.advanceTimersByTimeAsync(23_000);
    expect(ari.ops()).toContain('hangup');
    destroyed(16);
    expect((await s.done).outcome).toBe('no_answer');
  });

  it('Up is the answer, but the prompt waits until the channel is in the app', async () => {
    const { s, ev, destroyed, ari, progress } = setup();
    await s.start();
    s.handle({ type: 'ChannelStateChange', channel: { id: ID, state: 'Up' } });
    expect(progress).toEqual(['answered']);
    expect(ari.ops()).not.toContain('play');
    ev('StasisStart', { args: [] });
    expect(lastPlay(ari)).toEqual(['sound:hello-world']);
    expect(ari.ops().filter((o) => o === 'play')).toHaveLength(1);
    destroyed(16);
    expect((await s.done).answeredAt).not.toBeNull();
  });

  it('StasisStart alone (no Up seen) is an answer: an originated channel enters the app only when answered', async () => {
    const { s, ev, ari, progress } = setup();
    await s.start();
    ev('StasisStart', { args: [] });
    expect(progress).toEqual(['answered']);
    expect(lastPlay(ari)).toEqual(['sound:hello-world']);
  });

  it('human: prompt plays, menu times out, we hang up: completed', async () => {
    const { ari, s, up, pb, destroyed, progress } = setup();
    await s.start();
    up();
    expect(ari.ops()).toContain('play');
    expect(progress).toEqual(['answered']);
    pb('PlaybackStarted');
    pb('PlaybackFinished');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(ari.ops().at(-1)).toBe('hangup');
    destroyed(16);
    const r = await s.done;
    expect(r.outcome).toBe('completed');
    expect(r.facts.endReason).toBe('menu_timeout');
    expect(r.answeredAt).not.toBeNull();
  });

  it('records when the prompt first played (answer-to-first-audio), not later playbacks', async () => {
    const { s, up, pb, ev, destroyed } = setup();
    await s.start();
    up();
    await vi.advanceTimersByTimeAsync(40);
    pb('PlaybackStarted');
    await vi.advanceTimersByTimeAsync(1_000);
    ev('ChannelDtmfReceived', { digit: '0' }); // repeat: a second PlaybackStarted
    pb('PlaybackStarted');
    destroyed(16);
    const r = await s.done;
    expect(r.firstAudioAt!.getTime() - r.answeredAt!.getTime()).toBe(40);
  });

  it('no prompt heard: no first audio', async () => {
    const { s, destroyed } = setup();
    await s.start();
    destroyed(17, 486);
    expect((await s.done).firstAudioAt).toBeNull();
  });

  it('far end hangs up during the prompt', async () => {
    const { s, up, pb, ev, destroyed } = setup();
    await s.start();
    up();
    pb('PlaybackStarted');
    ev('ChannelHangupRequest', { cause: 16 });
    destroyed(16);
    const r = await s.done;
    expect(r.outcome).toBe('hangup_during_prompt');
    expect(r.facts.hungUpBy).toBe('remote');
  });

  it('a playback cut short by the hang-up is not a finished prompt', async () => {
    const { s, up, pb, ev, destroyed, ari } = setup();
    await s.start();
    up();
    pb('PlaybackStarted');
    ev('ChannelHangupRequest', { cause: 16 });
    s.handle({ type: 'PlaybackFinished', playback: { id: ari.lastPlaybackId(), state: 'failed' } });
    destroyed(16);
    expect((await s.done).outcome).toBe('hangup_during_prompt');
  });

  it('digit 0 stops the playback and repeats the prompt', async () => {
    const { ari, s, up, pb } = setup();
    await s.start();
    up();
    const first = ari.lastPlaybackId();
    pb('PlaybackStarted');
    s.handle({ type: 'ChannelDtmfReceived', channel: { id: ID }, digit: '0' });
    expect(ari.calls.find((c) => c.op === 'stopPlayback')?.args).toEqual([first]);
    const second = ari.lastPlaybackId();
    expect(second).not.toBe(first);
    // The stopped playback's finish is not taken for the prompt's end.
    pb('PlaybackFinished', first);
    expect(s.facts.promptFinished).toBeFalsy();
    pb('PlaybackFinished', second);
    expect(s.facts.promptFinished).toBe(true);
  });

  it('digit 2: acknowledgement played, then hang up: completed with the digit', async () => {
    const { ari, s, up, pb, destroyed } = setup();
    await s.start();
    up();
    pb('PlaybackStarted');
    s.handle({ type: 'ChannelDtmfReceived', channel: { id: ID }, digit: '2' });
    expect(lastPlay(ari)).toEqual(['sound:auth-thankyou']);
    pb('PlaybackFinished');
    expect(ari.ops().at(-1)).toBe('hangup');
    destroyed(16);
    const r = await s.done;
    expect(r.outcome).toBe('completed');
    expect(r.facts.digits).toBe('2');
    expect(r.facts.endReason).toBe('promise_to_pay');
  });

  it('digit 9: DNC first, confirmation, hang up: opted_out; later digits ignored', async () => {
    const { ari, s, up, pb, destroyed, optOut } = setup();
    await s.start();
    up();
    pb('PlaybackStarted');
    s.handle({ type: 'ChannelDtmfReceived', channel: { id: ID }, digit: '9' });
    await vi.advanceTimersByTimeAsync(0);
    expect(optOut).toHaveBeenCalledTimes(1);
    expect(lastPlay(ari)).toEqual(['sound:goodbye']);
    s.handle({ type: 'ChannelDtmfReceived', channel: { id: ID }, digit: '1' });
    pb('PlaybackFinished');
    destroyed(16);
    const r = await s.done;
    expect(r.outcome).toBe('opted_out');
    expect(r.facts.digits).toBe('9');
  });

  it('digit 9 whose DNC write failed is not reported as opted out', async () => {
    const { s, up, pb, destroyed } = setup({}, { onOptOut: () => Promise.reject(new Error('db down')) });
    await s.start();
    up();
    pb('PlaybackStarted');
    s.handle({ type: 'ChannelDtmfReceived', channel: { id: ID }, digit: '9' });
    await vi.advanceTimersByTimeAsync(0);
    pb('PlaybackFinished');
    destroyed(16);
    expect((await s.done).outcome).not.toBe('opted_out');
  });

  it('digit 1 goes to the agent seam', async () => {
    const onAgentRequested = vi.fn(async (sess: CallSession) => sess.hangup('agent_requested'));
    const { s, up, pb, destroyed } = setup({}, { onAgentRequested });
    await s.start();
    up();
    pb('PlaybackStarted');
    s.handle({ type: 'ChannelDtmfReceived', channel: { id: ID }, digit: '1' });
    await vi.advanceTimersByTimeAsync(0);
    expect(onAgentRequested).toHaveBeenCalledTimes(1);
    destroyed(16);
    const r = await s.done;
    expect(r.outcome).toBe('answered_human');
    expect(r.facts.digits).toBe('1');
  });

  it('AMD on: answer goes into the AMD context, MACHINE hangs up', async () => {
    const { ari, s, up, ev, destroyed } = setup({ amd: { enabled: true, machineAction: 'hangup', context: 'ringwise-amd' } });
    await s.start();
    expect(ari.ops()).toContain('subscribeChannel');
    up();
    await vi.advanceTimersByTimeAsync(0);
    expect(ari.calls.find((c) => c.op === 'setVariable')?.args).toEqual([ID, 'RINGWISE_APP', 'ringwise-test']);
    expect(ari.calls.find((c) => c.op === 'continueInDialplan')?.args).toEqual([ID, 'ringwise-amd', 's', 1]);
    ev('StasisEnd');
    ev('StasisStart', { args: ['amd', 'MACHINE', 'MAXWORDS-3-2'] });
    expect(ari.ops().at(-1)).toBe('hangup');
    expect(ari.ops()).not.toContain('play');
    destroyed(16);
    const r = await s.done;
    expect(r.outcome).toBe('answered_machine');
    expect(r.facts).toMatchObject({ amdStatus: 'MACHINE', amdCause: 'MAXWORDS-3-2' });
  });

  it('AMD on, machine with a message: plays it, then hangs up', async () => {
    const { ari, s, up, ev, pb } = setup({ amd: { enabled: true, machineAction: 'message', context: 'ringwise-amd' } });
    await s.start();
    up();
    ev('StasisStart', { args: ['amd', 'MACHINE', 'LONGGREETING'] });
    expect(lastPlay(ari)).toEqual(['sound:vm-intro']);
    pb('PlaybackFinished');
    expect(ari.ops().at(-1)).toBe('hangup');
  });

  it('AMD on, HUMAN: the prompt plays', async () => {
    const { ari, s, up, ev } = setup({ amd: { enabled: true, machineAction: 'hangup', context: 'ringwise-amd' } });
    await s.start();
    up();
    ev('StasisStart', { args: ['amd', 'HUMAN', 'HUMAN-200-800'] });
    expect(lastPlay(ari)).toEqual(['sound:hello-world']);
  });

  it('originate refused: failed, without waiting for events', async () => {
    const { ari, s } = setup();
    ari.failOriginate = new Error('ari_http_500');
    await s.start();
    const r = await s.done;
    expect(r.outcome).toBe('failed');
    expect(r.facts.endReason).toBe('originate_failed');
  });

  it("its ring guard starts when Asterisk has the call: an originate queued 5 s is not hung up at the guard's time from the request", async () => {
    const { ari, s, up } = setup();
    ari.originateDelayMs = 5_000;
    const started = s.start();
    await vi.advanceTimersByTimeAsync(5_000);
    await started;
    // ring 20 s + 3 s of guard: 23 s after the answer to the request, 28 s after the request.
    await vi.advanceTimersByTimeAsync(22_000);
    expect(ari.ops()).not.toContain('hangup');
    up();
    expect(lastPlay(ari)).toEqual(['sound:hello-world']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ari.ops()).not.toContain('hangup');
  });

  it('a call still ringing at the guard, counted from the originate: hung up as ring_timeout', async () => {
    const { ari, s } = setup();
    await s.start();
    await vi.advanceTimersByTimeAsync(23_000);
    expect(ari.ops().at(-1)).toBe('hangup');
    expect(s.facts.endReason).toBe('ring_timeout');
  });

  it('an originate that timed out while Asterisk answered it: the prompt it starts is heard, not taken as finished', async () => {
    const { s, pb, ari, progress } = setup();
    ari.failOriginate = new AriError({ method: 'POST', path: '/channels', message: 'no answer within 10000 ms', timedOut: true });
    // Asterisk has the call, answered, before any of its events reached us.
    ari.channels.add(ID);
    ari.channelState.set(ID, 'Up');
    await s.start();
    // The prompt's play request is on its way: Asterisk does not know the playback yet.
    expect(lastPlay(ari)).toEqual(['sound:hello-world']);
    expect(s.phase).toBe('prompt');
    pb('PlaybackStarted');
    expect(progress).toEqual(['answered', 'first_audio']);
    pb('PlaybackFinished');
    expect(s.phase).toBe('menu');
  });

  it('resync after a reconnect: a prompt that finished unseen moves on to the menu', async () => {
    const { s, up, pb, ari, destroyed } = setup();
    await s.start();
    up();
    pb('PlaybackStarted');
    // Asterisk no longer has the playback: it finished while the websocket was down.
    await s.resync('Up');
    expect(s.phase).toBe('menu');
    expect(s.facts.promptFinished).toBe(true);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(ari.ops().at(-1)).toBe('hangup');
    destroyed(16);
    expect((await s.done).outcome).toBe('completed');
  });

  it('lost (ARI disconnect) ends the session at once', async () => {
    const { s, up } = setup();
    await s.start();
    up();
    s.markLost();
    const r = await s.done;
    expect(r.outcome).toBe('failed');
    expect(r.facts.endReason).toBe('lost');
  });

  it('a hang-up that Asterisk never confirms still ends the session', async () => {
    const { s } = setup();
    await s.start();
    s.hangup('shutdown');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(s.phase).toBe('ended');
  });
});
