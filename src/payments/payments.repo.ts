import type { Queryable } from '../store/db.js';

/** The only writer of payments. */
export interface PaymentRow {
  id: number;
  customerId: number;
  amount: string;
  currency: string | null;
  paidOn: string;
  reference: string;
  source: 'api' | 'import';
  createdAt: Date;
}

export interface NewPayment {
  customerId: number;
  amount: string;
  currency: string | null;
  paidOn: string;
  reference: string;
}

const COLUMNS = `id, customer_id AS "customerId", amount::text AS amount, currency, to_char(paid_on, 'YYYY-MM-DD') AS "paidOn", reference, source, created_at AS "createdAt"`;

/**
 * Inserts the payments whose reference is new, in one statement; returns only those inserted.
 * A reference already stored is left as it is (the caller compares it: same payment or a clash).
 */
export async function insertPayments(q: Queryable, payments: NewPayment[], source: 'api' | 'import', createdBy: number | null): Promise<PaymentRow[]> {
  const { rows } = await q.query<PaymentRow>(
    `INSERT INTO payments (customer_id, amount, currency, paid_on, reference, source, created_by)
     SELECT * , $6::text, $7::bigint FROM unnest($1::bigint[], $2::numeric[], $3::char(3)[], $4::date[], $5::text[])
     ON CONFLICT (reference) DO NOTHING
     RETURNING ${COLUMNS}`,
    [
      payments.map((p) => p.customerId),
      payments.map((p) => p.amount),
      payments.map((p) => p.currency),
      payments.map((p) => p.paidOn),
      payments.map((p) => p.reference),
      source,
      createdBy,
    ],
  );
  return rows;
}

export async function selectPaymentsByReference(q: Queryable, references: string[]): Promise<Map<string, PaymentRow>> {
  const { rows } = await q.query<PaymentRow>(`SELECT ${COLUMNS} FROM payments WHERE reference = ANY ($1::text[])`, [references]);
  return new Map(rows.map((r) => [r.reference, r]));
}

export async function listPayments(q: Queryable, f: { customerId?: number | undefined; beforeId?: number | undefined; limit: number }): Promise<PaymentRow[]> {
  const { rows } = await q.query<PaymentRow>(
    `SELECT ${COLUMNS} FROM payments
      WHERE ($1::bigint IS NULL OR customer_id = $1) AND ($2::bigint IS NULL OR id < $2)
      ORDER BY id DESC LIMIT $3`,
    [f.customerId ?? null, f.beforeId ?? null, f.limit],
  );
  return rows;
}

/** Customer ids by external id (read-only: customers belong to contacts/). */
export async function selectCustomerIdsByExternalId(q: Queryable, externalIds: string[]): Promise<Map<string, number>> {
  const { rows } = await q.query<{ id: number; externalId: string }>(
    `SELECT id, external_id AS "externalId" FROM customers WHERE external_id = ANY ($1::text[])`,
    [externalIds],
  );
  return new Map(rows.map((r) => [r.externalId, r.id]));
}

export async function selectExistingCustomerIds(q: Queryable, ids: number[]): Promise<Set<number>> {
  const { rows } = await q.query<{ id: number }>(`SELECT id FROM customers WHERE id = ANY ($1::bigint[])`, [ids]);
  return new Set(rows.map((r) => r.id));
}

/** Whether a payment of the customer was recorded at or after `since` (a contact plan's stop). */
export async function hasPaymentSince(q: Queryable, customerId: string | number, since: Date): Promise<boolean> {
  const { rows } = await q.query<{ yes: boolean }>(`SELECT EXISTS (SELECT 1 FROM payments WHERE customer_id = $1 AND created_at >= $2) AS yes`, [
    customerId,
    since,
  ]);
  return rows[0]?.yes ?? false;
}
