import { parse } from 'csv-parse/sync';
import { AppError, ConflictError, ValidationError } from '../shared/errors.js';
import { withTransaction, type Db, type Queryable } from '../store/db.js';
import {
  insertPayments,
  selectCustomerIdsByExternalId,
  selectExistingCustomerIds,
  selectPaymentsByReference,
  type NewPayment,
  type PaymentRow,
} from './payments.repo.js';
import { checkPayment, CSV_LABELS, samePayment, type CheckedPayment, type PaymentLabels, type PaymentRowError, type RawPayment } from './payments.validate.js';

export interface PaymentsDeps {
  db: Db;
  now?: () => Date;
}

export interface RecordRequest {
  rows: RawPayment[];
  source: 'api' | 'import';
  labels: PaymentLabels;
  createdBy: number | null;
  /** Inside the transaction, right before COMMIT (the audit row). */
  beforeCommit?: (q: Queryable, summary: PaymentSummary) => Promise<void>;
}

export interface PaymentSummary {
  rows: number;
  inserted: number;
  /** Rows whose reference was already stored for the same payment (a retry or a re-import). */
  duplicates: number;
  /** Customers that got a new payment (their risk is recomputed after the commit). */
  customerIds: number[];
  payments: PaymentRow[];
}

export class PaymentsInvalidError extends AppError {
  constructor(errors: PaymentRowError[], errorCount: number) {
    const first = errors[0];
    const where = first ? ` (first: row ${first.row}${first.field ? `, ${first.field}` : ''}: ${first.message})` : '';
    super('import_invalid', `the payments were rejected: ${errorCount} error${errorCount === 1 ? '' : 's'}${where}; nothing was recorded`, 422, {
      errors,
      errorCount,
    });
    this.name = 'PaymentsInvalidError';
  }
}

const MAX_ERRORS = 1000;

/** A payment may be dated "today" anywhere on earth (UTC+14), not later. */
function latestAllowedDate(now: Date): string {
  return new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * Records payments all or nothing, idempotent by reference: a reference already stored for
 * the same customer, amount and date is a duplicate (counted, not an error); for a different
 * payment it is a conflict on that row.
 */
export async function recordPayments(deps: PaymentsDeps, req: RecordRequest): Promise<PaymentSummary> {
  const today = latestAllowedDate(deps.now?.() ?? new Date());
  const errors: PaymentRowError[] = [];
  const checked: { row: number; p: CheckedPayment }[] = [];
  req.rows.forEach((raw, i) => {
    const r = checkPayment(raw, i + 1, req.labels, today);
    if (Array.isArray(r)) errors.push(...r);
    else checked.push({ row: i + 1, p: r });
  });

  const externalIds = checked.map((c) => c.p.customer).filter((c): c is string => typeof c === 'string');
  const numericIds = checked.map((c) => c.p.customer).filter((c): c is number => typeof c === 'number');
  const [byExternal, existingIds, stored] = await Promise.all([
    selectCustomerIdsByExternalId(deps.db, externalIds),
    selectExistingCustomerIds(deps.db, numericIds),
    selectPaymentsByReference(
      deps.db,
      checked.map((c) => c.p.reference),
    ),
  ]);

  const fresh: NewPayment[] = [];
  const seen = new Map<string, NewPayment>();
  let duplicates = 0;
  for (const { row, p } of checked) {
    const customerId = typeof p.customer === 'number' ? (existingIds.has(p.customer) ? p.customer : undefined) : byExternal.get(p.customer);
    if (customerId === undefined) {
      errors.push({ row, field: req.labels.customer, code: 'customer_not_found', message: `no customer ${String(p.customer)}` });
      continue;
    }
    const next: NewPayment = { customerId, amount: p.amount, currency: p.currency, paidOn: p.paidOn, reference: p.reference };
    const earlier = stored.get(p.reference) ?? seen.get(p.reference);
    if (earlier) {
      if (samePayment(earlier, next)) duplicates += 1;
      else
        errors.push({
          row,
          field: req.labels.reference,
          code: stored.has(p.reference) ? 'reference_conflict' : 'duplicate_in_file',
          message: `reference ${p.reference} is already used for another payment`,
        });
      continue;
    }
    seen.set(p.reference, next);
    fresh.push(next);
  }
  if (errors.length > 0) throw new PaymentsInvalidError(errors.slice(0, MAX_ERRORS), errors.length);

  return withTransaction(deps.db, async (c) => {
    const inserted = fresh.length ? await insertPayments(c, fresh, req.source, req.createdBy) : [];
    if (inserted.length < fresh.length) {
      // Another request stored some of these references between our check and our insert.
      const raced = await selectPaymentsByReference(
        c,
        fresh.filter((f) => !inserted.some((i) => i.reference === f.reference)).map((f) => f.reference),
      );
      for (const f of fresh) {
        const other = raced.get(f.reference);
        if (!other) continue;
        if (!samePayment(other, f))
          throw new ConflictError('payment_reference_conflict', `reference ${f.reference} is already used for another payment`, { reference: f.reference });
        duplicates += 1;
      }
    }
    const summary: PaymentSummary = {
      rows: req.rows.length,
      inserted: inserted.length,
      duplicates,
      customerIds: [...new Set(inserted.map((p) => p.customerId))],
      payments: inserted,
    };
    await req.beforeCommit?.(c, summary);
    return summary;
  });
}

/** CSV (header: customer, amount, date, reference, optional currency) → raw rows; a broken file is one error. */
export function parsePaymentsCsv(text: string): RawPayment[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
  } catch (err) {
    throw new PaymentsInvalidError([{ row: 0, field: null, code: 'unreadable', message: `the CSV cannot be read: ${(err as Error).message}` }], 1);
  }
  const [header, ...data] = records;
  if (!header) throw new ValidationError('the CSV is empty', undefined, 'import_empty');
  const names = header.map((h) => h.toLowerCase());
  const known = Object.values(CSV_LABELS) as string[];
  const problems: PaymentRowError[] = [];
  names.forEach((n) => {
    if (!known.includes(n))
      problems.push({ row: 0, field: n, code: 'unknown_column', message: `unknown column "${n.slice(0, 64)}" (expected: ${known.join(', ')})` });
  });
  for (const need of ['customer', 'amount', 'date', 'reference']) {
    if (!names.includes(need)) problems.push({ row: 0, field: need, code: 'missing_column', message: `required column "${need}" is missing` });
  }
  if (problems.length) throw new PaymentsInvalidError(problems, problems.length);
  const col = (cells: string[], name: string): string | undefined => {
    const i = names.indexOf(name);
    return i < 0 ? undefined : cells[i];
  };
  return data.map((cells) => ({
    customer: col(cells, 'customer'),
    amount: col(cells, 'amount'),
    currency: col(cells, 'currency'),
    date: col(cells, 'date'),
    reference: col(cells, 'reference'),
  }));
}
