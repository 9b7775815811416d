import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importContacts, ImportInvalidError, type ImportDeps } from '../../../src/campaigns/import.service.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { createCampaign, snapshot } from './import.helpers.js';

const HEADER = 'external_id,name,phone\n';
const good = (i: number): string => `S-${i},Customer ${i},138${String(i).padStart(8, '0')}\n`;

/** A CSV body produced lazily; `hook` runs before the chunk with that index is produced. */
function csv(lines: string[], hook?: { at: number; run: () => Promise<void> }): Readable {
  return Readable.from(
    (async function* () {
      yield HEADER;
      for (let i = 0; i < lines.length; i++) {
        if (hook && i === hook.at) await hook.run();
        yield lines[i]!;
      }
    })(),
    { objectMode: false },
  );
}

describe('importContacts (service, real PostgreSQL)', () => {
  let t: TestDb;
  let deps: ImportDeps;
  beforeAll(async () => {
    t = await createTestDb();
    deps = { db: t.db, log: createLogger('silent'), defaultRegion: 'CN' };
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('reports the first 1,000 errors in row order with the exact count, duplicates included', async () => {
    const id = await createCampaign(t.db);
    const lines: string[] = [];
    for (let i = 1; i <= 3000; i++) {
      if (i % 2 === 0)
        lines.push(`S-${i},Customer ${i},12345\n`); // 1,500 bad numbers
      else if (i % 5 === 0)
        lines.push(`S-1,Again ${i},13800138000\n`); // 300 repeats of row 1
      else lines.push(good(i));
    }
    const before = await snapshot(t.db);
    const err = await importContacts(deps, { campaignId: id, format: 'csv', source: csv(lines) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportInvalidError);
    const details = (err as ImportInvalidError).details as { errors: Array<{ row: number; code: string }>; errorCount: number };
    expect(details.errorCount).toBe(1800);
    expect(details.errors).toHaveLength(1000);
    const rows = details.errors.map((e) => e.row);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(details.errors.slice(0, 4)).toEqual([
      expect.objectContaining({ row: 2, code: 'phone_too_short' }),
      expect.objectContaining({ row: 4, code: 'phone_too_short' }),
      expect.objectContaining({ row: 5, code: 'duplicate_row', message: 'external_id repeats row 1' }),
      expect.objectContaining({ row: 6, code: 'phone_too_short' }),
    ]);
    expect(await snapshot(t.db)).toEqual(before);
  });

  it('a duplicate of a row that was itself invalid is still reported', async () => {
    const id = await createCampaign(t.db);
    const err = await importContacts(deps, { campaignId: id, format: 'csv', source: csv(['D-1,,13800138000\n', 'D-1,Named,13800138001\n']) }).catch(
      (e: unknown) => e,
    );
    expect(((err as ImportInvalidError).details as { errors: unknown[] }).errors).toEqual([
      { row: 1, line: 2, field: 'name', code: 'required', message: 'name is required' },
      { row: 2, field: 'external_id', code: 'duplicate_row', message: 'external_id repeats row 1' },
    ]);
  });

  it('honours maxErrors', async () => {
    const id = await createCampaign(t.db);
    const lines = Array.from({ length: 50 }, (_, i) => `E-${i},,\n`);
    const err = (await importContacts({ ...deps, maxErrors: 10 }, { campaignId: id, format: 'csv', source: csv(lines) }).catch(
      (e: unknown) => e,
    )) as ImportInvalidError;
    const details = err.details as { errors: unknown[]; errorCount: number };
    expect(details.errors).toHaveLength(10);
    expect(details.errorCount).toBe(100);
  });

  it('a body cut off mid-way rolls everything back and leaves the pool healthy', async () => {
    const id = await createCampaign(t.db);
    const before = await snapshot(t.db);
    const lines = Array.from({ length: 20_000 }, (_, i) => good(i));
    const source = csv(lines, {
      at: 15_000,
      run: async () => {
        throw new Error('connection reset by peer');
      },
    });
    await expect(importContacts(deps, { campaignId: id, format: 'csv', source })).rejects.toThrow('connection reset by peer');
    expect(await snapshot(t.db)).toEqual(before);
    // Every pooled connection still works, and the next import goes through.
    await Promise.all(Array.from({ length: 20 }, () => t.db.query('SELECT 1')));
    const ok = await importContacts(deps, { campaignId: id, format: 'csv', source: csv(lines.slice(0, 100)) });
    expect(ok).toEqual({ imported: 100, updated: 0, duplicates: 0, rows: 100 });
  });

  it('refuses at merge time a campaign that was cancelled while the file was uploading', async () => {
    const id = await createCampaign(t.db, 'running');
    const before = await snapshot(t.db);
    const source = csv(
      Array.from({ length: 500 }, (_, i) => good(10_000 + i)),
      { at: 250, run: async () => void (await t.db.query(`UPDATE campaigns SET state = 'cancelled' WHERE id = $1`, [id])) },
    );
    await expect(importContacts(deps, { campaignId: id, format: 'csv', source })).rejects.toMatchObject({ code: 'campaign_not_importable', status: 409 });
    expect(await snapshot(t.db)).toEqual(before);
  });

  it('a failing beforeCommit hook (the audit row) rolls the import back', async () => {
    const id = await createCampaign(t.db);
    const before = await snapshot(t.db);
    const beforeCommit = async (): Promise<void> => {
      throw new Error('audit failed');
    };
    await expect(importContacts(deps, { campaignId: id, format: 'csv', source: csv([good(20_001)]), beforeCommit })).rejects.toThrow('audit failed');
    expect(await snapshot(t.db)).toEqual(before);
  });

  it('overlapping imports running at once both commit, each customer created once', async () => {
    const a = await createCampaign(t.db);
    const b = await createCampaign(t.db);
    const lines = Array.from({ length: 2000 }, (_, i) => good(30_000 + i));
    const [ra, rb] = await Promise.all([
      importContacts(deps, { campaignId: a, format: 'csv', source: csv(lines) }),
      importContacts(deps, { campaignId: b, format: 'csv', source: csv([...lines].reverse()) }),
    ]);
    expect(ra.imported + rb.imported).toBe(2000);
    expect(ra.imported + ra.updated).toBeLessThanOrEqual(2000);
    const { rows } = await t.db.query(`SELECT count(DISTINCT customer_id) AS n, count(*) AS contacts FROM campaign_contacts WHERE campaign_id IN ($1, $2)`, [
      a,
      b,
    ]);
    expect(rows[0]).toEqual({ n: 2000, contacts: 4000 });
  });
});
