import { Type } from '@sinclair/typebox';
import type { ApiApp, ApiDeps } from './api.types.js';
import { listAudit } from '../audit/audit.js';
import { requireRole } from '../auth/auth.js';
import { decodeCursor, Page, PageQuery, pageOf } from './pagination.js';
import { ErrorResponses } from './schemas.js';

const AuditEntry = Type.Object(
  {
    id: Type.Integer(),
    keyId: Type.Union([Type.Integer(), Type.Null()]),
    role: Type.Union([Type.String(), Type.Null()]),
    action: Type.String(),
    targetType: Type.Union([Type.String(), Type.Null()]),
    targetId: Type.Union([Type.String(), Type.Null()]),
    details: Type.Unknown(),
    at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

/** `GET /v1/audit`: newest first, for admins and supervisors. */
export async function auditRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  app.get(
    '/v1/audit',
    {
      preHandler: requireRole('admin', 'supervisor'),
      schema: {
        tags: ['audit'],
        summary: 'List audit entries, newest first',
        querystring: Type.Object(
          {
            ...PageQuery,
            action: Type.Optional(Type.String({ maxLength: 100 })),
            targetType: Type.Optional(Type.String({ maxLength: 100 })),
            targetId: Type.Optional(Type.String({ maxLength: 100 })),
            keyId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(AuditEntry), ...ErrorResponses },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const beforeId = req.query.cursor ? decodeCursor(req.query.cursor, ['number'] as const)[0] : undefined;
      const rows = await listAudit(deps.db, { ...req.query, beforeId, limit: limit + 1 });
      return pageOf(
        rows,
        limit,
        (r) => [r.id],
        (r) => ({ ...r, at: r.at.toISOString() }),
      );
    },
  );
}
