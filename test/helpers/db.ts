import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createPool, type Db } from '../../src/store/db.js';

/**
 * Test databases are named `ringwise_t_<unix seconds>_<random>`: each run migrates its own
 * template and each test file clones it, so two runs on one server (a developer's and CI's)
 * never touch each other's databases. The timestamp lets a run drop only what an interrupted
 * run left behind long ago.
 */
const PREFIX = 'ringwise_t_';
const STALE_AFTER_SECONDS = 6 * 3600;

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
  }
}

/** Server URL without a database (the maintenance database is `postgres`). */
export function serverUrl(): string {
  return process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
}

export function dbUrl(name: string): string {
  return `${serverUrl()}/${name}`;
}

export function newTestDbName(now = Date.now()): string {
  return `${PREFIX}${Math.floor(now / 1000)}_${randomBytes(5).toString('hex')}`;
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

/** A fresh database cloned from this run's migrated template: each test file gets its own. */
export async function createTestDb(): Promise<TestDb> {
  const template = inject('templateDb');
  const name = newTestDbName();
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = dbUrl(name);
  const db = createPool(url, 20);
  return {
    name,
    url,
    db,
    async drop() {
      await db.end();
      // pool.end() resolves before its sockets have closed: FORCE would kill backends still
      // saying goodbye, and their clients (no longer in the pool, so nobody listens) report it
      // as an unhandled error that fails the run. Connections another pool leaked still go.
      await admin(async (c) => {
        for (let i = 0; i < 100; i++) {
          const r = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`, [name]);
          if (r.rows[0]!.n === 0) return;
          await new Promise((res) => setTimeout(res, 20));
        }
      });
      await dropDb(name);
    },
  };
}

export async function dropDb(name: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Creates and migrates this run's template; drops test databases older than six hours. */
export async function createTemplate(migrateFn: (db: Db) => Promise<unknown>): Promise<string> {
  const name = newTestDbName();
  await admin(async (c) => {
    const old = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'ringwise\\_t\\_%'`);
    const cutoff = Date.now() / 1000 - STALE_AFTER_SECONDS;
    for (const { datname } of old.rows) {
      const born = Number(/^ringwise_t_(\d+)_/.exec(datname)?.[1] ?? 0);
      if (born < cutoff) await c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
    await c.query(`CREATE DATABASE ${name}`);
  });
  const db = createPool(dbUrl(name), 2);
  try {
    await migrateFn(db);
  } finally {
    await db.end();
  }
  return name;
}
