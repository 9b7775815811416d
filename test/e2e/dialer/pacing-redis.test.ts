import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisPacer } from '../../../src/scheduler/pacing.js';
import { sandboxEnv } from '../../helpers/sandbox-env.js';

// Slots and buckets live in Redis so every worker shares them: check the Lua scripts for real.
describe('Redis pacer', () => {
  let redis: Redis;
  const prefix = `rwt-pace-${randomBytes(4).toString('hex')}`;

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? sandboxEnv()['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('never grants more concurrent slots than the campaign allows, and releases on every outcome', async () => {
    const pacer = createRedisPacer(redis, `${prefix}:a`, { maxChannels: 100, callsPerSecond: 1000 }, 60_000);
    const limits = { maxChannels: 3, callsPerSecond: 1000 };
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => pacer.tryAcquire('c1', `m${i}`, limits)));
    expect(results.filter((r) => r === 0)).toHaveLength(3);
    expect(await pacer.inUse('c1')).toBe(3);
    const held = results.map((r, i) => (r === 0 ? `m${i}` : null)).filter((m): m is string => m !== null);
    await pacer.release('c1', held[0]!);
    await pacer.release('c1', held[0]!); // idempotent
    expect(await pacer.inUse('c1')).toBe(2);
    expect(await pacer.tryAcquire('c1', 'late', limits)).toBe(0);
    // Re-acquiring a slot already held (a replayed job) does not take a second one.
    expect(await pacer.tryAcquire('c1', 'late', limits)).toBe(0);
    expect(await pacer.inUse('c1')).toBe(3);
  });

  it('peek says whether a slot is free, without taking it', async () => {
    const pacer = createRedisPacer(redis, `${prefix}:peek`, { maxChannels: 100, callsPerSecond: 1000 }, 60_000);
    const slots = { maxChannels: 1, callsPerSecond: 1000 };
    expect(await pacer.peek!('c1', slots)).toBe(0);
    expect(await pacer.peek!('c1', slots)).toBe(0); // nothing was taken
    expect(await pacer.tryAcquire('c1', 'a', slots)).toBe(0);
    expect(await pacer.peek!('c1', slots)).toBeGreaterThan(0); // the only slot is held
    await pacer.release('c1', 'a');
    expect(await pacer.peek!('c1', slots)).toBe(0);
    // Tokens are not the slot's business: a one-call-per-second bucket emptied, a slot still free.
    const slow = { maxChannels: 10, callsPerSecond: 1 };
    expect(await pacer.takeToken('c2', slow)).toBe(0);
    expect(await pacer.peek!('c2', slow)).toBe(0);
    const wait = await pacer.takeToken('c2', slow);
    expect(wait).toBeGreaterThan(500);
    expect(wait).toBeLessThanOrEqual(1000);
  });

  it('the global limit spans campaigns', async () => {
    const pacer = createRedisPacer(redis, `${prefix}:b`, { maxChannels: 2, callsPerSecond: 1000 }, 60_000);
    const limits = { maxChannels: 10, callsPerSecond: 1000 };
    expect(await pacer.tryAcquire('c1', 'a', limits)).toBe(0);
    expect(await pacer.tryAcquire('c2', 'b', limits)).toBe(0);
    expect(await pacer.tryAcquire('c3', 'c', limits)).toBeGreaterThan(0);
    expect(await pacer.inUse()).toBe(2);
  });

  it('a crashed worker’s slot comes back when its lease expires', async () => {
    const pacer = createRedisPacer(redis, `${prefix}:c`, { maxChannels: 10, callsPerSecond: 1000 }, 300);
    const limits = { maxChannels: 1, callsPerSecond: 1000 };
    expect(await pacer.tryAcquire('c1', 'dead', limits)).toBe(0);
    expect(await pacer.tryAcquire('c1', 'next', limits)).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 400));
    expect(await pacer.tryAcquire('c1', 'next', limits)).toBe(0);
    expect(await pacer.renew('c1', 'dead')).toBe(false);
  });

  it('calls per second: a burst of the bucket, then a wait hint; the global rate spans campaigns', async () => {
    const pacer = createRedisPacer(redis, `${prefix}:d`, { maxChannels: 100, callsPerSecond: 1000 }, 60_000);
    // 20 calls/s: a bucket of a tenth of a second holds two, the next token is ≤ 50 ms away.
    const limits = { maxChannels: 100, callsPerSecond: 20 };
    const r = [];
    for (let i = 0; i < 4; i++) r.push(await pacer.takeToken('c1', limits));
    expect(r.slice(0, 2)).toEqual([0, 0]);
    expect(r[2]).toBeGreaterThan(0);
    expect(r[2]).toBeLessThanOrEqual(50);
    expect(await pacer.inUse('c1')).toBe(0); // tokens hold no channel
    const slowGlobal = createRedisPacer(redis, `${prefix}:e`, { maxChannels: 100, callsPerSecond: 10 }, 60_000);
    expect(await slowGlobal.takeToken('c1', { maxChannels: 100, callsPerSecond: 1000 })).toBe(0);
    expect(await slowGlobal.takeToken('c2', { maxChannels: 100, callsPerSecond: 1000 })).toBeGreaterThan(0);
  });
});
