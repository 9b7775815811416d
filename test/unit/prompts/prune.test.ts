import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pruneRenderedPrompts } from '../../../src/prompts/prompt.prune.js';
import { renderPromptAudio } from '../../../src/prompts/prompt.render.js';
import { wavFromPcm } from '../../../src/prompts/wav.js';
import { createLogger } from '../../../src/shared/logger.js';

const DAY = 86_400_000;
const log = createLogger('silent');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ringwise-prune-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, ageMs: number): Promise<void> {
  const p = join(dir, name);
  await writeFile(p, 'x');
  const t = new Date(Date.now() - ageMs);
  await utimes(p, t, t);
}

describe('pruneRenderedPrompts', () => {
  it('deletes old renders and stale temp files, keeps uploads, recent renders and anything else', async () => {
    const [oldRender, newRender, upload] = ['a', 'b', 'c'].map((c) => `${c.repeat(64)}.wav`) as [string, string, string];
    await file(oldRender, 10 * DAY);
    await file(newRender, DAY);
    await file(upload, 100 * DAY);
    await file(`${newRender}.123.abc.tmp`, 2 * 3_600_000);
    await file(`${newRender}.456.def.tmp`, 60_000);
    await file('readme.txt', 100 * DAY);
    const r = await pruneRenderedPrompts({ promptDir: dir, olderThanMs: 7 * DAY, keep: new Set([upload]), log });
    expect(r).toEqual({ deleted: 2, kept: 2 });
    expect((await readdir(dir)).sort()).toEqual([newRender, `${newRender}.456.def.tmp`, upload, 'readme.txt'].sort());
  });

  it('a render that was used is touched, so it survives', async () => {
    let calls = 0;
    const deps = {
      tts: { id: 't', synthesize: async () => (calls++, wavFromPcm(Buffer.alloc(800, 0x40))) },
      promptDir: dir,
      promptDirOnAsterisk: '/p',
      log,
    };
    const prompt = { 'en-US': { segments: [{ type: 'tts', text: 'hello' }] } };
    const customer = { name: 'x', amountDue: null, currency: null, dueDate: null, daysPastDue: null };
    const bank = { name: 'b', callbackNumber: '1' };
    const r = await renderPromptAudio(deps, prompt, customer, 'en-US', bank);
    const name = `${r.media[0]!.split('/').pop()}.wav`;
    const old = new Date(Date.now() - 30 * DAY);
    await utimes(join(dir, name), old, old);
    await renderPromptAudio(deps, prompt, customer, 'en-US', bank);
    expect(calls).toBe(1);
    // The sentence and its one piece ("hello").
    expect(await pruneRenderedPrompts({ promptDir: dir, olderThanMs: 7 * DAY, keep: new Set(), log })).toEqual({ deleted: 0, kept: 2 });
    expect(await pruneRenderedPrompts({ promptDir: join(dir, 'missing'), olderThanMs: 1, keep: new Set(), log })).toEqual({ deleted: 0, kept: 0 });
  });
});
