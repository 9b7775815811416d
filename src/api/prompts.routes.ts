import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { Type, type Static } from '@sinclair/typebox';
import { AppError, NotFoundError } from '../shared/errors.js';
import { withTransaction } from '../store/db.js';
import { convertToTelephonyWav, UPLOAD_AUDIO_TYPES } from '../prompts/audio.convert.js';
import { writeFileAtomic } from '../prompts/prompt.files.js';
import { TTS_TEXT_MAX, validateTtsTemplate } from '../prompts/prompt.template.js';
import { getPrompt, insertPrompt, listPrompts, type NewPrompt, type PromptRow } from '../prompts/prompts.repo.js';
import { SPEECH_LOCALES } from '../prompts/speak.words.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { audit } from '../audit/audit.js';
import { requireRole } from '../auth/auth.js';
import { decodeCursor, Page, PageQuery, pageOf } from './pagination.js';
import { ErrorResponses, IdParams, Nullable } from './schemas.js';

/** Raw recordings up to this size are accepted (a minute of CD-quality stereo WAV is ~10 MB). */
export const PROMPT_UPLOAD_MAX_BYTES = 20 * 1024 * 1024;
export const PROMPT_MAX_SECONDS = 300;

const closed = { additionalProperties: false } as const;
const Locale = Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35 });
const Name = Type.String({ minLength: 1, maxLength: 200 });

const TtsPromptBody = Type.Object(
  {
    name: Name,
    locale: Type.Union(SPEECH_LOCALES.map((l) => Type.Literal(l))),
    kind: Type.Literal('tts'),
    text: Type.String({
      minLength: 1,
      maxLength: TTS_TEXT_MAX,
      description: 'template; fields {name} {amount} {due_date} {days_past_due} {callback_number} {bank_name}',
    }),
  },
  closed,
);

const PromptOut = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    locale: Type.String(),
    kind: Type.Union([Type.Literal('audio'), Type.Literal('tts')]),
    text: Nullable(Type.String()),
    audioFile: Nullable(Type.String()),
    contentHash: Type.String(),
    /** What a campaign segment `{type:'audio', promptId}` plays: the ARI media URI for audio. */
    media: Nullable(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
  },
  closed,
);
type PromptOut = Static<typeof PromptOut>;

export async function promptsRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const { promptDir, promptDirOnAsterisk } = deps.config.paths;
  const toOut = (r: PromptRow): PromptOut => ({
    id: r.id,
    name: r.name,
    locale: r.locale,
    kind: r.kind,
    text: r.text,
    audioFile: r.audioFile,
    contentHash: r.contentHash,
    media: r.audioFile ? `sound:${promptDirOnAsterisk.replace(/\/+$/, '')}/${r.audioFile.replace(/\.wav$/, '')}` : null,
    createdAt: r.createdAt.toISOString(),
  });

  // Recordings arrive as the raw request body; this plugin is encapsulated, so only these routes read audio.
  app.addContentTypeParser(Object.keys(UPLOAD_AUDIO_TYPES), { parseAs: 'buffer', bodyLimit: PROMPT_UPLOAD_MAX_BYTES }, (_req, body, done) => done(null, body));

  app.post(
    '/v1/prompts',
    {
      preHandler: requireRole('admin', 'operator'),
      bodyLimit: PROMPT_UPLOAD_MAX_BYTES,
      schema: {
        tags: ['prompts'],
        summary: 'Upload a recording, or store a TTS template',
        description:
          `A recording: the raw audio as the body with its content type (${Object.keys(UPLOAD_AUDIO_TYPES).join(', ')}) and ` +
          `?name=&locale=; it is converted to 8 kHz mono WAV (at most ${PROMPT_MAX_SECONDS} s, ${PROMPT_UPLOAD_MAX_BYTES} bytes). ` +
          'Unreadable audio is 422 audio_invalid. A TTS template: JSON {name, locale, kind:"tts", text}; unknown {fields} are 422 prompt_unknown_field.',
        querystring: Type.Object({ name: Type.Optional(Name), locale: Type.Optional(Locale) }, closed),
        body: { content: { 'application/json': { schema: TtsPromptBody } } },
        response: { 201: PromptOut, ...ErrorResponses },
      },
    },
    async (req, reply) => {
      let row: NewPrompt;
      let extra: Record<string, unknown> = {};
      const mediaType = String(req.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim()
        .toLowerCase();
      if (Buffer.isBuffer(req.body) && mediaType in UPLOAD_AUDIO_TYPES) {
        const { name, locale } = req.query;
        if (!name || !locale) throw new AppError('invalid_request', 'a recording needs ?name= and ?locale= query parameters', 400);
        const { wav, durationMs } = await convertToTelephonyWav(req.body, UPLOAD_AUDIO_TYPES[mediaType] ?? 'wav', { maxSeconds: PROMPT_MAX_SECONDS });
        const hash = createHash('sha256').update(wav).digest('hex');
        await mkdir(promptDir, { recursive: true });
        await writeFileAtomic(promptDir, `${hash}.wav`, wav);
        row = { name, locale, kind: 'audio', text: null, audioFile: `${hash}.wav`, contentHash: hash };
        extra = { durationMs, uploadBytes: req.body.length, uploadType: mediaType };
      } else {
        // Only JSON was validated against the schema; the app also parses text/plain.
        if (mediaType !== 'application/json') {
          throw new AppError('unsupported_media_type', `send a recording (${Object.keys(UPLOAD_AUDIO_TYPES).join(', ')}) or JSON`, 415);
        }
        const body = req.body as Static<typeof TtsPromptBody>;
        validateTtsTemplate(body.text);
        row = {
          name: body.name,
          locale: body.locale,
          kind: 'tts',
          text: body.text,
          audioFile: null,
          contentHash: createHash('sha256').update(body.text).digest('hex'),
        };
      }
      const saved = await withTransaction(deps.db, async (client) => {
        const r = await insertPrompt(client, row);
        await audit(client, req.principal, 'prompt.create', { type: 'prompt', id: r.id }, { kind: r.kind, locale: r.locale, ...extra });
        return r;
      });
      return reply.status(201).send(toOut(saved));
    },
  );

  app.get(
    '/v1/prompts',
    {
      preHandler: requireRole('admin', 'operator', 'supervisor', 'viewer'),
      schema: {
        tags: ['prompts'],
        summary: 'List prompts, newest first',
        querystring: Type.Object(
          { ...PageQuery, locale: Type.Optional(Locale), kind: Type.Optional(Type.Union([Type.Literal('audio'), Type.Literal('tts')])) },
          closed,
        ),
        response: { 200: Page(PromptOut), ...ErrorResponses },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const beforeId = req.query.cursor ? decodeCursor(req.query.cursor, ['number'] as const)[0] : undefined;
      const rows = await listPrompts(deps.db, { locale: req.query.locale, kind: req.query.kind, beforeId, limit: limit + 1 });
      return pageOf(rows, limit, (r) => [r.id], toOut);
    },
  );

  app.get(
    '/v1/prompts/:id',
    {
      preHandler: requireRole('admin', 'operator', 'supervisor', 'viewer'),
      schema: { tags: ['prompts'], summary: 'One prompt', params: IdParams, response: { 200: PromptOut, ...ErrorResponses } },
    },
    async (req) => {
      const row = await getPrompt(deps.db, req.params.id);
      if (!row) throw new NotFoundError('prompt', req.params.id);
      return toOut(row);
    },
  );
}
