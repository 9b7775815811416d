import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Queryable } from '../../../src/store/db.js';
import { loadConfig } from '../../../src/config.js';
import { testEnv } from '../../helpers/sandbox-env.js';

/** A real Redis connection under a fresh key prefix, removed with everything under it. */
export async function testRedis(): Promise<{ redis: Redis; prefix: string; close(): Promise<void> }> {
  const redis = new Redis(loadConfig(testEnv()).redisUrl, { maxRetriesPerRequest: null });
  const prefix = `rwt-sch-${randomBytes(4).toString('hex')}`;
  return {
    redis,
    prefix,
    async close() {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}

export interface SeedCustomer {
  externalId: string;
  phones: string[];
  daysPastDue?: number | null;
  riskTier?: 'low' | 'medium' | 'high' | null;
  amountDue?: string | null;
  riskScore?: number | null;
  dueDate?: string | null;
}

export async function seedCustomers(q: Queryable, list: SeedCustomer[]): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  for (const c of list) {
    const r = await q.query<{ id: number }>(
      `INSERT INTO customers (external_id, name, phones, time_zone, locale, amount_due, currency, due_date, days_past_due, risk_tier, risk_score)
       VALUES ($1, 'Test Customer', $2, 'Asia/Shanghai', 'en-US', $3, 'CNY', $4, $5, $6, $7) RETURNING id`,
      [c.externalId, c.phones, c.amountDue ?? '100.00', c.dueDate ?? null, c.daysPastDue ?? null, c.riskTier ?? null, c.riskScore ?? null],
    );
    ids[c.externalId] = r.rows[0]!.id;
  }
  return ids;
}

export const TEMPLATE = {
  prompt: { 'en-US': { segments: [{ type: 'sound', name: 'hello-world' }] } },
  callerId: '+8695500',
  maxConcurrent: 5,
  callsPerSecond: 5,
};
