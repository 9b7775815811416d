import { maskPhone } from '../shared/redact.js';
import type { Queryable } from '../store/db.js';
import { listCallsAsc, type CallFilter, type CallRow, type Keyset } from './calls.repo.js';
import type { CallScope } from '../auth/roles.js';

export const CSV_COLUMNS: readonly (keyof CallRow)[] = [
  'id', 'campaignId', 'contactId', 'customerId', 'attemptNo', 'phone', 'state', 'outcome', 'cause', 'techCause',
  'amdStatus', 'amdCause', 'digits', 'connected', 'agentId', 'promptVersion', 'workerId', 'queuedAt', 'reservedAt',
  'originatedAt', 'answeredAt', 'bridgedAt', 'endedAt', 'ringMs', 'talkMs',
];

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = v instanceof Date ? v.toISOString() : String(v);
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
  yield csvLine(CSV_COLUMNS.map(snake));
  let after: Keyset | null = null;
  for (;;) {
    const rows = await listCallsAsc(q, opts.scope, f, after, batch);
    if (rows.length === 0) return;
    let chunk = '';
    for (const r of rows) {
      chunk += csvLine(CSV_COLUMNS.map((c) => (c === 'phone' && opts.maskPhones ? maskPhone(r.phone) : r[c])));
    }
    yield chunk;
    const last = rows[rows.length - 1]!;
    after = { at: last.cursorAt, id: last.id };
    if (rows.length < batch) return;
  }
}
