import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../../src/store/migrate.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { ROOT } from '../../helpers/sandbox-env.js';

describe('migration runner (real PostgreSQL)', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('is a no-op on an up-to-date database, even with racing migrators', async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => migrate(t.db, join(ROOT, 'migrations'))));
    expect(results.flat()).toEqual([]);
    const { rows } = await t.db.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows[0].version).toBe(1);
  });

  it('applies each migration exactly once when several migrators race on an empty schema', async () => {
    await t.db.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    const results = await Promise.all([1, 2, 3, 4].map(() => migrate(t.db, join(ROOT, 'migrations'))));
    const applied = results.flat();
    const { rows } = await t.db.query('SELECT name FROM schema_migrations ORDER BY version');
    expect(applied.sort()).toEqual(rows.map((r) => r.name).sort());
  });
});
