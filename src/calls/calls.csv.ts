import { maskPhone } from '../shared/redact.js';
import type { Queryable } from '../store/db.js';
import { listCallsAsc, type CallFilter, type CallRow, type Keyset } from './calls.repo.js';
import type { CallScope } from '../auth/roles.js';

export const CSV_COLUMNS: readonly (keyof CallRow)[] = [
  'id',
  'campaignId',
  'contactId',
  'customerId',
  'attemptNo',
  'phone',
  'state',
  'outcome',
  'cause',
  'techCause',
  'amdStatus',
  'amdCause',
  'digits',
  'connected',
  'agentId',
  'promptVersion',
  'workerId',
  'queuedAt',
  'reservedAt',
  'originatedAt',
  'answeredAt',
  'bridgedAt',
  'endedAt',
  'ringMs',
  'talkMs',
];

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A cell a spreadsheet would read as a formula (OWASP's list of trigger characters). */
const FORMULA_START = /^[=+\-@\t\r]/;
/**
 * Sign, digits, dots and asterisks only: E.164 numbers (`+8613800138000`) and masked ones
 * (`+86***00`). Read as a formula such a cell is plain arithmetic: it cannot call a function,
 * reach another cell or start a program, so it is left exactly as it is for the scripts and
 * databases that read the export.
 */
const INERT_NUMBER = /^[+-]?[0-9][0-9.*]*$/;

/**
 * RFC 4180 field, safe to open in a spreadsheet (OWASP CSV injection): a cell starting with
 * = + - @ TAB or CR gets a leading apostrophe unless it is an inert number; quoted when it holds
 * a comma, quote or line break.
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = v instanceof Date ? v.toISOString() : String(v);
  if (FORMULA_START.test(s) && !INERT_NUMBER.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly unknown[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

/**
 * The export, one keyset batch at a time on pooled connections: memory stays at one batch
 * whatever the ledger's size, and no transaction is held open while a slow client reads.
 */
export async function* callsCsv(q: Queryable, f: CallFilter, opts: { scope: CallScope; maskPhones: boolean; batchSize?: number }): AsyncGenerator<string> {
  const batch = opts.batchSize ?? 1000;
  let after: Keyset | null = null;
  // The header goes out with the first batch: a query that fails does so before anything was
  // sent, so the caller still answers with an error status instead of a truncated 200.
  let chunk = csvLine(CSV_COLUMNS.map(snake));
  for (;;) {
    const rows = await listCallsAsc(q, opts.scope, f, after, batch);
    if (rows.length === 0) {
      if (chunk) yield chunk;
      return;
    }
    for (const r of rows) {
      chunk += csvLine(CSV_COLUMNS.map((c) => (c === 'phone' && opts.maskPhones ? maskPhone(r.phone) : r[c])));
    }
    yield chunk;
    chunk = '';
    const last = rows[rows.length - 1]!;
    after = { at: last.cursorAt, id: last.id };
    if (rows.length < batch) return;
  }
}
