import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';

let api: TestApi;
let customerId: number;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  api = await createTestApi();
  const { rows } = await api.t.db.query<{ id: number }>(
    `INSERT INTO customers (external_id, name, phones, amount_due, currency, days_past_due) VALUES ('PAY-1', 'Synthetic 0001', '{+8613800000001}', 1200, 'CNY', 20) RETURNING id`,
  );
  customerId = rows[0]!.id;
  await api.t.db.query(`INSERT INTO customers (external_id, name, phones) VALUES ('PAY-2', 'Synthetic 0002', '{+8613800000002}')`);
});
afterAll(() => api.close());

const post = (body: unknown, role: 'operator' | 'viewer' = 'operator') =>
  api.app.inject({ method: 'POST', url: '/v1/payments', headers: api.as(role), payload: body as object });
const csv = (text: string) =>
  api.app.inject({ method: 'POST', url: '/v1/payments/import', headers: { ...api.as('operator'), 'content-type': 'text/csv' }, payload: text });

describe('POST /v1/payments', () => {
  it('records a payment once per reference and rescores the customer', async () => {
    const body = { customerId, amount: '1200.00', currency: 'CNY', paidOn: today, reference: 'BANK-0001' };
    const first = await post(body);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ customerId, amount: '1200.00', paidOn: today, reference: 'BANK-0001', source: 'api' });
    const again = await post({ ...body, amount: '1200' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ duplicate: true });
    const clash = await post({ ...body, amount: '99.00' });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error.code).toBe('payment_reference_conflict');
    const { rows } = await api.t.db.query(`SELECT count(*)::int AS n FROM payments`);
    expect(rows[0].n).toBe(1);

    const risk = await api.app.inject({ method: 'GET', url: `/v1/customers/${customerId}/risk`, headers: api.as('supervisor') });
    expect(risk.json().current).toMatchObject({ trigger: 'payment', source: 'scorecard' });
    expect(risk.json().current.factors.find((f: { factor: string }) => f.factor === 'payments')).toMatchObject({ points: -25 });
  });

  it('refuses bad input with a clear code, never a 500', async () => {
    const bad = await post({ customerId, amount: '12.345', paidOn: '2026-02-30', reference: '' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.code).toBe('payment_invalid');
    expect(
      bad
        .json()
        .error.details.errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['amount', 'paidOn', 'reference']);
    const missing = await post({ externalId: 'NOPE', amount: '1', paidOn: today, reference: 'X-1' });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().error.code).toBe('customer_not_found');
    const both = await post({ customerId, externalId: 'PAY-1', amount: '1', paidOn: today, reference: 'X-2' });
    expect(both.statusCode).toBe(400);
    expect((await post({ customerId, amount: '1', paidOn: today, reference: 'X-3' }, 'viewer')).statusCode).toBe(403);
  });
});

describe('POST /v1/payments/import', () => {
  it('imports all or nothing with row-level errors', async () => {
    const res = await csv(`customer,amount,date,reference\nPAY-1,10.00,${today},F-1\nNOPE,5,${today},F-2\nPAY-2,-3,${today},F-3\nPAY-2,7,${today},BANK-0001\n`);
    expect(res.statusCode).toBe(422);
    const err = res.json().error;
    expect(err.code).toBe('import_invalid');
    expect(err.details.errors).toEqual([
      expect.objectContaining({ row: 3, field: 'amount', code: 'invalid_format' }),
      expect.objectContaining({ row: 2, field: 'customer', code: 'customer_not_found' }),
      expect.objectContaining({ row: 4, field: 'reference', code: 'reference_conflict' }),
    ]);
    const { rows } = await api.t.db.query(`SELECT count(*)::int AS n FROM payments WHERE reference LIKE 'F-%'`);
    expect(rows[0].n).toBe(0);
  });

  it('a re-imported file counts duplicates and records nothing twice', async () => {
    const file = `reference,customer,amount,date,currency\nG-1,PAY-1,10.00,${today},CNY\nG-2,PAY-2,20,${today},\nBANK-0001,PAY-1,1200,${today},CNY\n`;
    const first = await csv(file);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ rows: 3, inserted: 2, duplicates: 1 });
    expect((await csv(file)).json()).toEqual({ rows: 3, inserted: 0, duplicates: 3 });
    const list = await api.app.inject({ method: 'GET', url: `/v1/payments?customerId=${customerId}`, headers: api.as('viewer') });
    expect(list.json().items.map((p: { reference: string }) => p.reference)).toEqual(['G-1', 'BANK-0001']);
  });

  it('a bad header is named', async () => {
    const res = await csv('customer,amount,when\nPAY-1,1,x\n');
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.errors.map((e: { code: string; field: string }) => `${e.code}:${e.field}`)).toEqual([
      'unknown_column:when',
      'missing_column:date',
      'missing_column:reference',
    ]);
  });
});
