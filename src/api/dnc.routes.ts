import { Type } from '@sinclair/typebox';
import { toE164 } from '../campaigns/phone.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { maskPhone } from '../shared/redact.js';
import { withTransaction } from '../store/db.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { audit } from '../audit/audit.js';
import { requireRole } from '../auth/auth.js';
import { deleteDnc, insertDnc, listDnc, type DncEntry } from '../compliance/dnc.repo.js';
import { decodeCursor, Page, PageQuery, pageOf } from './pagination.js';
import { seesPersonalData, type Principal } from '../auth/roles.js';
import { ErrorResponses, IdParams, Nullable, StringEnum } from './schemas.js';

const closed = { additionalProperties: false } as const;

const DncResponse = Type.Object(
  {
    id: Type.Integer(),
    phone: Nullable(Type.String({ description: 'E.164; masked for roles without personal-data access' })),
    customerId: Nullable(Type.Integer()),
    reason: Type.String(),
    source: Type.String(),
    expiresAt: Nullable(Type.String({ format: 'date-time' })),
    createdBy: Nullable(Type.Integer({ description: 'API key id' })),
    channel: Nullable(Type.String({ description: 'null: every channel (calls, SMS, email); else only call, sms or email' })),
    createdAt: Type.String({ format: 'date-time' }),
  },
  closed,
);

const CreateDncBody = Type.Object(
  {
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'any format; national numbers are read in the configured default region' })),
    customerId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    source: Type.String({ minLength: 1, maxLength: 100, description: 'e.g. customer_request, complaint, regulator, agent' }),
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
    channel: Type.Optional(StringEnum(['call', 'sms', 'email'] as const, { description: 'only this channel (default: every channel)' })),
  },
  closed,
);

function dncJson(e: DncEntry, p: Principal) {
  return {
    ...e,
    phone: e.phone && !seesPersonalData(p) ? maskPhone(e.phone) : e.phone,
    expiresAt: e.expiresAt?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
  };
}

/** Do-not-call entries by phone or customer; agents may add but not read; deleting one is for admins and supervisors. */
export async function dncRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const parsePhone = (raw: string, field: string): string => {
    const r = toE164(raw, deps.config.defaultRegion);
    if (!r.ok) throw new ValidationError(r.message, { field, code: r.code }, r.code);
    return r.e164;
  };

  app.get(
    '/v1/dnc',
    {
      // Agents add entries (a customer's opt-out on the call) but do not read the list.
      preHandler: requireRole('operator', 'supervisor', 'viewer'),
      schema: {
        tags: ['dnc'],
        summary: 'List do-not-call entries, newest first',
        querystring: Type.Object(
          {
            ...PageQuery,
            phone: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
            customerId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
            active: Type.Optional(Type.Boolean({ description: 'only entries not yet expired' })),
          },
          closed,
        ),
        response: { 200: Page(DncResponse), ...ErrorResponses },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const beforeId = req.query.cursor ? decodeCursor(req.query.cursor, ['number'] as const)[0] : undefined;
      const phone = req.query.phone !== undefined ? parsePhone(req.query.phone, 'phone') : undefined;
      const rows = await listDnc(deps.db, { phone, customerId: req.query.customerId, activeOnly: req.query.active, beforeId, limit: limit + 1 });
      return pageOf(rows, limit, (r) => [r.id], (r) => dncJson(r, req.principal));
    },
  );

  app.post(
    '/v1/dnc',
    {
      preHandler: requireRole('operator', 'supervisor', 'agent'),
      schema: { tags: ['dnc'], summary: 'Add a do-not-call entry (phone and/or customer)', body: CreateDncBody, response: { 201: DncResponse, ...ErrorResponses } },
    },
    async (req, reply) => {
      const b = req.body;
      if (b.phone === undefined && b.customerId === undefined) {
        throw new ValidationError('give a phone, a customerId or both', { fields: ['phone', 'customerId'] }, 'phone_or_customer_required');
      }
      const phone = b.phone !== undefined ? parsePhone(b.phone, 'phone') : null;
      const expiresAt = b.expiresAt !== undefined ? new Date(b.expiresAt) : null;
      if (expiresAt && expiresAt.getTime() <= Date.now()) throw new ValidationError('expiresAt must be in the future', { field: 'expiresAt' }, 'expires_in_past');
      const entry = await withTransaction(deps.db, async (c) => {
        const e = await insertDnc(c, { phone, customerId: b.customerId ?? null, reason: b.reason, source: b.source, expiresAt, createdBy: req.principal.keyId, channel: (b.channel as 'call' | 'sms' | 'email' | undefined) ?? null });
        await audit(c, req.principal, 'dnc.create', { type: 'dnc', id: e.id }, { byPhone: phone !== null, customerId: e.customerId, source: e.source, expiresAt: b.expiresAt ?? null });
        return e;
      });
      return reply.status(201).send(dncJson(entry, req.principal));
    },
  );

  app.delete(
    '/v1/dnc/:id',
    {
      preHandler: requireRole('supervisor'),
      schema: { tags: ['dnc'], summary: 'Remove a do-not-call entry', params: IdParams, response: { 204: Type.Null(), ...ErrorResponses } },
    },
    async (req, reply) => {
      await withTransaction(deps.db, async (c) => {
        const e = await deleteDnc(c, req.params.id);
        if (!e) throw new NotFoundError('dnc entry', req.params.id);
        await audit(c, req.principal, 'dnc.delete', { type: 'dnc', id: e.id }, { byPhone: e.phone !== null, customerId: e.customerId, source: e.source });
      });
      return reply.status(204).send(null);
    },
  );
}
