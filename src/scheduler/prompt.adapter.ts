import type { Config } from '../config.js';
import type { Queryable } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import type { PromptPort } from '../dialer/ports.js';
import { ensuredSentences, renderPromptAudio, type RenderDeps } from '../prompts/prompt.render.js';
import { EspeakTts, type TtsEngine } from '../prompts/tts.engine.js';
import { createPromptLookup } from '../prompts/prompts.repo.js';
import { createPieceStore } from '../prompts/speech.pieces.js';
import type { SpeechLocale } from '../prompts/speak.words.js';

/** TTS runs (speech pieces) a dial job may have going at once in one worker (each is espeak-ng + sox). */
export const DIAL_TTS_CONCURRENCY = 4;
/** Niceness of the TTS processes that render ahead of the dial (live calls go first). */
export const AHEAD_NICENESS = 10;

/**
 * At most `n` syntheses at once, the rest wait in arrival order: a campaign's first window of
 * dial jobs, each needing its own sentence, would otherwise start hundreds of TTS processes at
 * once and none would finish soon (measured: 7 s from launch to the first call for 600).
 */
export function limitTts(engine: TtsEngine, n: number): TtsEngine {
  let running = 0;
  const waiting: Array<() => void> = [];
  return {
    id: engine.id,
    async synthesize(text: string, locale: SpeechLocale) {
      if (running >= n) await new Promise<void>((r) => waiting.push(r));
      else running++;
      try {
        return await engine.synthesize(text, locale);
      } finally {
        const next = waiting.shift();
        if (next) next();
        else running--;
      }
    },
  };
}

export interface PromptPorts {
  /** A dial job's own render: what it does not find ready is rendered now (bounded, not nice'd). */
  render: PromptPort;
  /** Rendering ahead of the dial (`render-ahead.ts`): nice'd TTS processes. */
  ahead: PromptPort;
}

/**
 * The worker's prompt renderers: sentences joined from cached speech pieces, by content hash.
 * Both share one in-flight map and one piece store, so a dial job whose sentence (or piece) is
 * being rendered ahead right now waits for that render instead of starting a second one (the ahead side only renders when it has a turn, so nothing queued
 * there can hold a dial job back). `tts`/`aheadTts` are for tests.
 */
export function createPromptPorts(config: Config, db: Queryable, log: Logger, tts?: TtsEngine, aheadTts?: TtsEngine): PromptPorts {
  const base: Omit<RenderDeps, 'tts'> = {
    promptDir: config.paths.promptDir,
    promptDirOnAsterisk: config.paths.promptDirOnAsterisk,
    log,
    lookupPrompt: createPromptLookup(db),
    inflight: new Map(),
    ensured: ensuredSentences(),
    // One per worker: the pieces (phrases, number words, names) every sentence is joined from.
    pieces: createPieceStore(),
  };
  const port = (engine: TtsEngine): PromptPort => {
    const deps: RenderDeps = { ...base, tts: engine };
    return async (campaignPrompt, customer, locale) => {
      const r = await renderPromptAudio(deps, campaignPrompt, customer, locale, config.bank);
      return { media: r.media, version: r.version };
    };
  };
  return {
    render: port(limitTts(tts ?? new EspeakTts(), DIAL_TTS_CONCURRENCY)),
    ahead: port(aheadTts ?? tts ?? new EspeakTts({ niceness: AHEAD_NICENESS })),
  };
}

/** The dial job's renderer alone (callers that do not render ahead). */
export function createPromptPort(config: Config, db: Queryable, log: Logger, tts?: TtsEngine): PromptPort {
  return createPromptPorts(config, db, log, tts).render;
}
