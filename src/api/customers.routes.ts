import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../shared/errors.js';
import { maskPhone } from '../shared/redact.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { requireRole } from '../auth/auth.js';
import { getCustomer, type CustomerRow } from '../contacts/customers.repo.js';
import { callScope, seesAccountData, seesContactData, type Principal } from '../auth/roles.js';
import { ErrorResponses, IdParams, Nullable } from './schemas.js';

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

/** `GET /v1/customers/:id`. (`/eligibility` belongs to the compliance module.) */
export async function customersRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  app.get(
    '/v1/customers/:id',
    {
      preHandler: requireRole('operator', 'supervisor', 'agent', 'viewer'),
      schema: {
        tags: ['customers'],
        summary: 'Get a customer (name and phones masked for operators and viewers; account fields hidden from viewers); an agent key reads only a customer on a call it took (any other is 404 not_found)',
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
}
