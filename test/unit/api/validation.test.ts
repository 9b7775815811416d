import { describe, expect, it } from 'vitest';
import { findNul } from '../../../src/api/validation.js';
import { decodeCursor, encodeCursor, pageOf } from '../../../src/api/pagination.js';

describe('findNul', () => {
  it('finds NUL anywhere and reports where', () => {
    expect(findNul({ a: 'ok', b: [1, 'x', { c: 'y' }] })).toBeNull();
    expect(findNul('a\u0000')).toBe('');
    expect(findNul({ a: { b: ['ok', 'n\u0000'] } })).toBe('/a/b/1');
    expect(findNul({ ['k\u0000']: 1 })).toBe('/k\u0000');
    expect(findNul(null)).toBeNull();
    expect(findNul(5)).toBeNull();
  });
});

describe('cursors', () => {
  it('round-trip and refuse anything else', () => {
    const c = encodeCursor(['2026-11-01 10:00:00.123456+00', 'abc']);
    expect(decodeCursor(c, ['string', 'string'] as const)).toEqual(['2026-11-01 10:00:00.123456+00', 'abc']);
    expect(decodeCursor(encodeCursor([42]), ['number'] as const)).toEqual([42]);
    for (const bad of ['!!!', encodeCursor(['x']), encodeCursor([1, 2]), Buffer.from('{"a":1}').toString('base64url'), encodeCursor([1.5])]) {
      expect(() => decodeCursor(bad, ['number'] as const)).toThrow(/cursor/);
    }
  });

  it('pageOf trims the look-ahead row and points at the last kept one', () => {
    const p = pageOf(
      [{ id: 5 }, { id: 4 }, { id: 3 }],
      2,
      (r) => [r.id],
      (r) => r.id,
    );
    expect(p.items).toEqual([5, 4]);
    expect(decodeCursor(p.nextCursor!, ['number'] as const)).toEqual([4]);
    expect(
      pageOf(
        [{ id: 1 }],
        2,
        (r) => [r.id],
        (r) => r.id,
      ).nextCursor,
    ).toBeNull();
  });
});
