import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from './config.js';
import { createPool, type Db } from './store/db.js';
import { createLogger, type Logger } from './shared/logger.js';
import { Metrics } from './observability/metrics.js';

/** What every command needs, built once in main and passed down; nothing is global. */
export interface Deps {
  config: Config;
  log: Logger;
  db: Db;
  redis: Redis;
  /** The process's metrics registry: modules register counters and gauges; the API serves /metrics. */
  metrics: Metrics;
  close(): Promise<void>;
}

export function createDeps(config: Config, log: Logger = createLogger(config.logLevel)): Deps {
  const db = createPool(config.databaseUrl, 10, { prepare: config.pgPrepare });
  db.on('error', (err) => log.error({ err }, 'idle postgres client error'));
  // BullMQ requires maxRetriesPerRequest: null on connections it blocks on.
  const redis = new Redis(config.redisUrl, { ...redisOptions(config), maxRetriesPerRequest: null, lazyConnect: true });
  redis.on('error', (err) => log.error({ err }, 'redis error'));
  return {
    config,
    log,
    db,
    redis,
    metrics: new Metrics({ defaults: true }),
    async close() {
      await Promise.allSettled([db.end(), redis.quit()]);
    },
  };
}

/**
 * Password and TLS come from the URL (`redis://:pw@host`, `rediss://...`); a private CA for
 * Redis's certificate from REDIS_TLS_CA_FILE. Every other Redis connection (BullMQ's, the
 * event subscribers') is a duplicate of this one and inherits it.
 */
export function redisOptions(config: Pick<Config, 'redisUrl' | 'redisCaFile'>): RedisOptions {
  if (!config.redisUrl.startsWith('rediss:') || !config.redisCaFile) return {};
  return { tls: { ca: readFileSync(config.redisCaFile) } };
}
