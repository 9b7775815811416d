import type { Redis } from 'ioredis';

/**
 * Pacing: calls per second (a token bucket) and concurrent channels (slots), globally and per
 * campaign. Slots are shared by every worker, so they live in Redis as a sorted set of leases
 * (member = the attempt key, score = lease expiry): a crashed worker's slots expire by
 * themselves, and releasing is idempotent. Acquire and release run as Lua scripts, so several
 * workers can never together exceed a limit.
 */
export interface PaceLimits {
  maxChannels: number;
  callsPerSecond: number;
}

export interface BucketState {
  tokens: number;
  /** Milliseconds of the last refill. */
  at: number;
}

/**
 * Seconds of calls the bucket may grant at once. Jobs that find no token go back to BullMQ's
 * delayed set and poll again (with a spread), so tokens they miss meanwhile are only kept up to
 * this much: measured with a tenth of a second, a 150 calls/s campaign dialed 128 calls/s (one
 * second: 178, 250 asked: 142 against 186). The price of a whole second: tokens are taken
 * before the compliance gate, so a campaign's first second of calls reaches the carrier smeared
 * over the next few seconds by the gate's queue (100 calls/s asked: 114/s over the middle of a
 * 10 s step). In steady state the bucket stays empty and originates follow the rate; a carrier
 * with a strict CPS cap wants the campaign's calls/s set ~15 % below it.
 */
export const BURST_SECONDS = 1;

/** The bucket's size: `BURST_SECONDS` of calls, at least one. */
export function bucketCapacity(rate: number): number {
  return Math.max(1, rate * BURST_SECONDS);
}

/** Pure token bucket step: capacity `bucketCapacity(rate)`, refilled continuously at `rate`/s. */
export function takeToken(state: BucketState | null, rate: number, now: number): { ok: boolean; waitMs: number; next: BucketState } {
  const capacity = bucketCapacity(rate);
  const prev = state ?? { tokens: capacity, at: now };
  const elapsed = Math.max(0, now - prev.at);
  const tokens = Math.min(capacity, prev.tokens + (elapsed * rate) / 1000);
  if (tokens >= 1) return { ok: true, waitMs: 0, next: { tokens: tokens - 1, at: now } };
  return { ok: false, waitMs: Math.ceil(((1 - tokens) * 1000) / rate), next: { tokens, at: now } };
}

// KEYS: globalSlots, campaignSlots, globalBucket, campaignBucket
// ARGV: member, leaseMs, globalMax, campaignMax, globalRate, campaignRate
// Returns 0 when granted (or already held), else milliseconds to wait before trying again.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local member = ARGV[1]
local lease = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZSCORE', KEYS[1], member) and redis.call('ZSCORE', KEYS[2], member) then
  redis.call('ZADD', KEYS[1], now + lease, member)
  redis.call('ZADD', KEYS[2], now + lease, member)
  return 0
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 250 end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 250 end
local function bucket(key, rate)
  local cap = math.max(1, rate * ${BURST_SECONDS})
  local s = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(s[1]) or cap
  local at = tonumber(s[2]) or now
  local elapsed = math.max(0, now - at)
  tokens = math.min(cap, tokens + elapsed * rate / 1000)
  return tokens
end
local gr = tonumber(ARGV[5])
local cr = tonumber(ARGV[6])
local gt = bucket(KEYS[3], gr)
local ct = bucket(KEYS[4], cr)
if gt < 1 then return math.max(1, math.ceil((1 - gt) * 1000 / gr)) end
if ct < 1 then return math.max(1, math.ceil((1 - ct) * 1000 / cr)) end
redis.call('HSET', KEYS[3], 'tokens', gt - 1, 'at', now)
redis.call('HSET', KEYS[4], 'tokens', ct - 1, 'at', now)
redis.call('PEXPIRE', KEYS[3], 60000)
redis.call('PEXPIRE', KEYS[4], 60000)
redis.call('ZADD', KEYS[1], now + lease, member)
redis.call('ZADD', KEYS[2], now + lease, member)
redis.call('PEXPIRE', KEYS[1], lease * 2)
redis.call('PEXPIRE', KEYS[2], lease * 2)
return 0
`;

// KEYS: globalSlots, campaignSlots, globalBucket, campaignBucket
// ARGV: globalMax, campaignMax, globalRate, campaignRate, member
// ACQUIRE's checks without taking anything: 0 when a slot looks free (or the member holds one:
// a replayed job of a live call), else ms to wait.
const PEEK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[5] ~= '' and redis.call('ZSCORE', KEYS[2], ARGV[5]) then return 0 end
if redis.call('ZCOUNT', KEYS[1], now, '+inf') >= tonumber(ARGV[1]) then return 250 end
if redis.call('ZCOUNT', KEYS[2], now, '+inf') >= tonumber(ARGV[2]) then return 250 end
local function bucket(key, rate)
  local cap = math.max(1, rate * ${BURST_SECONDS})
  local s = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(s[1]) or cap
  local at = tonumber(s[2]) or now
  return math.min(cap, tokens + math.max(0, now - at) * rate / 1000)
end
local gr = tonumber(ARGV[3])
local cr = tonumber(ARGV[4])
local gt = bucket(KEYS[3], gr)
local ct = bucket(KEYS[4], cr)
if gt < 1 then return math.max(1, math.ceil((1 - gt) * 1000 / gr)) end
if ct < 1 then return math.max(1, math.ceil((1 - ct) * 1000 / cr)) end
return 0
`;

// KEYS: globalSlots, campaignSlots; ARGV: member
const RELEASE = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`;

// KEYS: globalSlots, campaignSlots; ARGV: member, leaseMs. Extends a held lease only.
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local held = 0
for i = 1, 2 do
  if redis.call('ZSCORE', KEYS[i], ARGV[1]) then
    redis.call('ZADD', KEYS[i], now + tonumber(ARGV[2]), ARGV[1])
    redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2]) * 2)
    held = held + 1
  end
end
return held
`;

export interface Pacer {
  /** 0 when the slot is held, else a hint in ms before trying again. */
  tryAcquire(campaignId: string, member: string, campaign: PaceLimits): Promise<number>;
  /**
   * Read-only: 0 when a slot and a token look available, else ms to wait. Lets a job that
   * cannot dial yet go back to waiting before it reads its contact or renders its prompt.
   */
  peek?(campaignId: string, campaign: PaceLimits, member?: string): Promise<number>;
  release(campaignId: string, member: string): Promise<void>;
  renew(campaignId: string, member: string): Promise<boolean>;
  /** Live slots (for stats and tests). */
  inUse(campaignId?: string): Promise<number>;
}

export function createRedisPacer(redis: Redis, prefix: string, global: PaceLimits, leaseMs: number): Pacer {
  const k = {
    gSlots: `${prefix}:pace:slots:global`,
    cSlots: (c: string) => `${prefix}:pace:slots:c:${c}`,
    gBucket: `${prefix}:pace:bucket:global`,
    cBucket: (c: string) => `${prefix}:pace:bucket:c:${c}`,
  };
  return {
    async tryAcquire(campaignId, member, campaign) {
      const r = await redis.eval(
        ACQUIRE,
        4,
        k.gSlots,
        k.cSlots(campaignId),
        k.gBucket,
        k.cBucket(campaignId),
        member,
        String(leaseMs),
        String(global.maxChannels),
        String(campaign.maxChannels),
        String(global.callsPerSecond),
        String(campaign.callsPerSecond),
      );
      return Number(r);
    },
    async peek(campaignId, campaign, member = '') {
      const r = await redis.eval(
        PEEK,
        4,
        k.gSlots,
        k.cSlots(campaignId),
        k.gBucket,
        k.cBucket(campaignId),
        String(global.maxChannels),
        String(campaign.maxChannels),
        String(global.callsPerSecond),
        String(campaign.callsPerSecond),
        member,
      );
      return Number(r);
    },
    async release(campaignId, member) {
      await redis.eval(RELEASE, 2, k.gSlots, k.cSlots(campaignId), member);
    },
    async renew(campaignId, member) {
      const n = await redis.eval(RENEW, 2, k.gSlots, k.cSlots(campaignId), member, String(leaseMs));
      return Number(n) > 0;
    },
    async inUse(campaignId) {
      const key = campaignId === undefined ? k.gSlots : k.cSlots(campaignId);
      await redis.zremrangebyscore(key, '-inf', Date.now());
      return redis.zcard(key);
    },
  };
}
