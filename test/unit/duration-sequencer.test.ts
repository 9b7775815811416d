import { describe, expect, it } from 'vitest';
import { assignShards } from '../helpers/duration-sequencer.js';

describe('assignShards', () => {
  it('balances by time, not by count: one long file alone against many short ones', () => {
    const d = { 'test/e2e/long.test.ts': 60, 'test/integration/a.test.ts': 20, 'test/integration/b.test.ts': 20, 'test/integration/c.test.ts': 15 };
    const s = assignShards(Object.keys(d), d, 2);
    expect(s.get('test/e2e/long.test.ts')).toBe(1);
    expect(['a', 'b', 'c'].map((x) => s.get(`test/integration/${x}.test.ts`))).toEqual([2, 2, 2]);
  });

  it('gives every file exactly one shard, the same whatever order the files come in', () => {
    const paths = Array.from({ length: 30 }, (_, i) => (i % 3 ? `test/integration/f${i}.test.ts` : `test/e2e/f${i}.test.ts`));
    const a = assignShards(paths, {}, 3);
    const b = assignShards([...paths].reverse(), {}, 3);
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
    expect(new Set(a.values())).toEqual(new Set([1, 2, 3]));
    expect(a.size).toBe(30);
  });

  it('counts an unmeasured e2e file as longer than an unmeasured integration file', () => {
    const s = assignShards(['test/e2e/new.test.ts', 'test/integration/x.test.ts', 'test/integration/y.test.ts'], { 'test/integration/x.test.ts': 10 }, 2);
    expect(s.get('test/e2e/new.test.ts')).toBe(1);
    expect(s.get('test/integration/x.test.ts')).toBe(2);
    expect(s.get('test/integration/y.test.ts')).toBe(2);
  });
});
