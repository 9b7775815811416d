import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AriClient } from '../../../src/dialer/ari.client.js';
import { isAriError } from '../../../src/dialer/ari.http.js';
import { CARRIER } from '../../helpers/carrier.js';
import {
  carrierEndpoint,
  forChannel,
  killOwnConnections,
  recordAri,
  requireSandbox,
  sandboxAri,
  uniqueApp,
  uniqueId,
  type EventLog,
} from '../../helpers/ari.js';

// The websocket is cut under the client (the kernel destroys the TCP connection, as a network
// failure would), without touching Asterisk or anyone else's connections.
const APP = uniqueApp('reconnect');
let ari: AriClient;
let log: EventLog<Parameters<Parameters<AriClient['onAny']>[0]>[0]>;
const lifecycle: string[] = [];
const calls: string[] = [];

beforeAll(async () => {
  // It waits for StasisEnd, which ringwise's default event filter drops: no filter here.
  ari = sandboxAri(APP, { backoff: { initialMs: 200, maxMs: 2_000 }, eventFilter: null });
  log = recordAri(ari);
  ari.on('connected', (e) => lifecycle.push(e.reconnected ? 'reconnected' : 'connected'));
  ari.on('disconnected', () => lifecycle.push('disconnected'));
  await ari.connect({ timeoutMs: 10_000 });
});

afterAll(async () => {
  for (const id of calls) await ari.hangup(id).catch(() => undefined);
  await ari.close();
});

/** A customer on the carrier trunk who answers and stays on the line. */
async function answeredCall(): Promise<string> {
  const id = uniqueId('rc');
  calls.push(id);
  await ari.originate({ endpoint: carrierEndpoint(CARRIER.human), channelId: id, timeout: 15 });
  await log.waitFor(forChannel(id)('StasisStart'), 15_000, `StasisStart for ${id}`);
  return id;
}

describe('ARI websocket dropped under the client', () => {
  it('reports the drop, reconnects by itself, and events flow again, including for a call that was already up', async () => {
    const before = await answeredCall();
    const port = Number(new URL(requireSandbox()['ARI_URL']!).port || 80);

    const reconnected = new Promise<void>((resolve) => {
      const off = ari.on('connected', (e) => {
        if (e.reconnected) {
          off();
          resolve();
        }
      });
    });
    expect(await killOwnConnections(port)).toBeGreaterThan(0);
    await reconnected;
    expect(lifecycle).toEqual(['connected', 'disconnected', 'reconnected']);
    expect(ari.isConnected).toBe(true);

    // Asterisk kept the answered channel in the app while the socket was gone (observed on
    // 22.10: a dialer reconciles such calls with GET /channels after reconnecting).
    const still = await ari.getChannel(before).catch((e: unknown) => (isAriError(e, 404) ? null : Promise.reject(e)));
    expect(still?.state).toBe('Up');
    expect((await ari.listChannels()).map((c) => c.id)).toContain(before);

    // Events for that call reach the new socket...
    await ari.hangup(before);
    const destroyed = await log.waitFor(forChannel(before)('ChannelDestroyed'), 10_000, `ChannelDestroyed for ${before}`);
    expect(destroyed.type).toBe('ChannelDestroyed');

    // ...and new calls work as before.
    const after = await answeredCall();
    await ari.hangup(after);
    await log.waitFor(forChannel(after)('StasisEnd'), 10_000, `StasisEnd for ${after}`);
  });
});
