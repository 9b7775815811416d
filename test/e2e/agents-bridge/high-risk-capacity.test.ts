import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHighRiskCapacity } from '../../../src/agents/agent-pacing.js';
import { sandboxEnv } from '../../helpers/sandbox-env.js';

// High-risk leases are shared by every worker through Redis: check the Lua script for real.
describe('high-risk capacity (Redis)', () => {
  let redis: Redis;
  const prefix = `rwt-hr-${randomBytes(4).toString('hex')}`;

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? sandboxEnv()['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('grants at most `limit` leases at once, re-grants a held one, and frees on release', async () => {
    const cap = createHighRiskCapacity(redis, `${prefix}:a`, 60_000);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => cap.tryAcquire(`m${i}`, 2)));
    expect(results.filter((r) => r === 0)).toHaveLength(2);
    expect(await cap.inFlight()).toBe(2);
    const held = results.map((r, i) => (r === 0 ? `m${i}` : null)).filter((m): m is string => m !== null);
    // A replayed job holding its lease keeps it even at the limit.
    expect(await cap.tryAcquire(held[0]!, 2)).toBe(0);
    expect(await cap.tryAcquire('other', 2)).toBeGreaterThan(0);
    await cap.release(held[0]!);
    await cap.release(held[0]!);
    expect(await cap.inFlight()).toBe(1);
    expect(await cap.tryAcquire('other', 2)).toBe(0);
  });

  it('no available agent means no high-risk call at all', async () => {
    const cap = createHighRiskCapacity(redis, `${prefix}:b`, 60_000);
    expect(await cap.tryAcquire('m', 0)).toBeGreaterThan(0);
    expect(await cap.inFlight()).toBe(0);
  });

  it('a crashed worker’s lease expires by itself', async () => {
    const cap = createHighRiskCapacity(redis, `${prefix}:c`, 300);
    expect(await cap.tryAcquire('crashed', 1)).toBe(0);
    expect(await cap.tryAcquire('next', 1)).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 400));
    expect(await cap.tryAcquire('next', 1)).toBe(0);
  });
});
