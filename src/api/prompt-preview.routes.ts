import { Type } from '@sinclair/typebox';
import { previewPrompt, SAMPLE_CUSTOMER } from '../prompts/prompt.preview.js';
import { CampaignPromptSchema } from '../prompts/prompt.template.js';
import { createPromptLookup } from '../prompts/prompts.repo.js';
import { EspeakTts } from '../prompts/tts.engine.js';
import { createPieceStore } from '../prompts/speech.pieces.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { requireRole } from '../auth/auth.js';
import { ErrorResponses, MediaResponse, Nullable } from './schemas.js';

const SampleCustomer = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    amountDue: Nullable(Type.String({ pattern: '^[0-9]{1,12}(\\.[0-9]{1,2})?$' })),
    currency: Nullable(Type.String({ pattern: '^[A-Z]{3}$' })),
    dueDate: Nullable(Type.String({ format: 'date' })),
    daysPastDue: Nullable(Type.Integer({ minimum: 0, maximum: 100_000 })),
  },
  { additionalProperties: false },
);

const PreviewBody = Type.Object(
  {
    prompt: CampaignPromptSchema,
    locale: Type.Optional(
      Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35, description: "which of the prompt's languages (default: the first)" }),
    ),
    customer: Type.Optional(SampleCustomer),
  },
  { additionalProperties: false },
);

/**
 * `POST /v1/prompts/preview`: renders a campaign prompt (saved or not) for a sample customer with
 * the dialer's own renderer and answers one WAV a browser can play. Nothing is stored but the TTS
 * cache the dialer would fill anyway.
 */
export async function promptPreviewRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const render = {
    tts: deps.tts ?? new EspeakTts(),
    promptDir: deps.config.paths.promptDir,
    promptDirOnAsterisk: deps.config.paths.promptDirOnAsterisk,
    log: deps.log,
    lookupPrompt: createPromptLookup(deps.db),
    inflight: new Map<string, Promise<void>>(),
    pieces: createPieceStore(),
  };
  app.post(
    '/v1/prompts/preview',
    {
      preHandler: requireRole('operator', 'supervisor'),
      schema: {
        tags: ['prompts'],
        summary: 'Render a campaign prompt for a sample customer as audio/wav (8 kHz mono); 422 when it cannot be rendered',
        body: PreviewBody,
        response: {
          200: MediaResponse('audio/wav', "the prompt as the customer would hear it (Asterisk's own sounds are named in x-prompt-skipped, not played)"),
          ...ErrorResponses,
        },
      },
    },
    async (req, reply) => {
      const customer = { ...SAMPLE_CUSTOMER, ...req.body.customer };
      const p = await previewPrompt(render, req.body.prompt, customer, req.body.locale ?? null, deps.config.bank);
      // The body is binary: sent on the raw reply type, outside the JSON response schemas.
      return (reply as unknown as import('fastify').FastifyReply)
        .header('content-type', 'audio/wav')
        .header('cache-control', 'no-store')
        .header('x-prompt-locale', p.locale)
        .header('x-prompt-skipped', p.skipped.join(','))
        .send(p.wav);
    },
  );
}
