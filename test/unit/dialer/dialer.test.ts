import { describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { Dialer } from '../../../src/dialer/dialer.js';
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

  it('records answer progress in the ledger as it happens', async () => {
    const { ari, place, queries } = setup();
    void place('a2');
    await vi.waitFor(() => expect(ari.ops()).toContain('originate'));
    ari.emit({ type: 'ChannelStateChange', channel: { id: 'a2', state: 'Up' } });
    await vi.waitFor(() => expect(queries.some((q) => q.sql.includes("state = 'answered'"))).toBe(true));
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

  it('an unknown channel entering our app is hung up', () => {
    const { ari } = setup();
    ari.emit({ type: 'StasisStart', channel: { id: 'stranger' }, args: [] });
    expect(ari.calls).toEqual([{ op: 'hangup', args: ['stranger'] }]);
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
    });
    expect(ended).toBe(true);
    expect(ari.calls).toContainEqual({ op: 'hangup', args: ['orphan'] });
    const end = queries.find((q) => q.sql.includes("state = 'ended'"));
    expect(end?.params[1]).toBe('failed');
    expect(end?.params[8]).toBe('lost');
  });

  it('startup sweep: this worker’s attempts left live end as lost; reserved ones are left to their job', async () => {
    const ari = new FakeAri();
    const row = (id: string, state: string) => ({ id, campaignId: '1', contactId: id, customerId: '3', attemptNo: 1, phone: '+8613800000001', state, outcome: null, workerId: 'w1', answeredAt: null });
    const ended: string[] = [];
    const db = {
      query: vi.fn(async (sql: string, params: unknown[] = []) => {
        if (sql.includes('FROM call_attempts WHERE worker_id')) return { rowCount: 3, rows: [row('r', 'reserved'), row('o', 'originating'), row('a', 'answered')] };
        if (sql.includes("state = 'ended'")) ended.push(String(params[0]));
        return { rowCount: 1, rows: [] };
      }),
    } as unknown as Db;
    ari.channels.add('a');
    ari.channels.add('a-a1'); // an agent leg the dead worker had bridged to 'a'
    ari.channels.add('other');
    const dialer = new Dialer(ari, db, log, { dialTemplate: 'PJSIP/{number}@carrier', ringTimeoutSeconds: 20, menuTimeoutSeconds: 2, workerId: 'w1' });
    const lost = await dialer.sweep();
    expect(lost.map((l) => [l.row.id, l.answered])).toEqual([
      ['o', false],
      ['a', true],
    ]);
    expect(ended).toEqual(['o', 'a']);
    expect(ari.calls).toEqual([
      { op: 'hangup', args: ['a'] },
      { op: 'hangup', args: ['a-a1'] },
    ]);
  });
});
