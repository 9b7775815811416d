import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/shared/logger.js';
import { createAriClient, type AriClient, type AriClientOptions, type AriListenerMap } from '../../../src/dialer/ari.client.js';
import { AriError } from '../../../src/dialer/ari.http.js';
import { backoffDelay } from '../../../src/dialer/ari.socket.js';
import { startFakeAri, type FakeAri } from './ari.fake.js';

const log = createLogger('silent');
const USER = 'ringwise';
const PASSWORD = 's3cret';

let fake: FakeAri;
const clients: AriClient[] = [];

function client(over: Partial<AriClientOptions> = {}): AriClient {
  const c = createAriClient({
    url: fake.url,
    user: USER,
    password: PASSWORD,
    app: 'unit-app',
    log,
    backoff: { initialMs: 20, maxMs: 80 },
    random: () => 1,
    ...over,
  });
  clients.push(c);
  return c;
}

/** The next `type` the client emits (lifecycle or Asterisk event). */
function next<K extends keyof AriListenerMap>(c: AriClient, type: K, timeoutMs = 3_000): Promise<AriListenerMap[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${type} within ${timeoutMs} ms`));
    }, timeoutMs);
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

const channel = (id: string) => ({
  id,
  name: `PJSIP/carrier-${id}`,
  state: 'Up',
  caller: { name: '', number: '' },
  connected: { name: '', number: '' },
  accountcode: '',
  dialplan: { context: 'default', exten: 's', priority: 1 },
  creationtime: '2026-11-28T12:00:00.000+0000',
  language: 'en',
});

beforeEach(async () => {
  fake = await startFakeAri({ user: USER, password: PASSWORD });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await fake.close();
});

describe('backoffDelay', () => {
  it('grows exponentially to the cap, with half the delay jittered', () => {
    const o = { initialMs: 100, maxMs: 1_000, factor: 2 };
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, o, () => 1))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, o, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
  });
});

describe('connect', () => {
  it('opens /ari/events for its app with basic auth, waits for the app, and filters noisy events', async () => {
    let release = () => {};
    fake.registrationGate = new Promise<void>((r) => (release = r));
    const c = client();
    const connecting = c.connect({ timeoutMs: 3_000 });
    const appGets = () => fake.requests.filter((r) => r.method === 'GET' && r.path === '/ari/applications/unit-app');
    await until(() => appGets().length >= 2);
    // The socket is open but the app is not registered yet: not connected.
    expect(c.isConnected).toBe(false);
    release();
    await connecting;
    expect(c.isConnected).toBe(true);
    expect(fake.eventsQueries).toEqual([{ app: 'unit-app', subscribeAll: 'false' }]);
    const filter = fake.requests.find((r) => r.method === 'PUT');
    expect(filter?.path).toBe('/ari/applications/unit-app/eventFilter');
    expect(filter?.body).toEqual({ disallowed: ['ChannelVarset', 'ChannelDialplan', 'Dial', 'PlaybackContinuing', 'StasisEnd'].map((type) => ({ type })) });
  });

  it('rejects a wrong password with ari_http_401 and does not retry', async () => {
    const c = client({ password: 'wrong' });
    const err = await c.connect({ timeoutMs: 3_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AriError);
    expect((err as AriError).code).toBe('ari_http_401');
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.upgradeAttempts).toBe(1);
  });

  it('rejects a pending connect when closed', async () => {
    fake.refuseUpgradesWith = 503;
    const c = client();
    const pending = c.connect();
    await until(() => fake.upgradeAttempts >= 1);
    await c.close();
    await expect(pending).rejects.toMatchObject({ code: 'ari_unreachable' });
  });
});

describe('events', () => {
  it('delivers typed events to their listeners, unknown types to onAny, and survives bad frames and throwing listeners', async () => {
    const c = client();
    await c.connect();
    const starts: string[][] = [];
    const destroyed: Array<[number, string, number | undefined]> = [];
    const any: string[] = [];
    c.on('StasisStart', () => {
      throw new Error('a broken listener');
    });
    c.on('StasisStart', (e) => starts.push(e.args));
    const offDestroyed = c.on('ChannelDestroyed', (e) => destroyed.push([e.cause, e.cause_txt, e.tech_cause]));
    c.onAny((e) => any.push(e.type));

    fake.sendRaw('not json');
    fake.sendRaw('{"no":"type"}');
    fake.send({ type: 'StasisStart', application: 'unit-app', timestamp: 't', args: ['MACHINE', 'MAXWORDS-3-2'], channel: channel('a1') });
    fake.send({
      type: 'ChannelDestroyed',
      application: 'unit-app',
      timestamp: 't',
      cause: 17,
      cause_txt: 'User busy',
      tech_cause: 486,
      channel: channel('a1'),
    });
    fake.send({ type: 'SomethingNew', application: 'unit-app', timestamp: 't', extra: 1 });
    await until(() => any.length === 3);
    offDestroyed();
    fake.send({ type: 'ChannelDestroyed', application: 'unit-app', timestamp: 't', cause: 16, cause_txt: 'Normal Clearing', channel: channel('a2') });
    await until(() => any.length === 4);

    expect(starts).toEqual([['MACHINE', 'MAXWORDS-3-2']]);
    expect(destroyed).toEqual([[17, 'User busy', 486]]);
    expect(any).toEqual(['StasisStart', 'ChannelDestroyed', 'SomethingNew', 'ChannelDestroyed']);
  });
});

describe('REST', () => {
  it('originates with query parameters, variables in the body, and returns the channel', async () => {
    fake.handler = (r) => (r.path === '/ari/channels' ? { status: 200, body: channel('att-1') } : undefined);
    const c = client();
    const ch = await c.originate({
      endpoint: 'PJSIP/8613800000011@carrier',
      channelId: 'att-1',
      appArgs: ['campaign-7', 'en'],
      callerId: '"Bank" <95500>',
      timeout: 25,
      variables: { RW_ATTEMPT: 'att-1' },
    });
    expect(ch.id).toBe('att-1');
    const r = fake.requests.find((x) => x.path === '/ari/channels')!;
    expect(r.method).toBe('POST');
    expect(r.query).toEqual({
      endpoint: 'PJSIP/8613800000011@carrier',
      channelId: 'att-1',
      app: 'unit-app',
      appArgs: 'campaign-7,en',
      callerId: '"Bank" <95500>',
      timeout: '25',
    });
    expect(r.body).toEqual({ variables: { RW_ATTEMPT: 'att-1' } });
  });

  it('originates into dialplan without an app when a context is given', async () => {
    fake.handler = () => ({ status: 200, body: channel('att-2') });
    await client().originate({ endpoint: 'PJSIP/1@carrier', context: 'ringwise-amd', extension: 's', priority: 1 });
    expect(fake.requests.at(-1)?.query).toEqual({ endpoint: 'PJSIP/1@carrier', context: 'ringwise-amd', extension: 's', priority: '1' });
  });

  it('maps HTTP failures to ari_http_<status> with status and body', async () => {
    fake.handler = (r) =>
      r.method === 'DELETE'
        ? { status: 404, body: { message: 'Channel not found' } }
        : { status: 409, body: { message: 'Channel with given unique ID already exists' } };
    const c = client();
    const e404 = (await c.hangup('gone', 'normal').catch((e: unknown) => e)) as AriError;
    expect(e404).toBeInstanceOf(AriError);
    expect(e404.code).toBe('ari_http_404');
    expect(e404.httpStatus).toBe(404);
    expect(e404.body).toContain('Channel not found');
    expect(e404.message).toContain('Channel not found');
    expect(fake.requests.at(-1)?.query).toEqual({ reason: 'normal' });
    const e409 = (await c.originate({ endpoint: 'PJSIP/1@carrier', channelId: 'dup' }).catch((e: unknown) => e)) as AriError;
    expect(e409.code).toBe('ari_http_409');
  });

  it('maps a wrong password to ari_http_401', async () => {
    const err = (await client({ password: 'nope' })
      .asteriskInfo()
      .catch((e: unknown) => e)) as AriError;
    expect(err.code).toBe('ari_http_401');
    expect(err.httpStatus).toBe(401);
  });

  it('reports ari_unreachable when nothing listens, and when Asterisk does not answer in time', async () => {
    const port = await freePort();
    const down = client({ url: `http://127.0.0.1:${port}` });
    const refused = (await down.listChannels().catch((e: unknown) => e)) as AriError;
    expect(refused.code).toBe('ari_unreachable');
    expect(refused.httpStatus).toBeUndefined();

    fake.handler = () => 'hang';
    const slow = client({ requestTimeoutMs: 100 });
    const timedOut = (await slow.listBridges().catch((e: unknown) => e)) as AriError;
    expect(timedOut.code).toBe('ari_unreachable');
    expect(timedOut.timedOut).toBe(true);
  });

  it('encodes ids as path segments and sends config fields and event filters as JSON', async () => {
    fake.handler = () => ({ status: 200, body: [] });
    const c = client();
    await c.setChannelVar('a/b?c', 'RW_X', '1');
    expect(fake.requests.at(-1)?.path).toBe('/ari/channels/a%2Fb%3Fc/variable');
    await c.pushConfig('res_pjsip', 'endpoint', 'agent-1', { context: 'agents', aors: 'agent-1' });
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'PUT',
      path: '/ari/asterisk/config/dynamic/res_pjsip/endpoint/agent-1',
      body: {
        fields: [
          { attribute: 'context', value: 'agents' },
          { attribute: 'aors', value: 'agent-1' },
        ],
      },
    });
    await c.subscribe(['channel:x', 'endpoint:PJSIP/agent-1']);
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/ari/applications/unit-app/subscription',
      query: { eventSource: 'channel:x,endpoint:PJSIP/agent-1' },
    });
    await c.play('ch1', ['sound:hello-world', 'number:1234'], { playbackId: 'pb1' });
    expect(fake.requests.at(-1)?.query).toEqual({ media: 'sound:hello-world,number:1234', playbackId: 'pb1' });
  });
});

describe('reconnect', () => {
  it('reports the drop, reconnects with growing backoff, and events flow again', async () => {
    const c = client();
    await c.connect();
    const lifecycle: string[] = [];
    const delays: number[] = [];
    c.on('disconnected', () => lifecycle.push('disconnected'));
    c.on('reconnecting', (e) => delays.push(e.delayMs));
    c.on('connected', (e) => lifecycle.push(`connected reconnected=${e.reconnected}`));

    fake.refuseUpgradesWith = 503;
    fake.dropAll();
    await until(() => delays.length >= 5);
    expect(c.isConnected).toBe(false);
    // random() = 1 gives the undithered delays: initial 20 ms doubling to the 80 ms cap.
    expect(delays.slice(0, 5)).toEqual([20, 40, 80, 80, 80]);

    fake.refuseUpgradesWith = undefined;
    await next(c, 'connected');
    expect(lifecycle).toEqual(['disconnected', 'connected reconnected=true']);
    const dtmf = next(c, 'ChannelDtmfReceived');
    fake.send({ type: 'ChannelDtmfReceived', application: 'unit-app', timestamp: 't', digit: '1', duration_ms: 100, channel: channel('a1') });
    expect((await dtmf).digit).toBe('1');
  });

  it('drops a socket that stops answering pings and reconnects', async () => {
    const c = client({ pingIntervalMs: 50 });
    await c.connect();
    const reconnected = next(c, 'connected');
    fake.freezeAll();
    expect(await reconnected).toEqual({ reconnected: true });
  });

  it('stops retrying after close()', async () => {
    const c = client();
    await c.connect();
    fake.refuseUpgradesWith = 503;
    fake.dropAll();
    await until(() => fake.upgradeAttempts >= 3);
    await c.close();
    const attempts = fake.upgradeAttempts;
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.upgradeAttempts).toBe(attempts);
    await expect(c.connect()).rejects.toBeInstanceOf(AriError);
  });
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
