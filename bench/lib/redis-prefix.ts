import { Redis } from 'ioredis';
import { sandboxEnv } from '../../test/helpers/sandbox-env.js';

/** Deletes every key under a bench run's own queue prefix (jobs, pacing, events). */
export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(sandboxEnv().REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}
