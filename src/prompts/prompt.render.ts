import { join } from 'node:path';
import type { Logger } from '../shared/logger.js';
import { AppError } from '../shared/errors.js';
import { validatePrompt, type PromptBank, type PromptCustomer } from './prompt.template.js';
import { nearestLocale } from './locale.match.js';
import { fileExists, sha256, touch, writeFileAtomic } from './prompt.files.js';
import { toSpeechLocale, type SpeechLocale } from './speak.words.js';
import { composeSentence, createPieceStore, PieceAudioError, sentenceHash, type PieceStore } from './speech.pieces.js';
import { planSpeech, type SpeechPart } from './speech.plan.js';
import type { TtsEngine } from './tts.engine.js';
import { isTelephonyWav, parseWav } from './wav.js';

export { ttsHash, writeFileAtomic } from './prompt.files.js';

/** A `prompts` row as the renderer needs it. */
export interface StoredPrompt {
  id: number;
  kind: 'audio' | 'tts';
  locale: string;
  text: string | null;
  /** File name under the prompt folder, e.g. "<sha256>.wav". */
  audioFile: string | null;
}

export type PromptLookup = (id: number) => Promise<StoredPrompt | undefined>;

export interface RenderDeps {
  tts: TtsEngine;
  /** Host folder the audio is written to. */
  promptDir: string;
  /** The same folder as Asterisk sees it (Asterisk runs in a chroot). */
  promptDirOnAsterisk: string;
  log: Logger;
  /** Resolves `{type:'audio', promptId}` segments; needed only when a prompt has them. */
  lookupPrompt?: PromptLookup;
  /** Shared between renders, so one process joins a sentence once when several calls need it at once. */
  inflight?: Map<string, Promise<void>>;
  /** Sentences this process found or wrote lately (`ensuredSentences()`): share one per process. */
  ensured?: EnsuredSentences;
  /**
   * The speech pieces this process has rendered (`speech.pieces.ts`): share one per process.
   * Without it a render still finds pieces in the prompt folder, but reads each file per use.
   */
  pieces?: PieceStore;
}

export interface RenderedPrompt {
  /** ARI media URIs in playing order, e.g. "sound:/var/lib/ringwise/prompts/<hash>". */
  media: string[];
  /** Hash of the whole rendered sequence: the ledger's `prompt_version`. */
  version: string;
  /** The campaign locale that was used. */
  locale: string;
}

export class PromptRenderError extends AppError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, 422, details);
    this.name = 'PromptRenderError';
  }
}

/**
 * The campaign locale a customer hears: the nearest to theirs (locale.match.ts), else the
 * campaign's first (imports refuse a language without a prompt; older rows may still have one).
 */
export function pickPromptLocale(available: readonly string[], customerLocale: string | null | undefined): string | undefined {
  if (customerLocale && available.includes(customerLocale)) return customerLocale;
  return nearestLocale(customerLocale, available) ?? available[0];
}

/**
 * When each sentence was last found (and touched) or written by this process. Every call of a
 * campaign hears the same menu and agent sentences: without this, each of them cost a stat and
 * a utimes (two file-system round trips through libuv's pool) per call. A sentence seen within
 * `ENSURED_FRESH_MS` is taken as there: the prune keeps what was touched for far longer
 * (`pruneRenderedPrompts`, hours), so a file touched this recently is never pruned under it.
 */
export interface EnsuredSentences {
  seen: Map<string, number>;
}

export const ENSURED_FRESH_MS = 5 * 60_000;
const ENSURED_MAX = 50_000;

export function ensuredSentences(): EnsuredSentences {
  return { seen: new Map() };
}

function noteEnsured(ensured: EnsuredSentences | undefined, hash: string): void {
  if (!ensured) return;
  // Personalised sentences are each heard once: the memo must not grow with the campaign.
  if (ensured.seen.size >= ENSURED_MAX) ensured.seen.clear();
  ensured.seen.set(hash, Date.now());
}

async function ensureSentence(deps: RenderDeps, hash: string, plan: readonly SpeechPart[], locale: SpeechLocale): Promise<void> {
  const seenAt = deps.ensured?.seen.get(hash);
  if (seenAt !== undefined && Date.now() - seenAt < ENSURED_FRESH_MS) return;
  const file = join(deps.promptDir, `${hash}.wav`);
  // Touched on use: pruneRenderedPrompts drops what no call has needed for a while.
  if ((await fileExists(file)) && (await touch(file))) return noteEnsured(deps.ensured, hash);
  let audio: Buffer;
  try {
    audio = await composeSentence({ tts: deps.tts, promptDir: deps.promptDir, log: deps.log, pieces: deps.pieces ?? createPieceStore() }, plan, locale);
  } catch (err) {
    if (err instanceof PieceAudioError) throw new PromptRenderError('tts_bad_audio', err.message, { engine: deps.tts.id });
    throw err;
  }
  if (!isTelephonyWav(parseWav(audio))) throw new PromptRenderError('tts_bad_audio', `TTS engine ${deps.tts.id} produced no audio`, { engine: deps.tts.id });
  await writeFileAtomic(deps.promptDir, `${hash}.wav`, audio);
  noteEnsured(deps.ensured, hash);
}

function renderOnce(deps: RenderDeps, hash: string, plan: readonly SpeechPart[], locale: SpeechLocale): Promise<void> {
  const inflight = deps.inflight;
  const running = inflight?.get(hash);
  if (running) return running;
  const p = ensureSentence(deps, hash, plan, locale).finally(() => inflight?.delete(hash));
  inflight?.set(hash, p);
  return p;
}

/**
 * Renders what a customer will hear, before the call is placed: TTS segments become cached
 * WAV files named by the sentence's content hash, joined from speech pieces (the template's
 * phrases, the field's words: `speech.plan.ts`) that TTS renders once each, so a new customer
 * costs a join in memory, not a TTS run; audio
 * segments resolve to their uploaded files, sound segments pass through. Throws 422-style
 * errors (PromptRenderError, PromptFieldMissingError, ValidationError) when the prompt cannot
 * be rendered for this customer; the call should not be placed then.
 */
export async function renderPromptAudio(
  deps: RenderDeps,
  campaignPrompt: unknown,
  customer: PromptCustomer,
  locale: string | null | undefined,
  bank: PromptBank,
): Promise<RenderedPrompt> {
  const prompt = validatePrompt(campaignPrompt);
  const chosen = pickPromptLocale(Object.keys(prompt), locale ?? customer.locale);
  const segments = chosen ? prompt[chosen]?.segments : undefined;
  const speech = toSpeechLocale(chosen);
  if (!chosen || !segments || !speech) throw new PromptRenderError('prompt_missing', 'the campaign has no prompt');
  const onAsterisk = (hash: string) => `sound:${deps.promptDirOnAsterisk.replace(/\/+$/, '')}/${hash}`;

  const tts = async (template: string, ttsLocale: SpeechLocale): Promise<string> => {
    const plan = planSpeech(template, customer, bank, ttsLocale);
    const hash = sentenceHash(deps.tts.id, ttsLocale, plan);
    await renderOnce(deps, hash, plan, ttsLocale);
    return onAsterisk(hash);
  };

  const media = await Promise.all(
    segments.map(async (s): Promise<string> => {
      switch (s.type) {
        case 'sound':
          return `sound:${s.name}`;
        case 'tts':
          return tts(s.text, speech);
        case 'audio': {
          const stored = deps.lookupPrompt ? await deps.lookupPrompt(s.promptId) : undefined;
          if (!stored) throw new PromptRenderError('prompt_not_found', `prompt ${s.promptId} does not exist`, { promptId: s.promptId });
          if (stored.kind === 'tts' && stored.text !== null) return tts(stored.text, toSpeechLocale(stored.locale) ?? speech);
          const file = stored.audioFile ?? '';
          if (!/^[0-9a-f]{64}\.wav$/.test(file) || !(await fileExists(join(deps.promptDir, file)))) {
            throw new PromptRenderError('prompt_audio_missing', `the audio of prompt ${s.promptId} is missing from the prompt folder`, {
              promptId: s.promptId,
            });
          }
          return onAsterisk(file.slice(0, -'.wav'.length));
        }
      }
    }),
  );
  return { media, version: sha256(JSON.stringify([chosen, media])).slice(0, 16), locale: chosen };
}
