import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db, DbClient } from './db.js';
import type { Logger } from '../shared/logger.js';

// Any 64-bit constant works; it only has to be the same for every migrator of this schema.
const MIGRATION_LOCK_ID = 7_300_417_001;

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
}

export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  const out: MigrationFile[] = [];
  for (const f of files) {
    out.push({ version: Number(f.slice(0, 4)), name: f, sql: await readFile(join(dir, f), 'utf8') });
  }
  out.forEach((m, i) => {
    const prev = out[i - 1];
    if (prev && prev.version === m.version) throw new Error(`migrations ${prev.name} and ${m.name} share version ${m.version}`);
  });
  return out;
}

/**
 * Applies pending migrations, each in its own transaction under a transaction-scoped advisory
 * lock, recording itself first so two migrators racing cannot both apply it. Forward only.
 */
export async function migrate(db: Db, dir: string, log?: Logger): Promise<string[]> {
  const migrations = await readMigrations(dir);
  const applied: string[] = [];
  // CREATE TABLE IF NOT EXISTS is itself racy (two sessions can both try to create the type),
  // so the bookkeeping table is created under the same lock as the migrations.
  await locked(db, (client) =>
    client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`),
  );
  for (const m of migrations) {
    try {
      await locked(db, async (client) => {
        const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
        if (done.rowCount !== 0) return;
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query(m.sql);
        applied.push(m.name);
        log?.info({ migration: m.name }, 'migration applied');
      });
    } catch (err) {
      throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
    }
  }
  return applied;
}

async function locked<T>(db: Db, fn: (client: DbClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
