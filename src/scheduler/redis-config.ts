import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.js';

/** What a queue's Redis should say, and why (BullMQ's production guide). */
const WANTED: Record<string, { value: string; why: string }> = {
  appendonly: { value: 'yes', why: 'without an append-only file a Redis restart loses every queued call' },
  'maxmemory-policy': { value: 'noeviction', why: 'an evicting Redis drops job keys when it is full: calls silently lost' },
};

export type RedisConfigCheck = { ok: true } | { ok: false; problems: string[] } | { ok: 'unknown'; reason: string };

/**
 * Reads the settings that keep queued jobs safe. Managed Redis services often disable CONFIG:
 * then nothing can be said (and nothing is wrong with asking).
 */
export async function checkRedisForQueues(redis: Pick<Redis, 'config'>): Promise<RedisConfigCheck> {
  const problems: string[] = [];
  try {
    for (const [key, want] of Object.entries(WANTED)) {
      const r = (await redis.config('GET', key)) as unknown as string[];
      const value = r[1];
      if (value === undefined) continue;
      if (value !== want.value) problems.push(`${key} is "${value}", want "${want.value}": ${want.why}`);
    }
  } catch (err) {
    return { ok: 'unknown', reason: err instanceof Error ? err.message : String(err) };
  }
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

/** At worker start: a warning per setting that puts queued calls at risk. Never fails the start. */
export async function warnIfRedisUnsafe(redis: Pick<Redis, 'config'>, log: Logger): Promise<RedisConfigCheck> {
  const r = await checkRedisForQueues(redis);
  if (r.ok === false) for (const p of r.problems) log.warn({ problem: p }, 'Redis is not configured for queues (see deploy/redis/ringwise.conf)');
  if (r.ok === 'unknown')
    log.info({ reason: r.reason }, 'Redis settings could not be read (CONFIG disabled?): make sure appendonly is yes and maxmemory-policy noeviction');
  return r;
}
