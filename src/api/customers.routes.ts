import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../shared/errors.js';
import { maskPhone } from '../shared/redact.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { requireRole } from '../auth/auth.js';
import { getCustomer } from '../contacts/customers.repo.js';
import { callScope, seesPersonalData } from '../auth/roles.js';
import { ErrorResponses, IdParams, Nullable } from './schemas.js';

/** Masks a name to its first character: enough for a viewer to recognise a record, no more. */
export function maskName(name: string): string {
  const first = [...name.trim()][0];
  return first ? `${first}***` : '***';
}

const CustomerResponse = Type.Object(
  {
    id: Type.Integer(),
    externalId: Type.String(),
    name: Type.String({ description: 'masked for viewers' }),
    phones: Type.Array(Type.String({ description: 'E.164; masked for viewers' })),
    masked: Type.Boolean({ description: 'true when personal data was masked for this caller' }),
    timeZone: Nullable(Type.String()),
    locale: Type.String(),
    amountDue: Nullable(Type.String({ description: 'decimal as a string: money is never a float' })),
    currency: Nullable(Type.String()),
    dueDate: Nullable(Type.String({ format: 'date' })),
    daysPastDue: Nullable(Type.Integer()),
    riskScore: Nullable(Type.Integer()),
    riskTier: Nullable(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

/** `GET /v1/customers/:id`. (`/eligibility` belongs to the compliance module.) */
export async function customersRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  app.get(
    '/v1/customers/:id',
    {
      preHandler: requireRole('operator', 'supervisor', 'agent', 'viewer'),
      schema: {
        tags: ['customers'],
        summary: 'Get a customer (name and phones masked for viewers); an agent key reads only a customer on a call it took (any other is 404 not_found)',
        params: IdParams,
        response: { 200: CustomerResponse, ...ErrorResponses },
      },
    },
    async (req) => {
      const c = await getCustomer(deps.db, callScope(req.principal), req.params.id);
      if (!c) throw new NotFoundError('customer', req.params.id);
      const full = seesPersonalData(req.principal);
      return {
        ...c,
        name: full ? c.name : maskName(c.name),
        phones: full ? c.phones : c.phones.map(maskPhone),
        masked: !full,
        createdAt: c.createdAt.toISOString(),
        updatedAt: c.updatedAt.toISOString(),
      };
    },
  );
}
