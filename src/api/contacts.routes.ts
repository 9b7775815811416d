import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../shared/errors.js';
import { importContacts } from '../campaigns/import.service.js';
import type { ImportFormat } from '../campaigns/import.parse.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { audit } from '../audit/audit.js';
import { requireRole } from '../auth/auth.js';
import { ErrorResponses, IdParams } from './schemas.js';

/** Imports stream, so they may be far larger than the app-wide body limit; memory stays flat. */
export const IMPORT_BODY_LIMIT_BYTES = 2 * 1024 ** 3;

const ImportSummaryBody = Type.Object(
  {
    imported: Type.Integer({ description: 'customers created' }),
    updated: Type.Integer({ description: 'existing customers (same external id) whose values changed' }),
    duplicates: Type.Integer({ description: 'customers that were already contacts of this campaign' }),
    rows: Type.Integer({ description: 'data rows read' }),
  },
  { additionalProperties: false },
);

/** Counts bytes on their way through and fails the stream past the limit. */
class ByteLimit extends Transform {
  private seen = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) cb(bodyTooLarge(this.limit));
    else cb(null, chunk);
  }
}

function bodyTooLarge(limit: number): AppError {
  return new AppError('body_too_large', `an import may be at most ${limit} bytes`, 413, { limit });
}

function formatOf(req: FastifyRequest): ImportFormat {
  const header = req.headers['content-type'] ?? '';
  const [type = '', ...params] = header.split(';').map((s) => s.trim().toLowerCase());
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw new AppError('unsupported_media_type', 'imports must be UTF-8', 415);
  }
  if (type === 'text/csv') return 'csv';
  if (type === 'application/json') return 'json';
  throw new AppError('unsupported_media_type', 'send the contacts as text/csv or application/json', 415);
}

/**
 * Writes the upload to `file` (mode 0600), at most IMPORT_BODY_LIMIT_BYTES of it. The request
 * itself is never destroyed, so an early answer (413) still reaches the client.
 */
async function spool(raw: Readable, file: string): Promise<void> {
  const limit = new ByteLimit(IMPORT_BODY_LIMIT_BYTES);
  raw.pipe(limit);
  raw.on('error', (err) => limit.destroy(err));
  raw.on('close', () => {
    if (!raw.readableEnded) limit.destroy(new AppError('request_aborted', 'the upload was cut off', 400));
  });
  try {
    await pipeline(limit, createWriteStream(file, { mode: 0o600, flags: 'wx' }));
  } catch (err) {
    raw.unpipe(limit);
    if (err instanceof AppError) throw err;
    throw new AppError('request_aborted', 'the upload was cut off', 400);
  }
}

/**
 * `POST /v1/campaigns/:id/contacts`: a CSV file or a JSON array of customers, streamed
 * straight into the import (see src/campaigns/import.service.ts), all or nothing.
 */
export async function contactsRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  /** Imports in this process now (receiving or importing). */
  let running = 0;
  // This plugin's own parsers: the handler gets the raw body stream, nothing is buffered.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['text/csv', 'application/json'], (_req, payload, done) => done(null, payload));

  app.post(
    '/v1/campaigns/:id/contacts',
    {
      bodyLimit: IMPORT_BODY_LIMIT_BYTES,
      preHandler: requireRole('admin', 'operator'),
      schema: {
        tags: ['campaigns'],
        summary: 'Import contacts into a campaign (CSV or JSON array, streamed, all or nothing)',
        description:
          'CSV columns: external_id, name, phone, timezone, locale, amount_due, currency, due_date, days_past_due, risk_score, risk_tier, email ' +
          '(header required; external_id, name and phone required; several phones separated by ";" or "|"). JSON: an array of objects ' +
          'with the same fields in camelCase. Rows are numbered from 1 (the CSV header is row 0). On any invalid row nothing is ' +
          'imported and the answer is 422 import_invalid with the first 1,000 errors and their count.',
        consumes: ['text/csv', 'application/json'],
        params: IdParams,
        response: { 200: ImportSummaryBody, ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const format = formatOf(req);
      const raw = req.body as Readable | undefined;
      if (!raw || typeof raw.pipe !== 'function') throw new AppError('unsupported_media_type', 'send the contacts as text/csv or application/json', 415);
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > IMPORT_BODY_LIMIT_BYTES) throw bodyTooLarge(IMPORT_BODY_LIMIT_BYTES);

      if (running >= deps.config.api.maxConcurrentImports) {
        // The body is not read: close the connection after the answer instead of draining it.
        reply.header('retry-after', '30').header('connection', 'close');
        throw new AppError('too_many_imports', `at most ${deps.config.api.maxConcurrentImports} imports at once; try again later`, 429, {
          limit: deps.config.api.maxConcurrentImports,
        });
      }
      running++;
      const file = join(deps.config.api.importSpoolDir, `ringwise-import-${randomBytes(8).toString('hex')}.part`);
      try {
        // The upload is received whole into a private file first: however slowly a client
        // sends, it holds no database connection and no transaction while it does.
        await spool(raw, file).catch((err: unknown) => {
          reply.header('connection', 'close');
          throw err;
        });
        // The upload is whole: from here the silence on the connection is ours (a large merge,
        // a lock another import holds), not a stalled client, so the idle timeout that guards
        // against slow uploads no longer applies. Node sets the keep-alive timeout again once
        // the answer is sent.
        // (light-my-request, which tests inject through, has a socket without timers.)
        req.raw.socket?.setTimeout?.(0);
        return await importContacts(
          { db: deps.db, log: req.log, defaultRegion: deps.config.defaultRegion },
          {
            campaignId: req.params.id,
            format,
            source: createReadStream(file),
            beforeCommit: (q, summary) => audit(q, req.principal, 'campaign.contacts.import', { type: 'campaign', id: req.params.id }, { format, ...summary }),
            // A running campaign queues pending contacts when it is (re)launched: ask for that
            // again so the new contacts are dialed now (the expand job is idempotent).
            afterCommit: async (summary, state) => {
              if (state !== 'running' || summary.rows - summary.duplicates === 0 || !deps.events) return;
              // The import is committed whatever happens here; the next resume picks them up.
              await deps.events
                .campaignStateChanged(req.params.id, 'running')
                .catch((err: unknown) => req.log.warn({ err, campaignId: req.params.id }, 'could not queue imported contacts'));
            },
          },
        );
      } finally {
        running--;
        await unlink(file).catch(() => undefined);
      }
    },
  );
}
