import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Shards by measured duration instead of vitest's default (equal file counts, by path hash): the
 * integration and e2e files last from 0.2 s to over a minute, and equal counts left one shard
 * running 14 minutes while the other finished in 8. Each shard process computes the same split:
 * longest first, each file to the shard with the least time so far (`test/durations.json`, written
 * by `node --import tsx scripts/test-durations.ts <test.sh log>`; a file not in it counts as its kind's typical).
 */
const UNKNOWN_SECONDS = { e2e: 20, other: 2 };

export function loadDurations(root: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(join(root, 'test', 'durations.json'), 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

/** Which of `count` shards each file goes to (greedy longest-first; ties by path, so every process agrees). */
export function assignShards(paths: readonly string[], durations: Record<string, number>, count: number): Map<string, number> {
  const weight = (p: string) => durations[p] ?? (p.startsWith('test/e2e/') ? UNKNOWN_SECONDS.e2e : UNKNOWN_SECONDS.other);
  const order = [...paths].sort((a, b) => weight(b) - weight(a) || (a < b ? -1 : a > b ? 1 : 0));
  const load = new Array<number>(count).fill(0);
  const out = new Map<string, number>();
  for (const p of order) {
    const i = load.indexOf(Math.min(...load));
    out.set(p, i + 1);
    load[i]! += weight(p);
  }
  return out;
}

export class DurationSequencer extends BaseSequencer {
  override async shard(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { root, shard } = this.ctx.config;
    if (!shard) return files;
    const rel = (f: TestSpecification) => relative(root, f.moduleId).split('\\').join('/');
    const shards = assignShards(files.map(rel), loadDurations(root), shard.count);
    return files.filter((f) => shards.get(rel(f)) === shard.index);
  }
}
