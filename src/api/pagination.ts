import { Type, type TSchema } from '@sinclair/typebox';
import { AppError } from '../shared/errors.js';

/**
 * Cursors are opaque to clients: base64url JSON of the last row's sort key. A tampered or
 * foreign cursor is a 400, never a 500.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export class InvalidCursorError extends AppError {
  constructor() {
    super('invalid_cursor', 'cursor is not one this API issued', 400);
    this.name = 'InvalidCursorError';
  }
}

/** Decodes a cursor and checks each position's type ('number' = safe integer, 'string'). */
export function decodeCursor<T extends readonly ('number' | 'string')[]>(
  cursor: string,
  shape: T,
): { [K in keyof T]: T[K] extends 'number' ? number : string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length) throw new InvalidCursorError();
  parsed.forEach((v, i) => {
    const ok = shape[i] === 'number' ? Number.isSafeInteger(v) : typeof v === 'string' && v.length <= 200;
    if (!ok) throw new InvalidCursorError();
  });
  return parsed as { [K in keyof T]: T[K] extends 'number' ? number : string };
}

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'page size (1-500)' })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 400, description: 'nextCursor from the previous page' })),
};

/** `{ items, nextCursor }`: nextCursor is null on the last page. */
export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false });
}
export type PageOf<T> = { items: T[]; nextCursor: string | null };

/** Fetch limit + 1 rows, then call this: it trims the extra row and builds the next cursor. */
export function pageOf<R, T>(rows: R[], limit: number, key: (row: R) => readonly (string | number)[], map: (row: R) => T): PageOf<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: more && last !== undefined ? encodeCursor(key(last)) : null };
}
