import pg from 'pg';
import { AppError } from '../shared/errors.js';

export type Db = pg.Pool;
export type DbClient = pg.PoolClient;
/** Anything that can run a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

// Bigint counts come back as strings by default; our counts fit comfortably in a double.
pg.types.setTypeParser(20, (v) => Number(v));
// numeric (amounts) stays a string: money is never rounded through a float.

export function createPool(databaseUrl: string, max = 10): Db {
  return new pg.Pool({ connectionString: databaseUrl, max, application_name: 'ringwise' });
}

/** Postgres error codes that mean "try the whole transaction again". */
const RETRYABLE = new Set(['40001', '40P01']);

export async function withTransaction<T>(db: Db, fn: (client: DbClient) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (attempt < attempts && RETRYABLE.has(pgCode(err) ?? '')) {
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
        continue;
      }
      throw mapPgError(err);
    } finally {
      client.release();
    }
  }
}

export function pgCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/** One table decides what a database error means to a caller. */
export function mapPgError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const code = pgCode(err);
  const detail = typeof err === 'object' && err && 'constraint' in err ? { constraint: (err as { constraint?: string }).constraint } : undefined;
  switch (code) {
    case '23505':
      return new AppError('conflict', 'a record with the same key already exists', 409, detail);
    case '23503':
      return new AppError('reference_not_found', 'a referenced record does not exist', 422, detail);
    case '23514':
    case '22P02':
    case '22007':
    case '22008':
      return new AppError('invalid_value', 'a value was rejected by the database', 422, detail);
    default:
      return err;
  }
}
