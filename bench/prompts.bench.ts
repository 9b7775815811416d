/**
 * CPU per personalised prompt: `node --import tsx bench/prompts.bench.ts [--customers 1000]`.
 * Renders the bench's personalised prompts (bench/ringwise.ts) for distinct customers, half
 * zh-CN, half en-US, into a fresh folder, two ways, and reports the CPU time of this process and
 * of its TTS children (espeak-ng, sox) per prompt:
 * - `sentence`: one TTS run per customer's whole sentence (how prompts were rendered before
 *   pieces, kept here as the baseline);
 * - `pieces, cold`: renderPromptAudio from an empty cache (phrases, number words and names are
 *   rendered as they first appear, then joined);
 * - `pieces, warm`: the next `customers` distinct customers, with the pieces of the first set cached
 *   (what a worker pays per call once it has run a while).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderPromptAudio, type RenderDeps } from '../src/prompts/prompt.render.js';
import { renderText } from '../src/prompts/prompt.template.js';
import { createPieceStore } from '../src/prompts/speech.pieces.js';
import { EspeakTts } from '../src/prompts/tts.engine.js';
import { limitTts } from '../src/scheduler/prompt.adapter.js';
import { createLogger } from '../src/shared/logger.js';
import { BENCH_BANK as bank, benchCustomer as customer, PERSONALISED } from './lib/personalised-media.js';
import { round } from './lib/stats.js';
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const N = Number(argv[argv.indexOf('--customers') + 1] ?? 1000) || 1000;
/** This process's CPU ms and its waited-for children's, from /proc/self/stat. */
function cpu(): { self: number; children: number } {
  const f = readFileSync('/proc/self/stat', 'utf8');
  const x = f
    .slice(f.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  return { self: (x[11]! + x[12]!) * 10, children: (x[13]! + x[14]!) * 10 };
}

async function measure(name: string, n: number, each: (i: number) => Promise<unknown>, first = 0) {
  const before = cpu();
  const t0 = Date.now();
  // As a worker does: several at once (its TTS bounded by limitTts).
  const next = { i: first };
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next.i++; i < first + n; i = next.i++) await each(i);
    }),
  );
  const after = cpu();
  const r = {
    name,
    prompts: n,
    wallMs: Date.now() - t0,
    selfCpuMsPerPrompt: round((after.self - before.self) / n, 2),
    ttsCpuMsPerPrompt: round((after.children - before.children) / n, 2),
  };
  process.stdout.write(`${JSON.stringify(r)}\n`);
  return r;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ringwise-prompt-bench-'));
  try {
    const tts = limitTts(new EspeakTts(), 4);
    const deps: RenderDeps = { tts, promptDir: dir, promptDirOnAsterisk: dir, log: createLogger('silent'), inflight: new Map(), pieces: createPieceStore() };
    await measure('sentence (before)', N, async (i) => {
      const c = customer(i);
      const locale = c.locale as 'zh-CN' | 'en-US';
      await tts.synthesize(renderText(PERSONALISED[locale].segments[0]!.text, c, bank, locale), locale);
    });
    await measure('pieces, cold', N, (i) => renderPromptAudio(deps, PERSONALISED, customer(i), null, bank));
    await measure('pieces, warm', N, (i) => renderPromptAudio(deps, PERSONALISED, customer(i), null, bank), N);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

void main();
