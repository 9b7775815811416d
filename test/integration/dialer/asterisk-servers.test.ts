import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createServerSet, type ServerSet } from '../../../src/dialer/asterisk-servers.js';
import { createLogger } from '../../../src/shared/logger.js';
import { testEnv } from '../../helpers/sandbox-env.js';
import { FakeAri } from '../../unit/dialer/fake-ari.js';

// The server set over fake ARI ports and the real Redis that holds every worker's counts.
describe('several Asterisk servers behind one AriPort (real Redis, fake ARI)', () => {
  let redis: Redis;
  const prefix = `rwt-servers-${randomBytes(4).toString('hex')}`;
  const sets: ServerSet[] = [];
  beforeAll(() => {
    redis = new Redis(loadConfig(testEnv()).redisUrl, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    for (const s of sets) s.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  const make = (o: { pfx?: string; capacities?: number[]; lostAfterMs?: number; agentEndpoint?: (e: string, s: string) => Promise<string> } = {}) => {
    const caps = o.capacities ?? [10, 10];
    const faris = caps.map(() => new FakeAri());
    const set = createServerSet({
      servers: faris.map((ari, i) => ({ name: `ast-${i + 1}`, capacity: caps[i]!, ari })),
      redis,
      prefix: o.pfx ?? prefix,
      log: createLogger('silent'),
      ...('lostAfterMs' in o ? (o.lostAfterMs === undefined ? {} : { lostAfterMs: o.lostAfterMs }) : { lostAfterMs: 100 }),
      ...(o.agentEndpoint ? { agentEndpoint: o.agentEndpoint } : {}),
    });
    sets.push(set);
    return { set, faris };
  };
  const originate = (set: ServerSet, id = randomUUID()) => set.originate({ channelId: id, endpoint: 'PJSIP/1@carrier', timeoutSeconds: 20 }).then(() => id);

  it("spreads calls by free capacity, counting every worker's calls, and frees room when a call ends", async () => {
    const a = make({ capacities: [30, 10] });
    const b = make({ capacities: [30, 10] }); // a second worker, same servers (same Redis keys)
    for (let i = 0; i < 20; i++) await originate(i % 2 ? a.set : b.set);
    const live = (w: typeof a) => w.set.liveCalls();
    const total1 = live(a).get('ast-1')! + live(b).get('ast-1')!;
    const total2 = live(a).get('ast-2')! + live(b).get('ast-2')!;
    // 3:1 capacities → 15:5 calls, whichever worker placed them.
    expect([total1, total2]).toEqual([15, 5]);
    expect(await redis.zcard(`${prefix}:asterisk:ast-1:calls`)).toBe(15);
    // Calls end (ChannelDestroyed on their server): their room is free again.
    for (const w of [a, b]) {
      w.faris.forEach((f, i) => {
        for (const id of [...f.channels]) if (w.set.serverOf(id) === `ast-${i + 1}`) f.emit({ type: 'ChannelDestroyed', channel: { id } });
      });
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(await redis.zcard(`${prefix}:asterisk:ast-1:calls`)).toBe(0);
    expect(a.set.liveCalls()).toEqual(
      new Map([
        ['ast-1', 0],
        ['ast-2', 0],
      ]),
    );
  });

  it('remembers which server carried a call after its channel is gone (a busy call can end before its originate returns): the ledger records it', async () => {
    const { set, faris } = make();
    const id = await originate(set);
    const on = set.serverOf(id)!;
    faris[on === 'ast-1' ? 0 : 1]!.emit({ type: 'ChannelDestroyed', channel: { id } });
    await new Promise((r) => setTimeout(r, 20));
    expect(set.serverOf(id)).toBeUndefined(); // nothing is sent there any more
    expect(set.liveCalls().get(on)).toBe(0);
    expect(set.carriedBy(id)).toBe(on);
    expect(set.carriedBy(randomUUID())).toBeUndefined();
  });

  it('sends everything of a call to its server, an agent leg through the endpoint the agents module picks', async () => {
    const { set, faris } = make({ agentEndpoint: async (e, s) => `${e}@ringwise-peer-for-${s}` });
    const id = await originate(set);
    const on = set.serverOf(id)!;
    const mine = faris[on === 'ast-1' ? 0 : 1]!;
    const other = faris[on === 'ast-1' ? 1 : 0]!;
    await set.play(id, ['sound:x'], `${id}.p1`);
    await set.originate({ channelId: `${id}-a1`, endpoint: 'PJSIP/agent-7', timeoutSeconds: 10, appArgs: 'agent' });
    await set.createBridge(`${id}-bridge`, 'mixing');
    await set.recordBridge(`${id}-bridge`, id);
    await set.hangup(`${id}-a1`);
    expect(mine.ops()).toEqual(['originate', 'play', 'originate', 'createBridge', 'recordBridge', 'hangup']);
    expect(other.ops()).toEqual([]);
    expect((mine.calls[2]!.args[0] as { endpoint: string }).endpoint).toBe(`PJSIP/agent-7@ringwise-peer-for-${on}`);
    // Only the customer's call counts as a call on the server.
    expect(set.liveCalls().get(on)).toBe(1);
  });

  it('a server that goes down gets no new calls; past the grace time its calls are given up; back, it hangs their channels up and takes calls again', async () => {
    const { set, faris } = make({ lostAfterMs: 100 });
    const lost: string[] = [];
    const conn: boolean[] = [];
    const lostCalls: string[] = [];
    set.onServerLost((n, ids) => {
      lost.push(n);
      lostCalls.push(...ids);
    });
    set.onConnectionChange((up) => conn.push(up));
    const ids = [await originate(set), await originate(set)];
    expect(new Set(ids.map((i) => set.serverOf(i)))).toEqual(new Set(['ast-1', 'ast-2']));
    const onFirst = ids.find((i) => set.serverOf(i) === 'ast-1')!;
    faris[0]!.setConnected(false);
    expect(set.isConnected()).toBe(true);
    expect(conn).toEqual([]); // still connected overall: the dialer keeps dialing
    for (let i = 0; i < 4; i++) expect(set.serverOf(await originate(set))).toBe('ast-2');
    // Merged channel lists leave out the server that is down: the Dialer's reconcile ends its calls as lost.
    expect((await set.listChannels()).map((c) => c.id)).not.toContain(onFirst);
    await new Promise((r) => setTimeout(r, 250));
    expect(lost).toEqual(['ast-1']);
    expect(lostCalls).toEqual([onFirst]);
    expect(set.serverOf(onFirst)).toBeUndefined();
    expect(set.liveCalls().get('ast-1')).toBe(0);
    // It comes back with the call's channel still up: hung up, and new calls go there again.
    faris[0]!.setConnected(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(faris[0]!.ops().filter((o) => o === 'hangup')).toHaveLength(1);
    expect(faris[0]!.channels.has(onFirst)).toBe(false);
    expect(set.serverOf(await originate(set))).toBe('ast-1');
    // All down: the set reports disconnected (the worker pauses), and connected again when one is back.
    faris[0]!.setConnected(false);
    faris[1]!.setConnected(false);
    expect(set.isConnected()).toBe(false);
    await expect(originate(set)).rejects.toThrow(/no Asterisk server is connected/);
    faris[1]!.setConnected(true);
    // The empty server's rejoin asked for no reconcile; losing both and getting one back did.
    expect(conn).toEqual([false, true]);
  });

  it('one server: no Redis counts, and a disconnect gives nothing up (the reconnect reconciles, as before)', async () => {
    const { set, faris } = make({ pfx: `${prefix}-solo`, capacities: [10], lostAfterMs: undefined });
    const lost: string[] = [];
    set.onServerLost((n) => lost.push(n));
    const id = await originate(set);
    expect(await redis.exists(`${prefix}-solo:asterisk:ast-1:calls`)).toBe(0);
    faris[0]!.setConnected(false);
    await new Promise((r) => setTimeout(r, 250));
    expect(lost).toEqual([]);
    expect(set.serverOf(id)).toBe('ast-1');
  });
});
