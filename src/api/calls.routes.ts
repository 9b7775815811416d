import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { CALL_OUTCOMES } from '../campaigns/campaign.stats.js';
import { NotFoundError } from '../shared/errors.js';
import { maskPhone } from '../shared/redact.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { requireRole } from '../auth/auth.js';
import { callsCsv } from '../calls/calls.csv.js';
import { getCall, listCallsDesc, type CallFilter, type CallRow } from '../calls/calls.repo.js';
import { decodeCursor, InvalidCursorError, Page, PageQuery, pageOf } from './pagination.js';
import { callScope, seesContactData } from '../auth/roles.js';
import { ErrorResponses, MediaResponse, Nullable } from './schemas.js';

const closed = { additionalProperties: false } as const;
const ts = Nullable(Type.String({ format: 'date-time' }));

const CallResponse = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    campaignId: Nullable(Type.Integer()),
    contactId: Nullable(Type.Integer()),
    customerId: Type.Integer(),
    attemptNo: Type.Integer(),
    phone: Type.String({ description: 'E.164; masked for operators and viewers' }),
    state: Type.String(),
    outcome: Nullable(Type.String()),
    cause: Nullable(Type.Integer()),
    techCause: Nullable(Type.Integer()),
    amdStatus: Nullable(Type.String()),
    amdCause: Nullable(Type.String()),
    digits: Type.String(),
    connected: Type.Boolean(),
    agentId: Nullable(Type.Integer()),
    promptVersion: Nullable(Type.String()),
    workerId: Nullable(Type.String()),
    queuedAt: ts,
    reservedAt: Type.String({ format: 'date-time' }),
    originatedAt: ts,
    answeredAt: ts,
    bridgedAt: ts,
    endedAt: ts,
    ringMs: Nullable(Type.Integer()),
    talkMs: Nullable(Type.Integer()),
  },
  closed,
);

const filters = {
  campaignId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  customerId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  outcome: Type.Optional(Type.Unsafe<string>({ type: 'string', enum: [...CALL_OUTCOMES] })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'reserved at or after (inclusive)' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'reserved before (exclusive)' })),
  agentId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'the agent who took the call' })),
};

const TS_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const iso = (d: Date | null) => d?.toISOString() ?? null;

function callJson(r: CallRow, maskPhones: boolean) {
  const { cursorAt: _cursor, ...rest } = r;
  return {
    ...rest,
    phone: maskPhones ? maskPhone(r.phone) : r.phone,
    queuedAt: iso(r.queuedAt),
    reservedAt: r.reservedAt.toISOString(),
    originatedAt: iso(r.originatedAt),
    answeredAt: iso(r.answeredAt),
    bridgedAt: iso(r.bridgedAt),
    endedAt: iso(r.endedAt),
  };
}

/**
 * The call-attempt ledger: a keyset-paged list (newest first), one call, and a streaming CSV
 * export (oldest first). An agent key reads only the calls its agent took (see `callScope`).
 */
export async function callsRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  app.get(
    '/v1/calls',
    {
      preHandler: requireRole('operator', 'supervisor', 'agent', 'viewer'),
      schema: {
        tags: ['calls'],
        summary:
          'List call attempts, newest first (keyset pagination on reserved_at, id); phones masked for operators and viewers; an agent key lists only its own calls',
        querystring: Type.Object({ ...PageQuery, ...filters }, closed),
        response: { 200: Page(CallResponse), ...ErrorResponses },
      },
    },
    async (req) => {
      const { limit = 50, cursor, ...f } = req.query;
      let after = null;
      if (cursor) {
        const [at, id] = decodeCursor(cursor, ['string', 'string'] as const);
        if (!TS_TEXT.test(at) || !UUID.test(id)) throw new InvalidCursorError();
        after = { at, id };
      }
      const rows = await listCallsDesc(deps.db, callScope(req.principal), f as CallFilter, after, limit + 1);
      const mask = !seesContactData(req.principal);
      return pageOf(
        rows,
        limit,
        (r) => [r.cursorAt, r.id],
        (r) => callJson(r, mask),
      );
    },
  );

  app.get(
    '/v1/calls/:id',
    {
      preHandler: requireRole('operator', 'supervisor', 'agent', 'viewer'),
      schema: {
        tags: ['calls'],
        summary: 'One call attempt; an agent key reads only a call it took (any other is 404 not_found)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }, closed),
        response: { 200: CallResponse, ...ErrorResponses },
      },
    },
    async (req) => {
      // Out of scope and missing look the same, so an agent cannot probe which calls exist.
      const r = await getCall(deps.db, callScope(req.principal), req.params.id);
      if (!r) throw new NotFoundError('call', req.params.id);
      return callJson(r, !seesContactData(req.principal));
    },
  );

  app.get(
    '/v1/calls.csv',
    {
      preHandler: requireRole('operator', 'supervisor', 'viewer'),
      schema: {
        tags: ['calls'],
        summary:
          'Export call attempts as CSV, oldest first, streamed (phones masked for operators and viewers, as everywhere; cells a spreadsheet would run as formulas start with an apostrophe)',
        querystring: Type.Object(filters, closed),
        response: { 200: MediaResponse('text/csv', 'the calls, one per line, oldest first'), ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const rows = callsCsv(deps.db, req.query as CallFilter, { scope: callScope(req.principal), maskPhones: !seesContactData(req.principal) });
      // The first batch is read before the status is sent: a failing query is still an error answer.
      const first = await rows.next();
      const stream = Readable.from(
        (async function* () {
          if (!first.done) yield first.value;
          yield* rows;
        })(),
      );
      stream.on('error', (err) => req.log.error({ err }, 'calls export failed mid-stream'));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="calls.csv"')
        .header('cache-control', 'no-store')
        .send(stream as never);
    },
  );
}
