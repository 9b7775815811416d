import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SpeechLocale } from './speak.words.js';

export const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/** The cache key of one spoken text: engine (with its settings), locale and the exact words. */
export function ttsHash(engineId: string, locale: SpeechLocale, text: string): string {
  return sha256(`${engineId}\n${locale}\n${text}`);
}

/**
 * Writes `bytes` to `dir/name` so that a reader (Asterisk) never sees a partial file: a unique
 * temporary name in the same folder, then rename, which replaces atomically. Two writers of the
 * same content-addressed name both succeed and leave one whole file.
 */
export async function writeFileAtomic(dir: string, name: string, bytes: Buffer): Promise<void> {
  const final = join(dir, name);
  const tmp = `${final}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    try {
      await writeFile(tmp, bytes, { mode: 0o644 });
    } catch (err) {
      // The folder is made on the first write only (one syscall fewer on every call's sentence).
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(dir, { recursive: true });
      await writeFile(tmp, bytes, { mode: 0o644 });
    }
    await rename(tmp, final);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Whether `path` is a non-empty file. */
export async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}

/** Marks a cached file as used now (pruneRenderedPrompts drops what no call needed for a while); false if it is gone. */
export async function touch(file: string): Promise<boolean> {
  try {
    const now = new Date();
    await utimes(file, now, now);
    return true;
  } catch {
    return false;
  }
}
