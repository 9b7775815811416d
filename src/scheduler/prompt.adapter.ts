import type { Config } from '../config.js';
import type { Queryable } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import type { PromptPort } from '../dialer/ports.js';
import { renderPromptAudio, type RenderDeps } from '../prompts/prompt.render.js';
import { EspeakTts, type TtsEngine } from '../prompts/tts.engine.js';
import { createPromptLookup } from '../prompts/prompts.repo.js';

/** The worker's prompt renderer: TTS cached by content hash, rendered before the call. */
export function createPromptPort(config: Config, db: Queryable, log: Logger, tts: TtsEngine = new EspeakTts()): PromptPort {
  const deps: RenderDeps = {
    tts,
    promptDir: config.paths.promptDir,
    promptDirOnAsterisk: config.paths.promptDirOnAsterisk,
    log,
    lookupPrompt: createPromptLookup(db),
    inflight: new Map(),
  };
  return async (campaignPrompt, customer, locale) => {
    const r = await renderPromptAudio(deps, campaignPrompt, customer, locale, config.bank);
    return { media: r.media, version: r.version };
  };
}
