// Writes test/durations.json (seconds per integration/e2e file) from a scripts/test.sh log, for
// test/helpers/duration-sequencer.ts to split the shards by time:
//   bash scripts/test.sh > /tmp/test.log 2>&1; node --import tsx scripts/test-durations.ts /tmp/test.log
// Files not in the log keep their old figure; rounded to whole seconds (the split needs no more).
import { readFileSync, writeFileSync } from 'node:fs';

const log = process.argv[2];
if (!log) {
  console.error('usage: node --import tsx scripts/test-durations.ts <test.sh log>');
  process.exit(2);
}
const out = new URL('../test/durations.json', import.meta.url);
let old: Record<string, number> = {};
try {
  old = JSON.parse(readFileSync(out, 'utf8'));
} catch {
  // first run
}
// "[shard 1]  ✓  integration  test/e2e/x.test.ts (6 tests) 37532ms" (colours stripped; ❯ on a
// failure; ↓ for a file skipped there, which costs its shard nothing). Only the shards' part of
// the log: the compose smoke test runs apart, after them, and its file is skipped in the shards.
const line = /\s(✓|❯|×|↓)\s+integration\s+(test\/\S+\.test\.ts) \(\d+ tests?[^)]*\)(?:\s+(\d+)ms)?/;
const found: Record<string, number> = {};
for (const raw of readFileSync(log, 'utf8').split('\n')) {
  // eslint-disable-next-line no-control-regex -- the log's colour codes
  const text = raw.replace(/\x1b\[[0-9;]*m/g, '');
  if (text.startsWith('== compose smoke test ==')) break;
  const m = line.exec(text);
  if (m) found[m[2]!] = m[1] === '↓' ? 0 : Math.max(1, Math.round(Number(m[3] ?? 0) / 1000));
}
const merged = Object.fromEntries(Object.entries({ ...old, ...found }).sort(([a], [b]) => (a < b ? -1 : 1)));
writeFileSync(out, JSON.stringify(merged, null, 2) + '\n');
console.log(`${Object.keys(found).length} files measured, ${Object.keys(merged).length} in test/durations.json`);
