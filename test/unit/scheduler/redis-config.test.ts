import { describe, expect, it } from 'vitest';
import { checkRedisForQueues } from '../../../src/scheduler/redis-config.js';

const fake = (settings: Record<string, string> | Error) => ({
  config: (async (_op: string, key: string) => {
    if (settings instanceof Error) throw settings;
    return key in settings ? [key, settings[key]] : [];
  }) as never,
});

describe('checkRedisForQueues', () => {
  it('is happy with an append-only, non-evicting Redis', async () => {
    expect(await checkRedisForQueues(fake({ appendonly: 'yes', 'maxmemory-policy': 'noeviction' }))).toEqual({ ok: true });
  });

  it('names each setting that puts queued calls at risk', async () => {
    const r = await checkRedisForQueues(fake({ appendonly: 'no', 'maxmemory-policy': 'allkeys-lru' }));
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.problems).toEqual([expect.stringContaining('appendonly is "no"'), expect.stringContaining('maxmemory-policy is "allkeys-lru"')]);
  });

  it('tolerates CONFIG being disabled (managed Redis)', async () => {
    expect(await checkRedisForQueues(fake(new Error("ERR unknown command 'CONFIG'")))).toEqual({ ok: 'unknown', reason: "ERR unknown command 'CONFIG'" });
  });
});
