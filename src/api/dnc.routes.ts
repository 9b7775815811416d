import { Type } from '@sinclair/typebox';
import { toE164 } from '../campaigns/phone.js';
import { AppError, NotFoundError, ValidationError } from '../shared/errors.js';
import { maskPhone } from '../shared/redact.js';
import { withTransaction } from '../store/db.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { audit } from '../audit/audit.js';
import { requireRole } from '../auth/auth.js';
import { deleteDnc, insertDnc, listDnc, type DncEntry } from '../compliance/dnc.repo.js';
import { decodeCursor, Page, PageQuery, pageOf } from './pagination.js';
import { getCall } from '../calls/calls.repo.js';
import { callScope, seesContactData, type Principal } from '../auth/roles.js';
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
    callId: Nullable(Type.String({ format: 'uuid', description: 'the call on which the customer asked (entries made from a call)' })),
  },
  closed,
);

const CreateDncBody = Type.Object(
  {
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'any format; national numbers are read in the configured default region' })),
    customerId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    callId: Type.Optional(
      Type.String({
        format: 'uuid',
        description:
          'the call on which the customer asked: its customer and number are listed, and the source is `call`. The only form an agent key may use, for a call it is on or took in the last hour',
      }),
    ),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    source: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'e.g. customer_request, complaint, regulator (required without callId; `call` with one)' }),
    ),
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
    channel: Type.Optional(StringEnum(['call', 'sms', 'email'] as const, { description: 'only this channel (default: every channel)' })),
  },
  closed,
);

/** What the entry's target is read from (the rest of the body is stored as given). */
type CreateDnc = { phone?: string; customerId?: number; callId?: string; source?: string };

/** How long after a call ended its agent may still put the customer on the list (notes are written after hanging up). */
export const AGENT_DNC_AFTER_CALL_MS = 60 * 60_000;

function dncJson(e: DncEntry, p: Principal) {
  return {
    ...e,
    phone: e.phone && !seesContactData(p) ? maskPhone(e.phone) : e.phone,
    expiresAt: e.expiresAt?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
  };
}

/** Do-not-call entries by phone or customer; agents add only their own call's customer and read nothing; deleting one is for admins and supervisors. */
export async function dncRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const parsePhone = (raw: string, field: string): string => {
    const r = toE164(raw, deps.config.defaultRegion);
    if (!r.ok) throw new ValidationError(r.message, { field, code: r.code }, r.code);
    return r.e164;
  };

  type Target = { phone: string | null; customerId: number | null; source: string; callId: string | null };
  const fromBody = (b: CreateDnc): Target => {
    if (b.phone === undefined && b.customerId === undefined) {
      throw new ValidationError('give a callId, a phone, a customerId or both', { fields: ['callId', 'phone', 'customerId'] }, 'phone_or_customer_required');
    }
    if (b.source === undefined) throw new ValidationError('source is required without a callId', { field: 'source' }, 'source_required');
    return { phone: b.phone !== undefined ? parsePhone(b.phone, 'phone') : null, customerId: b.customerId ?? null, source: b.source, callId: null };
  };
  // The call names the customer and the number, so nothing else may be given beside it.
  const fromCall = async (b: CreateDnc, p: Principal): Promise<Target> => {
    for (const f of ['phone', 'customerId'] as const) {
      if (b[f] !== undefined) throw new ValidationError(`${f} comes from the call: give callId alone`, { field: f }, 'field_not_allowed');
    }
    if (b.source !== undefined && b.source !== 'call')
      throw new ValidationError('the source of an entry made from a call is the call', { field: 'source' }, 'field_not_allowed');
    // An agent's scope is the calls it took; unknown, someone else's and long-ended calls all
    // answer the same 404, so an agent key cannot probe which calls or customers exist.
    const call = await getCall(deps.db, callScope(p), b.callId!);
    const stale = p.role === 'agent' && call?.endedAt && Date.now() - call.endedAt.getTime() > AGENT_DNC_AFTER_CALL_MS;
    if (!call || stale) throw new NotFoundError('call', b.callId!);
    return { phone: call.phone, customerId: call.customerId, source: 'call', callId: call.id };
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
      return pageOf(
        rows,
        limit,
        (r) => [r.id],
        (r) => dncJson(r, req.principal),
      );
    },
  );

  app.post(
    '/v1/dnc',
    {
      preHandler: requireRole('operator', 'supervisor', 'agent'),
      schema: {
        tags: ['dnc'],
        summary:
          'Add a do-not-call entry: by call (the customer and number of that call), or by phone and/or customer. An agent key adds only by a call it is on or took in the last hour (any other call is 404 not_found)',
        body: CreateDncBody,
        response: { 201: DncResponse, ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (req.principal.role === 'agent' && b.callId === undefined) {
        throw new AppError('agent_call_only', 'an agent key adds only the customer of its own call: give callId', 403, { field: 'callId' });
      }
      const target = b.callId !== undefined ? await fromCall(b, req.principal) : fromBody(b);
      const expiresAt = b.expiresAt !== undefined ? new Date(b.expiresAt) : null;
      if (expiresAt && expiresAt.getTime() <= Date.now())
        throw new ValidationError('expiresAt must be in the future', { field: 'expiresAt' }, 'expires_in_past');
      const entry = await withTransaction(deps.db, async (c) => {
        const e = await insertDnc(c, {
          ...target,
          reason: b.reason,
          expiresAt,
          createdBy: req.principal.keyId,
          channel: (b.channel as 'call' | 'sms' | 'email' | undefined) ?? null,
        });
        await audit(
          c,
          req.principal,
          'dnc.create',
          { type: 'dnc', id: e.id },
          { byPhone: e.phone !== null, customerId: e.customerId, source: e.source, callId: e.callId, expiresAt: b.expiresAt ?? null },
        );
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
