import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.js';
import type { AriEvent, AriPort, OriginateParams } from './ports.js';

/**
 * Several Asterisk servers behind the one AriPort the Dialer drives. Each call is placed on the
 * connected server with the most free capacity (live calls of every worker, counted in Redis);
 * everything that follows for that call (its agent legs, bridge, playbacks, recording: all ids
 * start with the attempt id) goes to the same server. A server whose ARI drops gets no new calls;
 * if it is still down after `lostAfterMs` its calls are dropped here and `onServerLost` fires
 * (the worker reconciles: the Dialer ends those sessions as lost). When it comes back, channels of
 * calls given up as lost are hung up and it takes new calls again.
 */
export interface AsteriskServer {
  readonly name: string;
  /** Concurrent calls this server should carry (a weight when every server is full: never a refusal). */
  readonly capacity: number;
  readonly ari: AriPort;
}

export interface ServerLoad {
  name: string;
  capacity: number;
  live: number;
}

/** The connected server with the largest share of free capacity; ties go to the first listed. */
export function chooseServer(loads: readonly ServerLoad[]): string | undefined {
  let best: ServerLoad | undefined;
  let bestFree = -Infinity;
  for (const l of loads) {
    const free = (l.capacity - l.live) / Math.max(1, l.capacity);
    if (free > bestFree) {
      best = l;
      bestFree = free;
    }
  }
  return best?.name;
}

const UUID_PREFIX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
/** How many calls' servers a set remembers after they ended (see `carried`). */
const CARRIED_MAX = 10_000;

/** The attempt a channel, bridge, playback or recording id belongs to (`<attempt>-a2`, `<attempt>.p1`, `<attempt>-bridge`). */
export function callKey(id: string): string {
  const m = UUID_PREFIX.exec(id);
  return m ? m[0] : id.replace(/(-a\d+|-bridge|\.p\d+)$/, '');
}

export interface ServerSetOptions {
  servers: readonly AsteriskServer[];
  redis: Redis;
  prefix: string;
  log: Logger;
  /**
   * A server down this long loses its calls (default 5 s with several servers: a websocket blip
   * should not end calls). With one server there is nowhere else to go: its calls wait for the
   * reconnect and are reconciled then, as before (default: never given up).
   */
  lostAfterMs?: number;
  /** Redis lease of one call's place on a server; renewed every 30 s while it lives. */
  leaseMs?: number;
  /** Each customer call handed to a server (metrics). */
  onOriginated?: (server: string) => void;
  /** Where an agent leg is dialed from this server (the agents module routes to other servers' agents). */
  agentEndpoint?: (endpoint: string, server: string) => Promise<string>;
}

export interface ServerSet extends AriPort {
  readonly servers: readonly AsteriskServer[];
  serverOf(id: string): string | undefined;
  /** The server a call was placed on, still known after its channel is gone (for its ledger row). */
  carriedBy(id: string): string | undefined;
  /** This worker's live calls per server (for metrics). */
  liveCalls(): Map<string, number>;
  isServerConnected(name: string): boolean;
  /** A server stayed unreachable past the grace time: these calls (attempt ids) were on it and are given up. */
  onServerLost(listener: (name: string, attemptIds: readonly string[]) => void): void;
  close(): void;
}

export function createServerSet(o: ServerSetOptions): ServerSet {
  const log = o.log.child({ component: 'asterisk-servers' });
  const byName = new Map(o.servers.map((s) => [s.name, s]));
  const leaseMs = o.leaseMs ?? 120_000;
  // One server: no shared counts to keep, and nothing is given up before its reconnect.
  const shared = o.servers.length > 1;
  const lostAfterMs = o.lostAfterMs ?? (shared ? 5_000 : Infinity);
  const zkey = (name: string) => `${o.prefix}:asterisk:${name}:calls`;
  /** call key → server, for calls this worker placed and still drives. */
  const placed = new Map<string, string>();
  /** Calls given up when their server was lost: their channels are hung up if it comes back. */
  const abandoned = new Map<string, string>();
  const eventHandlers: ((e: AriEvent) => void)[] = [];
  const connectionHandlers: ((up: boolean) => void)[] = [];
  const lostListeners: ((name: string, attemptIds: readonly string[]) => void)[] = [];
  const lostTimers = new Map<string, NodeJS.Timeout>();
  let anyUp = o.servers.some((s) => s.ari.isConnected());

  const connected = () => o.servers.filter((s) => s.ari.isConnected());

  // The server of each call placed or adopted, kept after release (a busy call's ChannelDestroyed
  // can come before its originate returns): the ledger records it when the call ends. The newest
  // CARRIED_MAX only: far more than a worker's calls in flight.
  const carried = new Map<string, string>();
  const place = (key: string, name: string) => {
    placed.set(key, name);
    carried.delete(key);
    carried.set(key, name);
    if (carried.size > CARRIED_MAX) carried.delete(carried.keys().next().value!);
  };

  const release = (key: string) => {
    const name = placed.get(key);
    if (!name) return;
    placed.delete(key);
    if (shared) o.redis.zrem(zkey(name), key).catch((err: unknown) => log.warn({ err, server: name }, 'server lease release failed'));
  };

  const giveUp = (name: string) => {
    const keys = [...placed].filter(([, s]) => s === name).map(([k]) => k);
    for (const k of keys) {
      release(k);
      abandoned.set(k, name);
    }
    log.warn({ server: name, calls: keys.length }, 'Asterisk server lost: its calls are handled as lost');
    for (const l of lostListeners) l(name, keys);
  };

  const hangUpAbandoned = async (s: AsteriskServer) => {
    const mine = [...abandoned].filter(([, n]) => n === s.name).map(([k]) => k);
    if (mine.length === 0) return;
    const channels = await s.ari.listChannels();
    for (const c of channels) if (abandoned.get(callKey(c.id)) === s.name) await s.ari.hangup(c.id).catch(() => undefined);
    for (const k of mine) abandoned.delete(k);
    log.info({ server: s.name, calls: mine.length }, 'hung up channels of calls given up while the server was lost');
  };

  for (const s of o.servers) {
    s.ari.onEvent((e) => {
      // The customer's channel is gone: the call no longer holds room on its server.
      if (e.type === 'ChannelDestroyed' && e.channel && placed.get(e.channel.id) === s.name) release(e.channel.id);
      for (const h of eventHandlers) h(e);
    });
    s.ari.onConnectionChange((up) => {
      log.warn({ server: s.name, up }, up ? 'Asterisk server connected' : 'Asterisk server unreachable');
      clearTimeout(lostTimers.get(s.name));
      lostTimers.delete(s.name);
      if (up) void hangUpAbandoned(s).catch((err: unknown) => log.warn({ err, server: s.name }, 'clean-up after rejoin failed'));
      else if (Number.isFinite(lostAfterMs)) lostTimers.set(s.name, setTimeout(() => (s.ari.isConnected() ? undefined : giveUp(s.name)), lostAfterMs).unref());
      const nowUp = connected().length > 0;
      // "Up" makes the Dialer reconcile its calls with Asterisk: needed when dialing resumes or a
      // server with calls of ours comes back from a blip, not when an empty server (re)joins.
      const hasCalls = [...placed.values()].includes(s.name);
      if (nowUp !== anyUp || (up && hasCalls)) {
        anyUp = nowUp;
        for (const h of connectionHandlers) h(nowUp);
      }
    });
  }

  const renew = setInterval(() => {
    const until = Date.now() + leaseMs;
    const pipe = o.redis.pipeline();
    for (const [k, name] of placed) pipe.zadd(zkey(name), until, k);
    if (shared && placed.size > 0) pipe.exec().catch(() => undefined);
  }, 30_000);
  renew.unref();

  async function choose(): Promise<AsteriskServer> {
    const up = connected();
    if (up.length === 0) throw new Error('no Asterisk server is connected');
    if (up.length === 1) return up[0]!;
    const now = Date.now();
    const pipe = o.redis.pipeline();
    for (const s of up) pipe.zremrangebyscore(zkey(s.name), '-inf', now).zcard(zkey(s.name));
    const res = (await pipe.exec()) ?? [];
    const loads = up.map((s, i) => ({ name: s.name, capacity: s.capacity, live: Number(res[i * 2 + 1]?.[1] ?? 0) }));
    return byName.get(chooseServer(loads)!)!;
  }

  /** The server of a known call; for an unknown one (a sweep after a crash) every connected server. */
  const targets = (id: string): AsteriskServer[] => {
    const name = placed.get(callKey(id)) ?? abandoned.get(callKey(id));
    const s = name ? byName.get(name) : undefined;
    return s ? [s] : connected();
  };
  const onEach = async (id: string, op: (ari: AriPort) => Promise<void>): Promise<void> => {
    const ts = targets(id);
    if (ts.length <= 1) return op((ts[0] ?? o.servers[0]!).ari);
    const results = await Promise.allSettled(ts.map((s) => op(s.ari)));
    const ok = results.find((r) => r.status === 'fulfilled');
    if (!ok) throw (results[0] as PromiseRejectedResult).reason;
  };

  async function originate(p: OriginateParams): Promise<void> {
    const key = callKey(p.channelId);
    const known = placed.get(key);
    if (known) {
      // A further leg of a call (an agent): same server, maybe through the trunk to another.
      const endpoint = o.agentEndpoint ? await o.agentEndpoint(p.endpoint, known) : p.endpoint;
      return byName.get(known)!.ari.originate({ ...p, endpoint });
    }
    const s = await choose();
    place(key, s.name);
    if (shared) await o.redis.zadd(zkey(s.name), Date.now() + leaseMs, key);
    try {
      await s.ari.originate(p);
      o.onOriginated?.(s.name);
    } catch (err) {
      release(key);
      throw err;
    }
  }

  const first = o.servers[0]!.ari;
  return {
    app: first.app,
    servers: o.servers,
    isConnected: () => connected().length > 0,
    isServerConnected: (name) => byName.get(name)?.ari.isConnected() ?? false,
    onEvent: (h) => void eventHandlers.push(h),
    onConnectionChange: (h) => void connectionHandlers.push(h),
    onServerLost: (l) => void lostListeners.push(l),
    serverOf: (id) => placed.get(callKey(id)),
    carriedBy: (id) => carried.get(callKey(id)),
    liveCalls() {
      const out = new Map(o.servers.map((s) => [s.name, 0]));
      for (const name of placed.values()) out.set(name, (out.get(name) ?? 0) + 1);
      return out;
    },
    subscribeChannel: (id) => onEach(id, (a) => a.subscribeChannel(id)),
    setVariable: (id, n, v) => onEach(id, (a) => a.setVariable(id, n, v)),
    continueInDialplan: (id, c, e, p) => onEach(id, (a) => a.continueInDialplan(id, c, e, p)),
    play: (id, media, pb) => onEach(id, (a) => a.play(id, media, pb)),
    stopPlayback: (pb) => onEach(pb, (a) => a.stopPlayback(pb)),
    async playbackExists(pb) {
      const r = await Promise.all(targets(pb).map((s) => s.ari.playbackExists(pb).catch(() => false)));
      return r.some(Boolean);
    },
    hangup: (id) => onEach(id, (a) => a.hangup(id)),
    originate,
    startMoh: (id) => onEach(id, (a) => a.startMoh(id)),
    stopMoh: (id) => onEach(id, (a) => a.stopMoh(id)),
    createBridge: (id, type) => onEach(id, (a) => a.createBridge(id, type)),
    addToBridge: (id, chans) => onEach(id, (a) => a.addToBridge(id, chans)),
    destroyBridge: (id) => onEach(id, (a) => a.destroyBridge(id)),
    recordBridge: (id, name) => onEach(id, (a) => a.recordBridge(id, name)),
    stopRecording: (name) => onEach(name, (a) => a.stopRecording(name)),
    async listChannels() {
      const lists = await Promise.all(connected().map((s) => s.ari.listChannels()));
      return lists.flat();
    },
    async getChannel(id) {
      const found = await Promise.all(targets(id).map((s) => s.ari.getChannel(id).catch(() => null)));
      return found.find((c) => c !== null) ?? null;
    },
    async listBridges() {
      const lists = await Promise.all(connected().map((s) => s.ari.listBridges()));
      return lists.flat();
    },
    async moveChannel(id, app) {
      // Adopting another worker's call: learn its server, so what follows goes there alone.
      const ts = targets(id);
      const results = await Promise.allSettled(ts.map((s) => s.ari.moveChannel(id, app)));
      const i = results.findIndex((r) => r.status === 'fulfilled');
      if (i < 0) throw (results[0] as PromiseRejectedResult | undefined)?.reason ?? new Error('no Asterisk server is connected');
      const key = callKey(id);
      if (!placed.has(key)) {
        place(key, ts[i]!.name);
        if (shared) await o.redis.zadd(zkey(ts[i]!.name), Date.now() + leaseMs, key);
      }
    },
    close() {
      clearInterval(renew);
      for (const t of lostTimers.values()) clearTimeout(t);
    },
  };
}
