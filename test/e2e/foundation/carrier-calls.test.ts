import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AriClient } from '../../../src/dialer/ari.client.js';
import type { ChannelDestroyed, ChannelDtmfReceived, Dial, StasisStart } from '../../../src/dialer/ari.types.js';
import { CARRIER } from '../../helpers/carrier.js';
import { carrierEndpoint, forChannel, recordAri, sandboxAri, uniqueApp, uniqueId, type EventLog } from '../../helpers/ari.js';

// Real SIP: ARI originates over the PJSIP trunk to the SIPp carrier, whose behaviour is chosen
// by the dialed number (test/helpers/carrier.ts). Outcomes are read from ChannelDestroyed's
// cause and tech_cause (the SIP code), as the dialer will.
const APP = uniqueApp('carrier');
let ari: AriClient;
let log: EventLog<Parameters<Parameters<AriClient['onAny']>[0]>[0]>;
const calls: string[] = [];

beforeAll(async () => {
  // These tests record what Asterisk itself sends: no event filter (ringwise's drops Dial).
  ari = sandboxAri(APP, { eventFilter: null });
  log = recordAri(ari);
  await ari.connect({ timeoutMs: 10_000 });
});

afterAll(async () => {
  for (const id of calls) await ari.hangup(id).catch(() => undefined);
  await ari.close();
});

async function originate(number: string, timeout: number): Promise<string> {
  const id = uniqueId('cc');
  calls.push(id);
  const ch = await ari.originate({ endpoint: carrierEndpoint(number), channelId: id, timeout, callerId: '95500' });
  expect(ch.id).toBe(id);
  return id;
}

const on = (id: string) => forChannel(id);

describe('originate over the PJSIP trunk to the SIPp carrier', () => {
  it('an answering customer who presses 1: StasisStart on answer, then ChannelDtmfReceived digit 1', async () => {
    const id = await originate(CARRIER.dtmf1, 20);
    const start = await log.waitFor<StasisStart>(on(id)('StasisStart'), 20_000, 'StasisStart');
    expect(start.channel.name).toMatch(/^PJSIP\/carrier-/);
    // Answered means Up; StasisStart for an originate with app= only comes on answer.
    const up = start.channel.state === 'Up' || (await ari.getChannel(id)).state === 'Up';
    expect(up).toBe(true);

    const dtmf = await log.waitFor<ChannelDtmfReceived>(on(id)('ChannelDtmfReceived'), 15_000, 'ChannelDtmfReceived');
    expect(dtmf.digit).toBe('1');

    await ari.hangup(id, 'normal');
    const end = await log.waitFor<ChannelDestroyed>(on(id)('ChannelDestroyed'), 10_000, 'ChannelDestroyed');
    expect(end.cause).toBe(16);
  });

  it('a busy number: ChannelDestroyed with cause 17 (User busy), SIP 486 as tech_cause, never in Stasis', async () => {
    const id = await originate(CARRIER.busy, 20);
    const end = await log.waitFor<ChannelDestroyed>(on(id)('ChannelDestroyed'), 15_000, 'ChannelDestroyed');
    expect(end.cause).toBe(17);
    expect(end.cause_txt).toBe('User busy');
    // Asterisk 22.7+ reports the SIP response code itself.
    expect(end.tech_cause).toBe(486);
    expect(log.events.some(on(id)('StasisStart'))).toBe(false);
    const dial = log.events.filter((e) => e.type === 'Dial' && (e as Dial).peer.id === id).map((e) => (e as Dial).dialstatus);
    expect(dial.at(-1)).toBe('BUSY');
  });

  it('a number that rings forever, with a 3 s originate timeout: ChannelDestroyed with cause 19 (no answer)', async () => {
    const id = await originate(CARRIER.noAnswer, 3);
    const ringing = await log.waitFor(on(id)('ChannelStateChange'), 10_000, 'ChannelStateChange (Ringing)');
    expect((ringing as ChannelDestroyed).channel.state).toBe('Ringing');
    const end = await log.waitFor<ChannelDestroyed>(on(id)('ChannelDestroyed'), 15_000, 'ChannelDestroyed');
    // Observed on 22.10: cause 19 with tech_cause 480, and no final Dial status (the last Dial
    // event says RINGING): the timeout is only visible in ChannelDestroyed.
    expect(end.cause).toBe(19);
    expect(end.tech_cause).toBe(480);
    expect(end.channel.state).toBe('Ringing');
    expect(log.events.some(on(id)('StasisStart'))).toBe(false);
  });

  // The other failure rows of the carrier table, so the dialer's outcome mapping rests on what
  // this Asterisk really reports for each SIP answer.
  it.each([
    ['declined (603)', 'rejected' as const, 21, 603],
    ['congestion (503)', 'congestion' as const, 34, 503],
    ['not found (404)', 'notFound' as const, 1, 404],
  ])('%s: ChannelDestroyed cause %d', async (_label, key, cause, sip) => {
    const id = await originate(CARRIER[key], 20);
    const end = await log.waitFor<ChannelDestroyed>(on(id)('ChannelDestroyed'), 15_000, 'ChannelDestroyed');
    expect(end.cause).toBe(cause);
    expect(end.tech_cause).toBe(sip);
  });
});
