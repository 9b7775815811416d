import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../shared/logger.js';
import { touch, ttsHash, writeFileAtomic } from './prompt.files.js';
import { joinPcm, SILENCE_LEVEL, TRIM_MARGIN_MS, trimSilence } from './pcm.js';
import type { SpeechLocale } from './speak.words.js';
import type { SpeechPart } from './speech.plan.js';
import type { TtsEngine } from './tts.engine.js';
import { parseWav, pcmOf, wavFromPcm, type WavInfo } from './wav.js';

/**
 * The pieces a worker has rendered, in memory (trimmed PCM by piece hash), bounded by bytes:
 * the oldest go first. A piece is also a file in the prompt folder (`<hash>.wav`), so a
 * restarted worker reads it back instead of running TTS again.
 */
export interface PieceStore {
  readonly pcm: Map<string, Buffer>;
  bytes: number;
  readonly maxBytes: number;
  readonly inflight: Map<string, Promise<Buffer>>;
}

/** 64 MiB holds ~8,000 pieces (a word is ~0.5 s, 8 KB): every number word and many names. */
export function createPieceStore(maxBytes = 64 * 1024 * 1024): PieceStore {
  return { pcm: new Map(), bytes: 0, maxBytes, inflight: new Map() };
}

export interface PieceDeps {
  tts: TtsEngine;
  promptDir: string;
  log: Logger;
  pieces: PieceStore;
}

export class PieceAudioError extends Error {
  constructor(readonly engine: string) {
    super(`TTS engine ${engine} did not return 8 kHz mono 16-bit wav`);
    this.name = 'PieceAudioError';
  }
}

const TRIM = `trim:${SILENCE_LEVEL}:${TRIM_MARGIN_MS.before}:${TRIM_MARGIN_MS.after}`;

/** A piece's cache key: its words, the engine and how it was trimmed (apart from whole-text renders). */
export function pieceHash(engineId: string, locale: SpeechLocale, text: string): string {
  return ttsHash(`${engineId}:piece:${TRIM}`, locale, text);
}

/**
 * A joined sentence's cache key: its pieces and pauses in order (so a change of the pauses or of
 * the splitting is a new file, never an old join played), the engine and the trimming.
 */
export function sentenceHash(engineId: string, locale: SpeechLocale, plan: readonly SpeechPart[]): string {
  return ttsHash(`${engineId}+pieces:${TRIM}`, locale, plan.map((p) => (p.kind === 'say' ? p.text : `\u0000${p.ms}\u0000`)).join(''));
}

const isSlin = (i: WavInfo | undefined): i is WavInfo => !!i && i.format === 1 && i.sampleRate === 8000 && i.channels === 1 && i.bitsPerSample === 16;

function remember(store: PieceStore, hash: string, pcm: Buffer): void {
  if (store.pcm.has(hash)) return;
  store.pcm.set(hash, pcm);
  store.bytes += pcm.length;
  for (const [k, v] of store.pcm) {
    if (store.bytes <= store.maxBytes || k === hash) break;
    store.pcm.delete(k);
    store.bytes -= v.length;
  }
}

async function loadOrRender(deps: PieceDeps, hash: string, text: string, locale: SpeechLocale): Promise<Buffer> {
  const name = `${hash}.wav`;
  const file = join(deps.promptDir, name);
  const onDisk = await readFile(file).catch(() => undefined);
  if (onDisk && isSlin(parseWav(onDisk))) {
    void touch(file);
    return Buffer.from(pcmOf(onDisk));
  }
  const wav = await deps.tts.synthesize(text, locale);
  if (!isSlin(parseWav(wav))) throw new PieceAudioError(deps.tts.id);
  // A copy: the trimmed view would keep the whole TTS output alive in the store.
  const pcm = Buffer.from(trimSilence(pcmOf(wav)));
  await writeFileAtomic(deps.promptDir, name, wavFromPcm(pcm));
  deps.log.debug({ hash, locale, bytes: pcm.length }, 'speech piece rendered');
  return pcm;
}

/** One piece's trimmed PCM: from memory, else its file, else one TTS run (once per process for concurrent callers). */
export function piecePcm(deps: PieceDeps, text: string, locale: SpeechLocale): Promise<Buffer> {
  const hash = pieceHash(deps.tts.id, locale, text);
  const hit = deps.pieces.pcm.get(hash);
  if (hit) return Promise.resolve(hit);
  const running = deps.pieces.inflight.get(hash);
  if (running) return running;
  const p = loadOrRender(deps, hash, text, locale)
    .then((pcm) => {
      remember(deps.pieces, hash, pcm);
      return pcm;
    })
    .finally(() => deps.pieces.inflight.delete(hash));
  deps.pieces.inflight.set(hash, p);
  return p;
}

/** A planned sentence as one 8 kHz WAV: its pieces (rendered where missing) joined with its pauses. */
export async function composeSentence(deps: PieceDeps, plan: readonly SpeechPart[], locale: SpeechLocale): Promise<Buffer> {
  const parts = await Promise.all(plan.map((p) => (p.kind === 'say' ? piecePcm(deps, p.text, locale) : Promise.resolve(p.ms))));
  return wavFromPcm(joinPcm(parts));
}
