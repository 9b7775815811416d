import type { Redis } from 'ioredis';

/**
 * Pacing: concurrent channels (slots) and calls per second (a token bucket), globally and per
 * campaign, shared by every worker through Redis. A dial job takes its slot first (the channel
 * budget bounds how many calls are in progress), then its token through the process's FIFO
 * (`token-queue.ts`), and only then asks the compliance gate and originates
 * (`pacing.gate.ts`): a reservation exists only once the call can go out. Slots are a sorted set of leases
 * (member = the attempt key, score = lease expiry): a crashed worker's slots expire by
 * themselves, and releasing is idempotent. Every step is a Lua script, so several workers can
 * never together exceed a limit.
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
 * Seconds of calls the bucket may grant at once: the burst a carrier may see after a pause in
 * dialing. Jobs wait for their token in a queue in the process (nobody polls and misses one),
 * so a tenth of a second is enough to keep up with the rate.
 */
export const BURST_SECONDS = 0.1;

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

// KEYS: globalSlots, campaignSlots
// ARGV: member, leaseMs, globalMax, campaignMax
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
redis.call('ZADD', KEYS[1], now + lease, member)
redis.call('ZADD', KEYS[2], now + lease, member)
redis.call('PEXPIRE', KEYS[1], lease * 2)
redis.call('PEXPIRE', KEYS[2], lease * 2)
return 0
`;

// KEYS: globalBucket, campaignBucket; ARGV: globalRate, campaignRate
// Takes one token from both buckets, or none: 0 when taken, else milliseconds until one is due.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function bucket(key, rate)
  local cap = math.max(1, rate * ${BURST_SECONDS})
  local s = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(s[1]) or cap
  local at = tonumber(s[2]) or now
  return math.min(cap, tokens + math.max(0, now - at) * rate / 1000)
end
local gr = tonumber(ARGV[1])
local cr = tonumber(ARGV[2])
local gt = bucket(KEYS[1], gr)
local ct = bucket(KEYS[2], cr)
if gt < 1 then return math.max(1, math.ceil((1 - gt) * 1000 / gr)) end
if ct < 1 then return math.max(1, math.ceil((1 - ct) * 1000 / cr)) end
redis.call('HSET', KEYS[1], 'tokens', gt - 1, 'at', now)
redis.call('HSET', KEYS[2], 'tokens', ct - 1, 'at', now)
redis.call('PEXPIRE', KEYS[1], 60000)
redis.call('PEXPIRE', KEYS[2], 60000)
return 0
`;

// KEYS: globalSlots, campaignSlots; ARGV: globalMax, campaignMax, member
// ACQUIRE's checks without taking anything: 0 when a slot looks free (or the member holds one:
// a replayed job of a live call), else ms to wait.
const PEEK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[3] ~= '' and redis.call('ZSCORE', KEYS[2], ARGV[3]) then return 0 end
if redis.call('ZCOUNT', KEYS[1], now, '+inf') >= tonumber(ARGV[1]) then return 250 end
if redis.call('ZCOUNT', KEYS[2], now, '+inf') >= tonumber(ARGV[2]) then return 250 end
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
  /** A channel slot: 0 when held, else a hint in ms before trying again. */
  tryAcquire(campaignId: string, member: string, campaign: PaceLimits): Promise<number>;
  /**
   * Read-only: 0 when a slot looks free, else ms to wait. Lets a job that cannot dial yet go
   * back to waiting before it reads its contact or renders its prompt.
   */
  peek?(campaignId: string, campaign: PaceLimits, member?: string): Promise<number>;
  /** A calls-per-second token (global and campaign): 0 when taken, else ms until one is due. */
  takeToken(campaignId: string, campaign: PaceLimits): Promise<number>;
  release(campaignId: string, member: string): Promise<void>;
  renew(campaignId: string, member: string): Promise<boolean>;
  /** Live slots (for stats and tests). */
  inUse(campaignId?: string): Promise<number>;
}

type Scripted = (...args: string[]) => Promise<unknown>;

/**
 * The scripts as commands of this connection: ioredis sends EVALSHA (the script's hash) and
 * falls back to EVAL once if Redis does not know it yet (a restart, a flush), instead of the
 * whole script text with every call.
 */
function scripted(redis: Redis): Record<'rwPaceAcquire' | 'rwPaceTake' | 'rwPacePeek' | 'rwPaceRelease' | 'rwPaceRenew', Scripted> {
  const lua = { rwPaceAcquire: ACQUIRE, rwPaceTake: TAKE, rwPacePeek: PEEK, rwPaceRelease: RELEASE, rwPaceRenew: RENEW };
  for (const [name, script] of Object.entries(lua)) if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 2, lua: script });
  return redis as unknown as Record<keyof typeof lua, Scripted>;
}

export function createRedisPacer(redis: Redis, prefix: string, global: PaceLimits, leaseMs: number): Pacer {
  const run = scripted(redis);
  const k = {
    gSlots: `${prefix}:pace:slots:global`,
    cSlots: (c: string) => `${prefix}:pace:slots:c:${c}`,
    gBucket: `${prefix}:pace:bucket:global`,
    cBucket: (c: string) => `${prefix}:pace:bucket:c:${c}`,
  };
  return {
    async tryAcquire(campaignId, member, campaign) {
      const r = await run.rwPaceAcquire(k.gSlots, k.cSlots(campaignId), member, String(leaseMs), String(global.maxChannels), String(campaign.maxChannels));
      return Number(r);
    },
    async peek(campaignId, campaign, member = '') {
      const r = await run.rwPacePeek(k.gSlots, k.cSlots(campaignId), String(global.maxChannels), String(campaign.maxChannels), member);
      return Number(r);
    },
    async takeToken(campaignId, campaign) {
      const r = await run.rwPaceTake(k.gBucket, k.cBucket(campaignId), String(global.callsPerSecond), String(campaign.callsPerSecond));
      return Number(r);
    },
    async release(campaignId, member) {
      await run.rwPaceRelease(k.gSlots, k.cSlots(campaignId), member);
    },
    async renew(campaignId, member) {
      const n = await run.rwPaceRenew(k.gSlots, k.cSlots(campaignId), member, String(leaseMs));
      return Number(n) > 0;
    },
    async inUse(campaignId) {
      const key = campaignId === undefined ? k.gSlots : k.cSlots(campaignId);
      await redis.zremrangebyscore(key, '-inf', Date.now());
      return redis.zcard(key);
    },
  };
}
