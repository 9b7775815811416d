import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../shared/logger.js';
import { AppError } from '../shared/errors.js';
import { renderText, validatePrompt, type PromptBank, type PromptCustomer } from './prompt.template.js';
import { nearestLocale } from './locale.match.js';
import { toSpeechLocale, type SpeechLocale } from './speak.words.js';
import type { TtsEngine } from './tts.engine.js';
import { isTelephonyWav, parseWav } from './wav.js';

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
  /** Shared between renders, so one process runs TTS once for a hash that several calls need at once. */
  inflight?: Map<string, Promise<void>>;
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

const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/** The cache key of one spoken text: engine (with its settings), locale and the exact words. */
export function ttsHash(engineId: string, locale: SpeechLocale, text: string): string {
  return sha256(`${engineId}\n${locale}\n${text}`);
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
 * Writes `bytes` to `dir/name` so that a reader (Asterisk) never sees a partial file: a unique
 * temporary name in the same folder, then rename, which replaces atomically. Two writers of the
 * same content-addressed name both succeed and leave one whole file.
 */
export async function writeFileAtomic(dir: string, name: string, bytes: Buffer): Promise<void> {
  const final = join(dir, name);
  const tmp = `${final}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  // Only here, where a file is written: a cache hit (every call after the first) needs no mkdir.
  await mkdir(dir, { recursive: true });
  try {
    await writeFile(tmp, bytes, { mode: 0o644 });
    await rename(tmp, final);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}

async function touch(file: string): Promise<boolean> {
  try {
    const now = new Date();
    await utimes(file, now, now);
    return true;
  } catch {
    return false;
  }
}

async function ensureTts(deps: RenderDeps, hash: string, text: string, locale: SpeechLocale): Promise<void> {
  const file = join(deps.promptDir, `${hash}.wav`);
  // Touched on use: pruneRenderedPrompts drops what no call has needed for a while.
  if ((await exists(file)) && (await touch(file))) {
    deps.log.debug({ hash, locale }, 'prompt cache hit');
    return;
  }
  const started = Date.now();
  const audio = await deps.tts.synthesize(text, locale);
  if (!isTelephonyWav(parseWav(audio))) {
    throw new PromptRenderError('tts_bad_audio', `TTS engine ${deps.tts.id} did not return 8 kHz mono 16-bit wav`, { engine: deps.tts.id });
  }
  await writeFileAtomic(deps.promptDir, `${hash}.wav`, audio);
  deps.log.debug({ hash, locale, ms: Date.now() - started, bytes: audio.length }, 'prompt rendered');
}

function renderOnce(deps: RenderDeps, hash: string, text: string, locale: SpeechLocale): Promise<void> {
  const inflight = deps.inflight;
  const running = inflight?.get(hash);
  if (running) return running;
  const p = ensureTts(deps, hash, text, locale).finally(() => inflight?.delete(hash));
  inflight?.set(hash, p);
  return p;
}

/**
 * Renders what a customer will hear, before the call is placed: TTS segments become cached
 * WAV files named by content hash (TTS runs only for text not rendered before), audio
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
    const text = renderText(template, customer, bank, ttsLocale);
    const hash = ttsHash(deps.tts.id, ttsLocale, text);
    await renderOnce(deps, hash, text, ttsLocale);
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
          if (!/^[0-9a-f]{64}\.wav$/.test(file) || !(await exists(join(deps.promptDir, file)))) {
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
