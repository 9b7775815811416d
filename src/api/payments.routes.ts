import { Type } from '@sinclair/typebox';
import { AppError, ConflictError } from '../shared/errors.js';
import { listPayments } from '../payments/payments.repo.js';
import { parsePaymentsCsv, PaymentsInvalidError, recordPayments, type PaymentSummary } from '../payments/payments.service.js';
import { JSON_LABELS, CSV_LABELS } from '../payments/payments.validate.js';
import { recomputeRiskQuietly } from '../risk/risk.service.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { audit } from '../audit/audit.js';
import { requireRole } from '../auth/auth.js';
import { ErrorResponses, Nullable } from './schemas.js';

/** Payment files are buffered (a row is ~60 bytes: 20 MiB is ~300,000 payments). */
const PAYMENTS_CSV_LIMIT_BYTES = 20 * 1024 * 1024;

const Payment = Type.Object(
  {
    id: Type.Integer(),
    customerId: Type.Integer(),
    amount: Type.String({ description: 'decimal as a string' }),
    currency: Nullable(Type.String()),
    paidOn: Type.String({ format: 'date' }),
    reference: Type.String(),
    source: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
const Summary = Type.Object({ rows: Type.Integer(), inserted: Type.Integer(), duplicates: Type.Integer() }, { additionalProperties: false });

type Row = PaymentSummary['payments'][number];
const out = (p: Row) => ({ ...p, createdAt: p.createdAt.toISOString() });

/**
 * The payments feed: one payment as JSON, or a CSV file, both idempotent by reference. Each
 * committed payment rescores its customer (after the commit: a failed rescore is logged and the
 * nightly run catches up), which is how promises become kept or broken.
 */
export async function paymentsRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const riskDeps = { db: deps.db, log: deps.log, scorecard: deps.config.risk.scorecard };
  const rescore = async (s: PaymentSummary): Promise<void> => {
    for (const id of s.customerIds) await recomputeRiskQuietly(riskDeps, id, 'payment');
  };

  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: PAYMENTS_CSV_LIMIT_BYTES }, (_req, body, done) => done(null, body));

  app.post(
    '/v1/payments',
    {
      preHandler: requireRole('admin', 'operator', 'supervisor'),
      schema: {
        tags: ['payments'],
        summary: 'Record one payment (idempotent by reference: the same payment again answers 200 with duplicate: true)',
        body: Type.Object(
          {
            customerId: Type.Optional(Type.Integer({ minimum: 1 })),
            externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: "the customer's external id (instead of customerId)" })),
            amount: Type.String({ description: 'decimal with at most 2 decimals, e.g. "1200.50"' }),
            currency: Type.Optional(Type.String()),
            paidOn: Type.String({ description: 'YYYY-MM-DD' }),
            reference: Type.String({ description: 'your id of the payment: the idempotency key' }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ duplicate: Type.Literal(true) }), 201: Payment, ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if ((b.customerId === undefined) === (b.externalId === undefined))
        throw new AppError('invalid_request', 'give exactly one of customerId and externalId', 400);
      const labels = b.externalId !== undefined ? { ...JSON_LABELS, customer: 'externalId' } : JSON_LABELS;
      let s: PaymentSummary;
      try {
        s = await recordPayments(deps, {
          rows: [{ customer: b.customerId ?? b.externalId, amount: b.amount, currency: b.currency, date: b.paidOn, reference: b.reference }],
          source: 'api',
          labels,
          createdBy: req.principal.keyId,
          beforeCommit: async (q, sum) => {
            const p = sum.payments[0];
            if (p) await audit(q, req.principal, 'payment.create', { type: 'payment', id: p.id }, { customerId: p.customerId, source: 'api' });
          },
        });
      } catch (err) {
        if (err instanceof PaymentsInvalidError) {
          const errors = (err.details as { errors: { code: string; field: string | null; message: string }[] }).errors;
          const clash = errors.find((e) => e.code === 'reference_conflict');
          if (clash) throw new ConflictError('payment_reference_conflict', clash.message, { field: clash.field });
          throw new AppError(
            errors.some((e) => e.code === 'customer_not_found') ? 'customer_not_found' : 'payment_invalid',
            errors.map((e) => e.message).join('; '),
            422,
            { errors },
          );
        }
        throw err;
      }
      await rescore(s);
      const p = s.payments[0];
      if (!p) return reply.code(200).send({ duplicate: true });
      return reply.code(201).send(out(p));
    },
  );

  app.post(
    '/v1/payments/import',
    {
      bodyLimit: PAYMENTS_CSV_LIMIT_BYTES,
      preHandler: requireRole('admin', 'operator'),
      schema: {
        tags: ['payments'],
        summary: 'Import payments from CSV, all or nothing, idempotent by reference',
        description:
          'Columns: customer (external id), amount, date (YYYY-MM-DD), reference, and optionally currency. A reference already stored for the ' +
          'same payment counts as a duplicate; for another payment it is a row error. On any error nothing is recorded and the answer is 422 ' +
          'import_invalid with details.errors[] (row, field, code, message).',
        consumes: ['text/csv'],
        response: { 200: Summary, ...ErrorResponses },
      },
    },
    async (req) => {
      if (
        !String(req.headers['content-type'] ?? '')
          .toLowerCase()
          .startsWith('text/csv')
      )
        throw new AppError('unsupported_media_type', 'send the payments as text/csv', 415);
      const rows = parsePaymentsCsv(String(req.body ?? ''));
      const s = await recordPayments(deps, {
        rows,
        source: 'import',
        labels: CSV_LABELS,
        createdBy: req.principal.keyId,
        beforeCommit: (q, sum) => audit(q, req.principal, 'payment.import', null, { rows: sum.rows, inserted: sum.inserted, duplicates: sum.duplicates }),
      });
      await rescore(s);
      return { rows: s.rows, inserted: s.inserted, duplicates: s.duplicates };
    },
  );

  app.get(
    '/v1/payments',
    {
      preHandler: requireRole('admin', 'operator', 'supervisor', 'viewer'),
      schema: {
        tags: ['payments'],
        summary: 'Payments, newest first (cursor: beforeId)',
        querystring: Type.Object(
          {
            customerId: Type.Optional(Type.Integer({ minimum: 1 })),
            beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Payment) }), ...ErrorResponses },
      },
    },
    async (req) => ({ items: (await listPayments(deps.db, req.query)).map(out) }),
  );
}
