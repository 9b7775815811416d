import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { renderPromptAudio, type RenderDeps } from '../../src/prompts/prompt.render.js';
import type { PromptCustomer } from '../../src/prompts/prompt.template.js';
import { createPieceStore } from '../../src/prompts/speech.pieces.js';
import { EspeakTts } from '../../src/prompts/tts.engine.js';
import { limitTts } from '../../src/scheduler/prompt.adapter.js';
import { createLogger } from '../../src/shared/logger.js';
import { customerName } from './names.js';

/** The bank the bench's prompts name (the config's defaults). */
export const BENCH_BANK = { name: 'Ringwise Demo Bank', callbackNumber: '+8695500', contactName: '' };

/**
 * The bench's personalised prompts, in both languages (`bench/ringwise.ts` imports them into its
 * campaigns): every customer's sentence differs (name, amount, days), so every call needs its own
 * sentence, joined from speech pieces (phrases, number words, name syllables/words) rendered once each.
 */
export const PERSONALISED = {
  'en-US': { segments: [{ type: 'tts', text: 'Hello {name}. Your payment of {amount} was due on {due_date}. Please pay soon.' }] },
  'zh-CN': { segments: [{ type: 'tts', text: '您好{name}，您的贷款{amount}已逾期{days_past_due}天，请尽快还款。' }] },
};

/** Bench customer i: distinct, half zh-CN and half en-US (the same as the bench's CSV imports). */
export function benchCustomer(i: number): PromptCustomer {
  const locale = i % 2 ? 'en-US' : 'zh-CN';
  return { name: customerName(i, locale), locale, amountDue: `${100 + (i % 9000)}.00`, currency: 'CNY', dueDate: '2026-11-01', daysPastDue: 1 + (i % 60) };
}

/**
 * `n` customers' personalised prompts rendered by ringwise's own renderer into a folder of the
 * sandbox's prompt directory (untimed: for the bare script's same-workload ceiling), as the media
 * lists Asterisk plays; `cleanup` deletes the folder.
 */
export async function preparePersonalisedMedia(
  env: Record<string, string>,
  n: number,
  log?: (s: string) => void,
): Promise<{ calls: string[][]; cleanup: () => Promise<void> }> {
  const host = env['RINGWISE_PROMPT_DIR'];
  const onAsterisk = env['RINGWISE_PROMPT_DIR_ON_ASTERISK'];
  if (!host || !onAsterisk) throw new Error('the sandbox env has no RINGWISE_PROMPT_DIR / RINGWISE_PROMPT_DIR_ON_ASTERISK');
  const sub = `bench-ceiling-${randomBytes(4).toString('hex')}`;
  const deps: RenderDeps = {
    tts: limitTts(new EspeakTts(), 2),
    promptDir: join(host, sub),
    promptDirOnAsterisk: `${onAsterisk}/${sub}`,
    log: createLogger('silent'),
    inflight: new Map(),
    pieces: createPieceStore(),
  };
  const t0 = Date.now();
  const calls: string[][] = new Array(n);
  const next = { i: 0 };
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = next.i++; i < n; i = next.i++) calls[i] = (await renderPromptAudio(deps, PERSONALISED, benchCustomer(i), null, BENCH_BANK)).media;
    }),
  );
  log?.(`ceiling personalised: ${n} prompts rendered in ${Date.now() - t0} ms (before the sweep, untimed)`);
  return { calls, cleanup: () => rm(deps.promptDir, { recursive: true, force: true }) };
}
