import type { Redis } from 'ioredis';

/**
 * Progressive pacing for high-risk customers: they go to an agent right after the greeting, so
 * the calls still looking for an agent (dialing, ringing, greeting, waiting) are kept at or below
 * available agents × ratio. A call's lease is given back once an agent is claimed for it (the
 * ringing agent then stands for it) or when it ends. Leases live in Redis shared by every worker
 * (sorted set, score = expiry), so a crashed worker's leases expire by themselves.
 */
export interface HighRiskCapacity {
  /** 0 when the lease is held, else milliseconds before trying again. */
  tryAcquire(member: string, limit: number): Promise<number>;
  release(member: string): Promise<void>;
  renew(member: string): Promise<void>;
  inFlight(): Promise<number>;
}

/** How many high-risk calls may be in flight for this many available agents. */
export function highRiskLimit(availableAgents: number, ratio: number): number {
  return Math.max(0, Math.floor(availableAgents * ratio + 1e-9));
}

// KEYS: leases; ARGV: member, leaseMs, limit
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  return 0
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 500 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return 0
`;

export function createHighRiskCapacity(redis: Redis, prefix: string, leaseMs: number): HighRiskCapacity {
  const key = `${prefix}:agents:high-risk`;
  return {
    async tryAcquire(member, limit) {
      return Number(await redis.eval(ACQUIRE, 1, key, member, String(leaseMs), String(limit)));
    },
    async release(member) {
      await redis.zrem(key, member);
    },
    async renew(member) {
      await redis.zadd(key, 'XX', Date.now() + leaseMs, member);
    },
    async inFlight() {
      await redis.zremrangebyscore(key, '-inf', Date.now());
      return redis.zcard(key);
    },
  };
}
