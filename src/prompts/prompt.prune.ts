import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../shared/logger.js';
import type { Queryable } from '../store/db.js';
import { audioFileNames } from './prompts.repo.js';

export interface PruneOptions {
  promptDir: string;
  /** Rendered speech not played for this long is deleted (it carries names and amounts). */
  olderThanMs: number;
  /** File names to keep whatever their age: uploaded recordings (`audioFileNames`). */
  keep: ReadonlySet<string>;
  log: Logger;
  now?: Date;
}

const RENDERED = /^[0-9a-f]{64}\.wav$/;
const TEMP = /\.tmp$/;
const TEMP_MAX_AGE_MS = 60 * 60 * 1000;

/**
 * Deletes cached TTS renders that no call has used for `olderThanMs` (renders are touched on
 * every cache hit), and temporary files left by crashed writers. Uploaded recordings are kept.
 * A render is re-created if it is needed again, so the only cost of pruning is one TTS run.
 */
export async function pruneRenderedPrompts(opts: PruneOptions): Promise<{ deleted: number; kept: number }> {
  const now = (opts.now ?? new Date()).getTime();
  let names: string[];
  try {
    names = await readdir(opts.promptDir);
  } catch {
    return { deleted: 0, kept: 0 };
  }
  let deleted = 0;
  let kept = 0;
  for (const name of names) {
    const rendered = RENDERED.test(name) && !opts.keep.has(name);
    const temp = TEMP.test(name);
    if (!rendered && !temp) continue;
    const path = join(opts.promptDir, name);
    const st = await stat(path).catch(() => undefined);
    if (!st?.isFile()) continue;
    const age = now - st.mtimeMs;
    if (age > (temp ? TEMP_MAX_AGE_MS : opts.olderThanMs)) {
      await unlink(path).then(
        () => deleted++,
        () => undefined,
      );
    } else kept++;
  }
  opts.log.info({ deleted, kept, promptDir: opts.promptDir }, 'pruned rendered prompts');
  return { deleted, kept };
}

const PRUNE_EVERY_MS = 60 * 60_000;

/**
 * The worker's hourly prune of rendered speech (names, amounts, dates: personal data that must
 * not outlive its use), keeping uploaded recordings. Several workers sharing a folder may all
 * run it: deleting what another already deleted is harmless.
 */
export function startPromptPrune(opts: { db: Queryable; promptDir: string; retentionHours: number; log: Logger }): { close(): void } {
  const run = () =>
    void audioFileNames(opts.db)
      .then((keep) => pruneRenderedPrompts({ promptDir: opts.promptDir, olderThanMs: opts.retentionHours * 3_600_000, keep, log: opts.log }))
      .catch((err: unknown) => opts.log.error({ err }, 'rendered prompt prune failed'));
  const timer = setInterval(run, PRUNE_EVERY_MS);
  timer.unref();
  run();
  return { close: () => clearInterval(timer) };
}
