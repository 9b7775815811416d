import pg from 'pg';
import { AppError } from '../shared/errors.js';

export type Db = pg.Pool;
export type DbClient = pg.PoolClient;
/** Anything that can run a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

// Bigint counts come back as strings by default; our counts fit comfortably in a double.
pg.types.setTypeParser(20, (v) => Number(v));
// numeric (amounts) stays a string: money is never rounded through a float.

// How long a statement keeps being retried while PostgreSQL connections are being replaced.
const CONNECTION_RETRY_MS = 20_000;

/**
 * The pool. A statement run on the pool (not inside a transaction) whose connection is lost
 * (the server restarted, a failover, an admin's pg_terminate_backend) is sent again on a new
 * connection for up to 20 s: the server rolled it back with the session, and the ledger's
 * writes are conditional (`WHERE state <> 'ended'` ...), so a second try changes nothing twice.
 * Without it, a call that ends while the connections are cut would leave its row live.
 */
export function createPool(databaseUrl: string, max = 10, opts: { prepare?: boolean } = {}): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, application_name: 'ringwise' });
  // A checked-out client whose connection dies emits 'error' with nobody listening (the pool
  // listens to idle ones only), which would kill the process; the failing query reports it.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    if (opts.prepare !== false) prepareStatements(client);
  });
  const raw = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  (pool as { query: unknown }).query = async (...args: unknown[]) => {
    if (typeof args[args.length - 1] === 'function') return raw(...args);
    const deadline = Date.now() + CONNECTION_RETRY_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        return await raw(...args);
      } catch (err) {
        if (!isConnectionLoss(err) || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, Math.min(1_000, 50 * 2 ** attempt)));
      }
    }
  };
  return pool;
}

/** Statement names by SQL text, shared by every connection of the process. */
const statementNames = new Map<string, string>();
// Texts built at run time (a placeholder per row) must not each become a prepared statement.
const MAX_NAMED_STATEMENTS = 1_000;
// The server forgot the statement (a pooler's DISCARD ALL) or a migration changed what it returns.
const STALE_STATEMENT = new Set(['26000', '0A000']);

function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `rw${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Every parameterised statement runs as a named prepared statement on its connection: the
 * server parses and plans it once per connection instead of once per run, and the client sends
 * Bind/Execute only. A call runs about fifteen statements, so this is most of PostgreSQL's
 * CPU per call. Texts are the code's own (parameters are never interpolated), so the names stay
 * few; a statement the server no longer knows is sent once more unnamed. Off with
 * RINGWISE_PG_PREPARE=false (a transaction-mode pooler without prepared-statement support).
 */
function prepareStatements(client: pg.PoolClient): void {
  type Cb = (err: Error | null, res?: unknown) => void;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    const name = typeof text === 'string' && Array.isArray(values) ? statementName(text) : undefined;
    if (name === undefined) return query(...args);
    const named = { name, text, values };
    const unnamed = { text, values };
    const cb = args[2] as Cb | undefined;
    if (typeof cb === 'function') {
      return query(named, (err: Error | null, res?: unknown) => (err && STALE_STATEMENT.has(pgCode(err) ?? '') ? query(unnamed, cb) : cb(err, res)));
    }
    return (query(named) as Promise<unknown>).catch((err: unknown) => {
      if (STALE_STATEMENT.has(pgCode(err) ?? '')) return query(unnamed);
      throw err;
    });
  };
}

// admin_shutdown (pg_terminate_backend), crash_shutdown, cannot_connect_now, connection_exception...
const CONNECTION_LOST = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);

/** The connection went away under the statement (it was rolled back): safe to run again. */
export function isConnectionLoss(err: unknown): boolean {
  const code = pgCode(err);
  if (code !== undefined && CONNECTION_LOST.has(code)) return true;
  const msg = err instanceof Error ? err.message : '';
  return /Connection terminated|connection error|ECONNRESET|ECONNREFUSED|terminating connection/i.test(msg);
}

/** Postgres error codes that mean "try the whole transaction again". */
const RETRYABLE = new Set(['40001', '40P01']);

export async function withTransaction<T>(db: Db, fn: (client: DbClient) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await db.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      broken = isConnectionLoss(err);
      await client.query('ROLLBACK').catch(() => undefined);
      // A lost connection rolled the whole transaction back: run it again on a new one.
      if (attempt < attempts && (RETRYABLE.has(pgCode(err) ?? '') || isConnectionLoss(err))) {
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
        continue;
      }
      throw mapPgError(err);
    } finally {
      // A client whose connection died is destroyed, not given back to the pool.
      client.release(broken || undefined);
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
