import { Redis } from 'ioredis';
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
  const db = createPool(config.databaseUrl);
  db.on('error', (err) => log.error({ err }, 'idle postgres client error'));
  // BullMQ requires maxRetriesPerRequest: null on connections it blocks on.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  redis.on('error', (err) => log.error({ err }, 'redis error'));
  return {
    config,
    log,
    db,
    redis,
    metrics: new Metrics(),
    async close() {
      await Promise.allSettled([db.end(), redis.quit()]);
    },
  };
}
