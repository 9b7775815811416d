import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { createPool, type Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';

export const ROOT = join(import.meta.dirname, '..', '..');

/** The PostgreSQL server the benchmarks use (bench scripts may read the environment). */
export const PG_SERVER = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: `${PG_SERVER}/postgres` });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export interface BenchDb {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** A fresh, migrated database `ringwise_bench_<random>`, dropped afterwards. */
export async function createBenchDb(poolSize = 4): Promise<BenchDb> {
  const name = `ringwise_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = `${PG_SERVER}/${name}`;
  const db = createPool(url, poolSize);
  // An idle client killed under the pool (the final DROP ... WITH (FORCE), or someone's
  // pg_terminate_backend on a shared server) must not end the whole bench: the pool replaces it.
  db.on('error', (err) => process.stderr.write(`[bench] idle PostgreSQL client lost: ${err.message}\n`));
  await migrate(db, join(ROOT, 'migrations'));
  return {
    url,
    db,
    async drop() {
      await db.end();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
