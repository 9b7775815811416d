import { describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { Dialer, type AdoptedChannel } from '../../../src/dialer/dialer.js';
import { AriError } from '../../../src/dialer/ari.http.js';
import type { Db } from '../../../src/store/db.js';
import { FakeAri } from './fake-ari.js';

const log = pino({ level: 'silent' });

function setup() {
  const ari = new FakeAri();
  const queries: Array<{ sql: string; params: unknown[] }> = [];
  const db = {
    query: vi.fn(async (sql: string, params: unknown[] = []) => {
      queries.push({ sql, params });
      return { rowCount: 1, rows: [] };
    }),
  } as unknown as Db;
  const dialer = new Dialer(ari, db, log, { dialTemplate: 'PJSIP/{number}@carrier', ringTimeoutSeconds: 20, menuTimeoutSeconds: 2, workerId: 'w1' });
  const place = (attemptId: string) =>
    dialer.placeCall({
      attemptId,
      phone: '+8613800000001',
      customerId: '7',
      callerId: '+8695500',
      media: ['sound:hello-world'],
      promptVersion: 'v1',
      amd: { enabled: false, machineAction: 'hangup' },
      log,
    });
  return { ari, db, queries, dialer, place };
}

describe('Dialer', () => {
  it('fills the dial template and the caller id, and routes events to the call by channel id', async () => {
    const { ari, place, queries, dialer } = setup();
    const done = place('a1');
    await vi.waitFor(() => expect(ari.ops()).toContain('originate'));
    expect(ari.calls[0]!.args[0]).toMatchObject({ channelId: 'a1', endpoint: 'PJSIP/+8613800000001@carrier', callerId: '+8695500' });
    expect(dialer.registry.size).toBe(1);
    ari.emit({ type: 'ChannelDestroyed', channel: { id: 'a1' }, cause: 17, tech_cause: 486 });
    const r = await done;
    expect(r.outcome).toBe('busy');
    expect(dialer.registry.size).toBe(0);
    const end = queries.find((q) => q.sql.includes("state = 'ended'"));
    expect(end?.params.slice(0, 4)).toEqual(['a1', 'busy', 17, 486]);
  });

  it('records answer progress in the ledger while the call is live (a batch of stamps behind it)', async () => {
    const { ari, place, queries } = setup();
    void place('a2');
    await vi.waitFor(() => expect(ari.ops()).toContain('originate'));
    ari.emit({ type: 'ChannelStateChange', channel: { id: 'a2', state: 'Up' } });
    // calls/attempt-progress.ts: ids, ringing, answered_at, first_audio_at as arrays.
    const answered = (q: { sql: string; params: unknown[] }) => {
      const [ids, , at] = q.params as [string[], boolean[], (Date | null)[]];
      return q.sql.includes('unnest') && ids.includes('a2') && at[ids.indexOf('a2')] instanceof Date;
    };
    await vi.waitFor(() => expect(queries.some(answered)).toBe(true));
    ari.emit({ type: 'ChannelDestroyed', channel: { id: 'a2' }, cause: 16 });
  });

  it('after a reconnect, calls whose channel is gone end as lost; surviving ones carry on', async () => {
    const { ari, place } = setup();
    const gone = place('gone');
    const kept = place('kept');
    await vi.waitFor(() => expect(ari.ops().filter((o) => o === 'originate')).toHaveLength(2));
    ari.emit({ type: 'ChannelStateChange', channel: { id: 'kept', state: 'Up' } });
    ari.setConnected(false);
    ari.channels.delete('gone');
    ari.setConnected(true);
    const r = await gone;
    expect(r.outcome).toBe('failed');
    expect(r.facts.endReason).toBe('lost');
    ari.emit({ type: 'ChannelDestroyed', channel: { id: 'kept' }, cause: 16 });
    expect((await kept).facts.endReason).not.toBe('lost');
  });

  it('an unknown channel entering our app is hung up, unless the reconciler adopts it', async () => {
    const { ari, dialer } = setup();
    ari.emit({ type: 'StasisStart', channel: { id: 'stranger' }, args: [] });
    await vi.waitFor(() => expect(ari.calls).toEqual([{ op: 'hangup', args: ['stranger'] }]));
    dialer.onStray = async (id) => id === 'ours';
    ari.emit({ type: 'StasisStart', channel: { id: 'ours' }, args: ['amd', 'HUMAN'] });
    await new Promise((r) => setTimeout(r, 5));
    expect(ari.calls).toHaveLength(1);
  });

  it('an originate that timed out but placed the call carries on as the live call it is', async () => {
    const { ari, place } = setup();
    ari.failOriginate = new AriError({ method: 'POST', path: '/channels', message: 'no answer within 10000 ms', timedOut: true });
    const done = place('slow');
    ari.channels.add('slow');
    ari.channelState.set('slow', 'Up');
    await vi.waitFor(() => expect(ari.ops()).toContain('play'));
    ari.emit({ type: 'ChannelDestroyed', channel: { id: 'slow' }, cause: 16 });
    const r = await done;
    expect(r.facts.answered).toBe(true);
    expect(r.facts.endReason).not.toBe('originate_failed');
    expect(ari.ops()).not.toContain('hangup');
  });

  it('an originate that never reached Asterisk is not a dial', async () => {
    const { ari, place, queries } = setup();
    ari.failOriginate = new AriError({ method: 'POST', path: '/channels', message: 'connect ECONNREFUSED' });
    const r = await place('nowhere');
    expect(r.facts.endReason).toBe('not_dialled');
    expect(queries.some((q) => q.sql.includes("end_reason = 'not_dialled'"))).toBe(true);
  });

  it('a refused originate (4xx) stays a failed originate', async () => {
    const { ari, place } = setup();
    ari.failOriginate = new AriError({ method: 'POST', path: '/channels', httpStatus: 400, message: 'bad endpoint' });
    const r = await place('bad');
    expect(r).toMatchObject({ outcome: 'failed', facts: { endReason: 'originate_failed' } });
  });

  it('places each call with one originate into the app (no create + dial), with the ring timeout', async () => {
    const { ari, place } = setup();
    void place('s1');
    await vi.waitFor(() => expect(ari.ops()).toContain('originate'));
    expect(ari.ops()).toEqual(['originate']);
    expect(ari.calls[0]!.args[0]).toMatchObject({ channelId: 's1', timeoutSeconds: 20 });
    expect((ari.calls[0]!.args[0] as { appArgs?: string }).appArgs).toBeUndefined();
    ari.emit({ type: 'ChannelDestroyed', channel: { id: 's1' }, cause: 16 });
  });

  it('an orphaned attempt is hung up if Asterisk still has it, and ended as lost', async () => {
    const { ari, dialer, queries } = setup();
    ari.channels.add('orphan');
    const ended = await dialer.endOrphan({
      id: 'orphan',
      campaignId: '1',
      contactId: '2',
      customerId: '3',
      attemptNo: 1,
      phone: '+8613800000001',
      state: 'answered',
      outcome: null,
      workerId: 'dead',
      answeredAt: new Date(),
      originatedAt: new Date(),
      endReason: null,
      firstAudioAt: null,
      agentId: null,
    });
    expect(ended).toBe(true);
    expect(ari.calls).toContainEqual({ op: 'hangup', args: ['orphan'] });
    const end = queries.find((q) => q.sql.includes("state = 'ended'"));
    expect(end?.params[1]).toBe('failed');
    expect(end?.params[8]).toBe('lost');
  });

  const adoptCall = (dialer: Dialer, id: string, channel: Partial<AdoptedChannel>) =>
    dialer.adoptCall(
      {
        attemptId: id,
        phone: '+8613800000001',
        customerId: '7',
        callerId: null,
        media: ['sound:hello-world'],
        promptVersion: 'v1',
        amd: { enabled: false, machineAction: 'hangup' },
        log,
      },
      {
        state: 'Up',
        inStasis: true,
        inAmd: false,
        stasisApp: 'ringwise-test',
        originatedAt: null,
        answeredAt: null,
        promptHeard: true,
        agentId: null,
        ...channel,
      },
    );

  it('adopting a call mid-prompt stops the old playback and plays the prompt again from the start', async () => {
    const { ari, dialer } = setup();
    ari.channels.add('mid');
    ari.livePlaybacks.add('mid.p1');
    const done = adoptCall(dialer, 'mid', {});
    await vi.waitFor(() => expect(ari.ops()).toContain('play'));
    expect(ari.calls).toContainEqual({ op: 'stopPlayback', args: ['mid.p1'] });
    expect(ari.calls).toContainEqual({ op: 'subscribeChannel', args: ['mid'] });
    const pid = ari.lastPlaybackId();
    expect(pid).not.toBe('mid.p1');
    ari.emit({ type: 'PlaybackFinished', playback: { id: pid, target_uri: 'channel:mid', state: 'done' } });
    ari.emit({ type: 'ChannelDtmfReceived', channel: { id: 'mid' }, digit: '2' });
    await vi.waitFor(() => expect(ari.ops().filter((o) => o === 'play')).toHaveLength(2));
    ari.emit({ type: 'PlaybackFinished', playback: { id: ari.lastPlaybackId(), target_uri: 'channel:mid', state: 'done' } });
    ari.emit({ type: 'ChannelDestroyed', channel: { id: 'mid' }, cause: 16 });
    expect((await done).outcome).toBe('completed');
  });

  it('adopting a call at the menu waits for a digit; a dead worker’s channel is moved into our app', async () => {
    const { ari, dialer } = setup();
    ari.channels.add('menu');
    const done = adoptCall(dialer, 'menu', { stasisApp: 'ringwise-dead' });
    await vi.waitFor(() => expect(ari.ops()).toContain('moveChannel'));
    expect(ari.calls).toContainEqual({ op: 'moveChannel', args: ['menu', 'ringwise-test'] });
    // No prompt again: the menu's own timeout ends the call as a finished reminder.
    await vi.waitFor(() => expect(ari.ops()).toContain('hangup'), { timeout: 4_000 });
    ari.emit({ type: 'ChannelDestroyed', channel: { id: 'menu' }, cause: 16 });
    const r = await done;
    expect(ari.ops()).not.toContain('play');
    expect(r.outcome).toBe('completed');
    expect(r.facts.endReason).toBe('menu_timeout');
  });
});
