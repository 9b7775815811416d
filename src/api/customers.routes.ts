import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../shared/errors.js';
import { maskPhone } from '../shared/redact.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { requireRole } from '../auth/auth.js';
import { getCustomer, type CustomerRow } from '../contacts/customers.repo.js';
import { searchCustomers } from '../contacts/customer-search.repo.js';
import { toE164 } from '../campaigns/phone.js';
import { DISPOSITION_KINDS, listCustomerDispositions } from '../agents/dispositions.repo.js';
import { decodeCursor, Page, PageQuery, pageOf } from './pagination.js';
import { callScope, seesAccountData, seesContactData, type Principal } from '../auth/roles.js';
import { ErrorResponses, IdParams, Nullable, StringEnum } from './schemas.js';

/** Masks a name to its first character: enough for a viewer to recognise a record, no more. */
export function maskName(name: string): string {
  const first = [...name.trim()][0];
  return first ? `${first}***` : '***';
}

const CustomerResponse = Type.Object(
  {
    id: Type.Integer(),
    externalId: Type.String({ description: 'masked for viewers' }),
    name: Type.String({ description: 'masked for operators and viewers' }),
    phones: Type.Array(Type.String({ description: 'E.164; masked for operators and viewers' })),
    masked: Type.Boolean({ description: 'true when personal data was masked for this caller' }),
    timeZone: Nullable(Type.String()),
    locale: Type.String(),
    amountDue: Nullable(Type.String({ description: 'decimal as a string: money is never a float; null for viewers' })),
    currency: Nullable(Type.String()),
    dueDate: Nullable(Type.String({ format: 'date', description: 'null for viewers' })),
    daysPastDue: Nullable(Type.Integer({ description: 'null for viewers' })),
    riskScore: Nullable(Type.Integer({ description: 'null for viewers' })),
    riskTier: Nullable(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

/** A customer as this caller may see it (the one rule of `roles.ts`). */
export function customerJson(c: CustomerRow, p: Principal) {
  const contact = seesContactData(p);
  const account = seesAccountData(p);
  return {
    ...c,
    externalId: account ? c.externalId : maskName(c.externalId),
    name: contact ? c.name : maskName(c.name),
    phones: contact ? c.phones : c.phones.map(maskPhone),
    masked: !contact || !account,
    ...(account ? {} : { amountDue: null, dueDate: null, daysPastDue: null, riskScore: null }),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

const DispositionOut = Type.Object(
  {
    id: Type.Integer(),
    attemptId: Type.String({ format: 'uuid' }),
    agentId: Nullable(Type.Integer()),
    kind: StringEnum(DISPOSITION_KINDS),
    amount: Nullable(Type.String()),
    promisedDate: Nullable(Type.String({ format: 'date' })),
    callbackAt: Nullable(Type.String({ format: 'date-time' })),
    note: Nullable(Type.String({ description: 'null for viewers (free text may hold personal data)' })),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

const SearchQuery = Type.Object(
  {
    q: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'a phone number (any format the default region reads), an exact external id, or the start of a name',
    }),
    ...PageQuery,
  },
  { additionalProperties: false },
);

/** `GET /v1/customers?q=` and `GET /v1/customers/:id`. (`/eligibility` belongs to the compliance module.) */
export async function customersRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  app.get(
    '/v1/customers',
    {
      preHandler: requireRole('operator', 'supervisor', 'agent', 'viewer'),
      schema: {
        tags: ['customers'],
        summary: 'Search customers by phone, external id or name prefix, newest first (masked for viewers; an agent key finds only customers on its own calls)',
        querystring: SearchQuery,
        response: { 200: Page(CustomerResponse), ...ErrorResponses },
      },
    },
    async (req) => {
      const text = req.query.q.trim();
      const limit = req.query.limit ?? 50;
      const phone = /^[+0-9][0-9 ()-]{4,}$/.test(text) ? toE164(text, deps.config.defaultRegion) : null;
      const beforeId = req.query.cursor ? decodeCursor(req.query.cursor, ['number'] as const)[0] : undefined;
      const rows = await searchCustomers(deps.db, callScope(req.principal), { phone: phone?.ok ? phone.e164 : null, text, beforeId, limit: limit + 1 });
      return pageOf(
        rows,
        limit,
        (r) => [r.id],
        (r) => customerJson(r, req.principal),
      );
    },
  );

  app.get(
    '/v1/customers/:id',
    {
      preHandler: requireRole('operator', 'supervisor', 'agent', 'viewer'),
      schema: {
        tags: ['customers'],
        summary:
          'Get a customer (name and phones masked for operators and viewers; account fields hidden from viewers); an agent key reads only a customer on a call it took (any other is 404 not_found)',
        params: IdParams,
        response: { 200: CustomerResponse, ...ErrorResponses },
      },
    },
    async (req) => {
      const c = await getCustomer(deps.db, callScope(req.principal), req.params.id);
      if (!c) throw new NotFoundError('customer', req.params.id);
      return customerJson(c, req.principal);
    },
  );

  app.get(
    '/v1/customers/:id/dispositions',
    {
      preHandler: requireRole('operator', 'supervisor', 'agent', 'viewer'),
      schema: {
        tags: ['customers'],
        summary:
          "The customer's dispositions (promises, callbacks, disputes...), newest first; notes hidden from viewers; an agent key reads them only for a customer on a call it took",
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(DispositionOut) }, { additionalProperties: false }), ...ErrorResponses },
      },
    },
    async (req) => {
      // The same scope as the customer itself: outside it, 404 like a missing customer.
      if (!(await getCustomer(deps.db, callScope(req.principal), req.params.id))) throw new NotFoundError('customer', req.params.id);
      const full = seesContactData(req.principal);
      const rows = await listCustomerDispositions(deps.db, req.params.id, 100);
      return {
        items: rows.map((d) => ({ ...d, note: full ? d.note : null, callbackAt: d.callbackAt?.toISOString() ?? null, createdAt: d.createdAt.toISOString() })),
      };
    },
  );
}
