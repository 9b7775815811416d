import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderPromptAudio, type RenderDeps } from './prompt.render.js';
import type { PromptBank, PromptCustomer } from './prompt.template.js';
import { pcmOf, wavFromPcm } from './wav.js';

/** The sample customer a preview is rendered for when the caller names none. */
export const SAMPLE_CUSTOMER: Readonly<PromptCustomer> = Object.freeze({
  name: '王小明',
  amountDue: '3200.00',
  currency: 'CNY',
  dueDate: '2026-11-10',
  daysPastDue: 27,
  locale: 'zh-CN',
});

const GAP = Buffer.alloc(8000 * 2 * 0.25); // a quarter second of silence between segments

export interface PromptPreview {
  wav: Buffer;
  locale: string;
  /** Asterisk's own sounds (`sound:hello-world`) live in Asterisk, not here: named, not played. */
  skipped: string[];
}

/**
 * What a customer would hear, as one WAV for a browser: the same renderer the dialer uses (TTS
 * cached by content hash, uploaded audio resolved), its files joined with short pauses.
 */
export async function previewPrompt(
  deps: RenderDeps,
  prompt: unknown,
  customer: PromptCustomer,
  locale: string | null,
  bank: PromptBank,
): Promise<PromptPreview> {
  const rendered = await renderPromptAudio(deps, prompt, customer, locale, bank);
  const base = `sound:${deps.promptDirOnAsterisk.replace(/\/+$/, '')}/`;
  const parts: Buffer[] = [];
  const skipped: string[] = [];
  for (const m of rendered.media) {
    if (!m.startsWith(base)) {
      skipped.push(m.slice('sound:'.length));
      continue;
    }
    if (parts.length > 0) parts.push(GAP);
    parts.push(pcmOf(await readFile(join(deps.promptDir, `${m.slice(base.length)}.wav`))));
  }
  return { wav: wavFromPcm(Buffer.concat(parts)), locale: rendered.locale, skipped };
}
