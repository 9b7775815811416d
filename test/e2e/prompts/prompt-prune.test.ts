import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaultHarness, type FaultHarness } from '../faults/fault-harness.js';
import { waitFor } from '../dialer/dialer-harness.js';

const HOUR = 3_600_000;

/**
 * Rendered speech carries customers' names and amounts: a real worker deletes what no call has
 * used for RINGWISE_PROMPT_RETENTION_HOURS when it starts (then hourly), and keeps uploads.
 */
describe('e2e: the worker prunes rendered prompts', () => {
  let h: FaultHarness;
  let dir: string;

  beforeAll(async () => {
    h = await createFaultHarness();
    dir = await mkdtemp(join(tmpdir(), 'ringwise-prompt-prune-'));
  });
  afterAll(async () => {
    await h?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('deletes renders unused for longer than the retention, keeps recent ones and uploaded recordings', async () => {
    const [old, recent, upload] = ['a', 'b', 'c'].map((c) => `${c.repeat(64)}.wav`) as [string, string, string];
    const put = async (name: string, ageMs: number) => {
      await writeFile(join(dir, name), 'x');
      const t = new Date(Date.now() - ageMs);
      await utimes(join(dir, name), t, t);
    };
    await put(old, 30 * HOUR);
    await put(recent, 2 * HOUR);
    await put(upload, 300 * HOUR);
    await h.tdb.db.query(`INSERT INTO prompts (name, locale, kind, audio_file, content_hash) VALUES ('greeting', 'en-US', 'audio', $1, $2)`, [
      upload,
      'c'.repeat(64),
    ]);

    const w = h.spawn({ RINGWISE_PROMPT_DIR: dir, RINGWISE_PROMPT_RETENTION_HOURS: '24' });
    await waitFor('the prune to run', async () => w.log().includes('pruned rendered prompts'), 30_000, 100);
    expect((await readdir(dir)).sort()).toEqual([recent, upload].sort());
    const line = w
      .log()
      .split('\n')
      .find((l) => l.includes('pruned rendered prompts'));
    expect(JSON.parse(line!)).toMatchObject({ deleted: 1, kept: 1 });
  });
});
