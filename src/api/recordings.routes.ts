import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Type } from '@sinclair/typebox';
import { recordingPath } from '../agents/recording.path.js';
import { getRecording, listRecordings, type RecordingRow } from '../agents/recordings.repo.js';
import { AppError, NotFoundError } from '../shared/errors.js';
import { withTransaction } from '../store/db.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { audit } from '../audit/audit.js';
import { requireRole } from '../auth/auth.js';
import { decodeCursor, Page, PageQuery, pageOf } from './pagination.js';
import { ErrorResponses, MediaResponse, IdParams, Nullable } from './schemas.js';

const closed = { additionalProperties: false } as const;

const RecordingResponse = Type.Object(
  {
    id: Type.Integer(),
    attemptId: Type.String(),
    campaignId: Nullable(Type.Integer()),
    agentId: Nullable(Type.Integer()),
    fileName: Type.String(),
    bytes: Type.Integer(),
    createdAt: Type.String({ format: 'date-time' }),
    deletedAt: Nullable(Type.String({ format: 'date-time', description: 'set once the retention prune removed the file' })),
  },
  closed,
);

const CONTENT_TYPES: Record<string, string> = { wav: 'audio/wav', gsm: 'audio/gsm', ulaw: 'audio/basic', mp3: 'audio/mpeg' };

const json = (r: RecordingRow) => ({ ...r, createdAt: r.createdAt.toISOString(), deletedAt: r.deletedAt?.toISOString() ?? null });

/** Recorded agent conversations: supervisors list and listen; every download is audited. */
export async function recordingsRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  app.get(
    '/v1/recordings',
    {
      preHandler: requireRole('supervisor'),
      schema: {
        tags: ['recordings'],
        summary: 'List recordings, newest first',
        querystring: Type.Object(
          {
            ...PageQuery,
            campaignId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
            attemptId: Type.Optional(Type.String({ format: 'uuid' })),
          },
          closed,
        ),
        response: { 200: Page(RecordingResponse), ...ErrorResponses },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const beforeId = req.query.cursor ? decodeCursor(req.query.cursor, ['number'] as const)[0] : undefined;
      const rows = await listRecordings(deps.db, { campaignId: req.query.campaignId, attemptId: req.query.attemptId, beforeId, limit: limit + 1 });
      return pageOf(rows, limit, (r) => [r.id], json);
    },
  );

  app.get(
    '/v1/recordings/:id/audio',
    {
      preHandler: requireRole('supervisor'),
      schema: {
        tags: ['recordings'],
        summary: 'Download one recording (audited)',
        params: IdParams,
        response: { 200: MediaResponse('audio/wav', 'the recording'), ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const r = await getRecording(deps.db, req.params.id);
      if (!r) throw new NotFoundError('recording', req.params.id);
      if (r.deletedAt)
        throw new AppError('recording_deleted', 'the recording was deleted by the retention policy', 410, { deletedAt: r.deletedAt.toISOString() });
      const path = recordingPath(deps.config.paths.recordingDir, r.fileName);
      const size = await stat(path).then(
        (s) => s.size,
        () => {
          throw new AppError('recording_file_missing', 'the recording row exists but its file is not in the recording folder', 404, { id: r.id });
        },
      );
      // Audited before a byte leaves: a download that fails midway still counts as an access.
      await withTransaction(deps.db, (c) =>
        audit(c, req.principal, 'recording.download', { type: 'recording', id: r.id }, { attemptId: r.attemptId, bytes: size }),
      );
      const ext = r.fileName.split('.').pop()?.toLowerCase() ?? '';
      return reply
        .header('content-type', CONTENT_TYPES[ext] ?? 'application/octet-stream')
        .header('content-length', String(size))
        .header('content-disposition', `attachment; filename="recording-${r.id}.${ext || 'bin'}"`)
        .send(createReadStream(path) as never);
    },
  );
}
