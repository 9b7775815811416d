import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { CallSession, type SessionOptions } from '../../../src/dialer/call-session.js';
import { DEFAULT_MENU, MenuTracker, menuAnnouncement, notRecognisedText, validateMenu } from '../../../src/dialer/menu.js';
import { FakeAri } from './fake-ari.js';

const ID = '0b7c1c1e-0000-4000-8000-000000000002';
const log = pino({ level: 'silent' });

describe('menu (pure)', () => {
  it('validates a campaign menu: keys, actions, one key per action but repeat, an opt-out always', () => {
    expect(validateMenu({ '3': 'agent', '7': 'opt_out', '0': 'repeat', '*': 'repeat', '5': 'callback' })).toMatchObject({ '3': 'agent' });
    const problems = (v: unknown) => {
      try {
        validateMenu(v);
        return 'ok';
      } catch (e) {
        return (
          (e as { code: string; details: { problems?: unknown[] } }).code +
          ':' +
          String((e as { details: { problems?: unknown[] } }).details.problems?.length ?? 0)
        );
      }
    };
    expect(problems({ '1': 'agent' })).toBe('invalid_menu:1'); // no opt-out
    expect(problems({ '12': 'agent', '9': 'opt_out' })).toBe('invalid_menu:1');
    expect(problems({ '1': 'dance', '9': 'opt_out' })).toBe('invalid_menu:1');
    expect(problems({ '1': 'agent', '2': 'agent', '9': 'opt_out' })).toBe('invalid_menu:1');
    expect(problems([])).toBe('invalid_menu:0');
  });

  it('announces the keys in order in the customer language', () => {
    expect(menuAnnouncement(DEFAULT_MENU, 'en-US')).toBe(
      'Press 1 to speak to an agent. Press 2 to promise to pay. Press 9 to stop these calls. Press 0 to hear this message again.',
    );
    expect(menuAnnouncement({ '3': 'callback', '#': 'opt_out' }, 'zh-CN')).toBe('预约稍后回电请按3。 不再接收此类来电请按井号键。');
    expect(menuAnnouncement({ '9': 'opt_out' }, 'en-GB')).toBe('Press 9 to stop these calls.');
    expect(notRecognisedText('zh-TW')).toBe('抱歉，无法识别您的按键。');
  });

  it('an invalid key re-prompts at most twice, then is ignored', () => {
    const t = new MenuTracker();
    expect(t.press('5')).toEqual({ kind: 'reprompt', left: 1 });
    expect(t.press('0')).toEqual({ kind: 'action', action: 'repeat' });
    expect(t.press('#')).toEqual({ kind: 'reprompt', left: 0 });
    expect(t.press('7')).toEqual({ kind: 'ignore' });
    expect(t.press('9')).toEqual({ kind: 'action', action: 'opt_out' });
  });
});

describe('CallSession with a campaign menu', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(menu: SessionOptions['menu']) {
    const ari = new FakeAri();
    const s = new CallSession(
      ari,
      {
        attemptId: ID,
        endpoint: 'PJSIP/x@carrier',
        media: ['sound:hello-world', 'sound:menu'],
        ...(menu ? { menu } : {}),
        amd: { enabled: false, machineAction: 'hangup', context: 'ringwise-amd' },
        ringTimeoutSeconds: 20,
        menuTimeoutMs: 5_000,
        sounds: { acknowledged: ['sound:auth-thankyou'], optedOut: ['sound:goodbye'], machineMessage: [] },
      },
      { onOptOut: async () => undefined },
      log,
    );
    const up = () => {
      s.handle({ type: 'ChannelStateChange', channel: { id: ID, state: 'Up' } });
      s.handle({ type: 'StasisStart', channel: { id: ID, state: 'Up' }, args: [] });
    };
    const key = (digit: string) => s.handle({ type: 'ChannelDtmfReceived', channel: { id: ID }, digit });
    const plays = () => ari.calls.filter((c) => c.op === 'play').map((c) => c.args[1]);
    const finish = (id = ari.lastPlaybackId()) => s.handle({ type: 'PlaybackFinished', playback: { id, state: 'done' } });
    return { ari, s, up, key, plays, finish };
  }

  const menu = {
    keys: { '3': 'agent', '5': 'callback', '7': 'opt_out', '0': 'repeat' } as const,
    announcement: ['sound:menu'],
    notRecognised: ['sound:option-is-invalid'],
  };

  it('invalid keys: "not recognised" and the menu, twice; a third is ignored; the menu times out', async () => {
    const { s, up, key, plays, finish } = setup(menu);
    await s.start();
    up();
    key('1'); // not in this campaign's menu
    expect(plays().at(-1)).toEqual(['sound:option-is-invalid', 'sound:menu']);
    finish();
    key('2');
    expect(plays()).toHaveLength(3);
    key('4');
    expect(plays()).toHaveLength(3);
    finish();
    vi.advanceTimersByTime(5_001);
    expect(s.phase).toBe('closing');
    s.handle({ type: 'ChannelDestroyed', channel: { id: ID }, cause: 16 });
    const r = await s.done;
    expect(r.facts).toMatchObject({ digits: '124', endReason: 'menu_timeout' });
  });

  it("the campaign's keys act: 5 asks for a callback (acknowledged, completed)", async () => {
    const { s, up, key, plays, finish } = setup(menu);
    await s.start();
    up();
    key('5');
    expect(plays().at(-1)).toEqual(['sound:auth-thankyou']);
    finish();
    s.handle({ type: 'ChannelDestroyed', channel: { id: ID }, cause: 16 });
    const r = await s.done;
    expect(r).toMatchObject({ outcome: 'completed', facts: { endReason: 'callback_requested', digits: '5' } });
  });

  it('without a menu the default keys work and invalid keys are ignored as before', async () => {
    const { s, up, key, plays } = setup(undefined);
    await s.start();
    up();
    key('5');
    expect(plays()).toHaveLength(1);
    key('0');
    expect(plays()).toHaveLength(2);
    expect(plays()[1]).toEqual(['sound:hello-world', 'sound:menu']);
  });
});
