import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { createPool, type Db } from '../../src/store/db.js';

export const TEMPLATE_DB = 'ringwise_test_template';

/** Server URL without a database (the maintenance database is `postgres`). */
export function serverUrl(): string {
  return process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
}

export function dbUrl(name: string): string {
  return `${serverUrl()}/${name}`;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: dbUrl('postgres') });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface TestDb {
  name: string;
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** A fresh database cloned from the migrated template: each test file gets its own. */
export async function createTestDb(): Promise<TestDb> {
  const name = `ringwise_t_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`));
  const url = dbUrl(name);
  const db = createPool(url, 20);
  return {
    name,
    url,
    db,
    async drop() {
      await db.end();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

export async function recreateTemplate(migrateFn: (db: Db) => Promise<unknown>): Promise<void> {
  await admin(async (c) => {
    // Leftovers from interrupted runs would slowly fill the server.
    const old = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'ringwise_t\\_%'`);
    for (const r of old.rows) await c.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
    await c.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  });
  const db = createPool(dbUrl(TEMPLATE_DB), 2);
  try {
    await migrateFn(db);
  } finally {
    await db.end();
  }
}
