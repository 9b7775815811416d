import { createServer, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/shared/logger.js';
import {
  AmiError,
  createAmiClient,
  type AmiClient,
  type AmiClientOptions,
  type AmiListenerMap,
  type ContactListEvent,
} from '../../../src/agents/ami.client.js';
import { startFakeAmi, type FakeAmi } from './ami.fake.js';

const log = createLogger('silent');
let fake: FakeAmi;
const clients: AmiClient[] = [];

function client(over: Partial<AmiClientOptions> = {}): AmiClient {
  const c = createAmiClient({
    host: '127.0.0.1',
    port: fake.port,
    user: 'ringwise',
    password: 'pw',
    log,
    backoff: { initialMs: 20, maxMs: 80 },
    random: () => 1,
    ...over,
  });
  clients.push(c);
  return c;
}

function next<K extends keyof AmiListenerMap>(c: AmiClient, type: K, timeoutMs = 3_000): Promise<AmiListenerMap[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`no ${type} within ${timeoutMs} ms`))), timeoutMs);
    const off = c.on(type, (e) => {
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

async function until(cond: () => boolean, timeoutMs = 3_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

beforeEach(async () => {
  fake = await startFakeAmi({ user: 'ringwise', password: 'pw' });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await fake.close();
});

describe('AMI client', () => {
  it('logs in, runs an action with its fields, and answers with the response', async () => {
    const c = client();
    await c.connect({ timeoutMs: 3_000 });
    const res = await c.action('Ping');
    expect(res.response).toBe('Success');
    expect(res['ping']).toBe('Pong');
    const login = fake.actions.find((a) => a['Action'] === 'login');
    expect(login).toMatchObject({ Username: 'ringwise', Secret: 'pw', Event: 'on' });
    expect(fake.actions.find((a) => a['Action'] === 'Ping')?.['ActionID']).toMatch(/^rw-[0-9a-f]{6}-\d+$/);
  });

  it('rejects a wrong password with ami_auth_failed and does not retry', async () => {
    const c = client({ password: 'wrong' });
    await expect(c.connect({ timeoutMs: 3_000 })).rejects.toMatchObject({ code: 'ami_auth_failed' });
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.connections).toBe(1);
  });

  it('maps an error response to ami_action_failed and a silent Asterisk to ami_timeout', async () => {
    const c = client();
    await c.connect();
    const failed = await c.action('NoSuchThing').catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(AmiError);
    expect((failed as AmiError).code).toBe('ami_action_failed');
    expect((failed as AmiError).message).toContain('Invalid/unknown command');
    await expect(c.action('Hang', {}, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'ami_timeout' });
    // The connection is still usable after a timeout.
    expect((await c.action('Ping')).response).toBe('Success');
  });

  it('collects a list action until its Complete event, and treats "No … found" as empty', async () => {
    const c = client();
    await c.connect();
    expect((await c.listAction('PJSIPShowContacts', {}, 'ContactListComplete')).events).toEqual([]);
    fake.contacts = [
      { ObjectName: 'alice;@abc', Uri: 'sip:alice@127.0.0.1:5071', Endpoint: 'alice', Status: 'NonQualified' },
      { ObjectName: 'bob;@def', Uri: 'sip:bob@127.0.0.1:5072', Endpoint: 'bob', Status: 'Reachable' },
    ];
    const seen: string[] = [];
    c.onAny((e) => seen.push(e.event));
    const { response, events } = await c.listAction<ContactListEvent>('PJSIPShowContacts', {}, 'ContactListComplete');
    expect(response.response).toBe('Success');
    expect(events.map((e) => [e.event, e.endpoint, e.status])).toEqual([
      ['ContactList', 'alice', 'NonQualified'],
      ['ContactList', 'bob', 'Reachable'],
    ]);
    // List rows are the action's answer, not unsolicited events.
    expect(seen).toEqual([]);
  });

  it('delivers typed events to their listeners and every event to onAny', async () => {
    const c = client();
    await c.connect();
    const any: string[] = [];
    // FullyBooted follows the login on its own schedule; it is not what this test is about.
    c.onAny((e) => e.event !== 'FullyBooted' && any.push(e.event));
    const status = next(c, 'ContactStatus');
    fake.event({ Event: 'PeerStatus', Privilege: 'system,all', ChannelType: 'PJSIP', Peer: 'PJSIP/alice', PeerStatus: 'Reachable' });
    fake.event({
      Event: 'ContactStatus',
      Privilege: 'system,all',
      URI: 'sip:alice@127.0.0.1:5071',
      ContactStatus: 'Created',
      AOR: 'alice',
      EndpointName: 'alice',
    });
    const e = await status;
    expect([e.contactstatus, e.aor, e.endpointname, e.uri]).toEqual(['Created', 'alice', 'alice', 'sip:alice@127.0.0.1:5071']);
    await until(() => any.length === 2);
    expect(any).toEqual(['PeerStatus', 'ContactStatus']);
  });

  it('fails actions fast while disconnected, rejects those in flight, and reconnects with backoff', async () => {
    const c = client();
    await c.connect();
    const lifecycle: string[] = [];
    c.on('disconnected', () => lifecycle.push('disconnected'));
    c.on('reconnecting', (e) => lifecycle.push(`reconnecting ${e.delayMs}`));
    const inFlight = c.action('Hang', {}, { timeoutMs: 5_000 });
    await until(() => fake.actions.some((a) => a['Action'] === 'Hang'));
    const back = next(c, 'connected');
    fake.dropAll();
    await expect(inFlight).rejects.toMatchObject({ code: 'ami_disconnected' });
    await expect(c.action('Ping')).rejects.toMatchObject({ code: 'ami_not_connected' });
    expect(await back).toEqual({ reconnected: true });
    expect(lifecycle).toEqual(['disconnected', 'reconnecting 20']);
    expect((await c.action('Ping')).response).toBe('Success');
  });

  it('logs off on close and never reconnects afterwards', async () => {
    const c = client();
    await c.connect();
    await c.close();
    expect(fake.actions.at(-1)?.['Action']).toBe('Logoff');
    const n = fake.connections;
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.connections).toBe(n);
    await expect(c.action('Ping')).rejects.toMatchObject({ code: 'ami_closed' });
  });

  it('gives up on a login that never completes and retries, within connectTimeoutMs', async () => {
    const sockets = new Set<Socket>();
    let accepted = 0;
    const silent = createServer((sock) => {
      sock.on('error', () => undefined); // the client gives up and resets: not an uncaught error
      accepted += 1;
      sockets.add(sock);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const c = client({ port: (silent.address() as { port: number }).port, connectTimeoutMs: 100 });
      const retry = next(c, 'reconnecting');
      await expect(c.connect({ timeoutMs: 2_000 })).rejects.toMatchObject({ code: 'ami_not_connected' });
      expect((await retry).error).toContain('not logged in within 100 ms');
      expect(accepted).toBeGreaterThan(1);
      await c.close();
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
