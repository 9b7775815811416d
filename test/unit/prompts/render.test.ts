import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pickPromptLocale, renderPromptAudio, type RenderDeps, type StoredPrompt } from '../../../src/prompts/prompt.render.js';
import type { PromptCustomer } from '../../../src/prompts/prompt.template.js';
import { joinPcm, trimSilence } from '../../../src/prompts/pcm.js';
import type { SpeechLocale } from '../../../src/prompts/speak.words.js';
import { createPieceStore, sentenceHash } from '../../../src/prompts/speech.pieces.js';
import { planSpeech } from '../../../src/prompts/speech.plan.js';
import type { TtsEngine } from '../../../src/prompts/tts.engine.js';
import { pcmOf, wavFromPcm } from '../../../src/prompts/wav.js';
import { createLogger } from '../../../src/shared/logger.js';
import { AppError } from '../../../src/shared/errors.js';

/** Speech as a TTS engine would make it: silence, a sound that differs per text, a long silence. */
function fakeSpeech(text: string): Buffer {
  const level = 1000 + ([...text].reduce((a, c) => a + (c.codePointAt(0) ?? 0), 0) % 20_000);
  const sound = Buffer.alloc(2 * 40 * [...text].length);
  for (let i = 0; i < sound.length / 2; i++) sound.writeInt16LE(i % 2 ? level : -level, i * 2);
  return Buffer.concat([Buffer.alloc(2 * 400), sound, Buffer.alloc(2 * 2800)]);
}

class FakeTts implements TtsEngine {
  readonly id = 'fake:1';
  calls: Array<{ text: string; locale: SpeechLocale }> = [];
  async synthesize(text: string, locale: SpeechLocale): Promise<Buffer> {
    this.calls.push({ text, locale });
    await new Promise((r) => setTimeout(r, 5));
    return wavFromPcm(fakeSpeech(text));
  }
}

/** What the renderer must write for a plan: each piece's speech trimmed, joined with the plan's pauses. */
function expectedPcm(template: string, c: PromptCustomer, locale: SpeechLocale): Buffer {
  return joinPcm(planSpeech(template, c, bank, locale).map((p) => (p.kind === 'say' ? trimSilence(fakeSpeech(p.text)) : p.ms)));
}

const customer: PromptCustomer = { name: '张三', locale: 'zh-CN', amountDue: '3200', currency: 'CNY', dueDate: '2026-12-05', daysPastDue: 15 };
const bank = { name: '示例银行', callbackNumber: '+8695500' };
const prompt = {
  'zh-CN': {
    segments: [
      { type: 'sound', name: 'beep' },
      { type: 'tts', text: '您好{name}，您的贷款{amount}已逾期。' },
      { type: 'audio', promptId: 7 },
    ],
  },
  'en-US': { segments: [{ type: 'tts', text: 'Hello {name}.' }] },
};
const upload = `${'a'.repeat(64)}.wav`;

let dir: string;
let tts: FakeTts;
let deps: RenderDeps;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ringwise-prompts-'));
  tts = new FakeTts();
  await writeFile(join(dir, upload), wavFromPcm(Buffer.alloc(160)));
  const rows: Record<number, StoredPrompt> = {
    7: { id: 7, kind: 'audio', locale: 'zh-CN', text: null, audioFile: upload },
    8: { id: 8, kind: 'tts', locale: 'en-US', text: 'Call {callback_number}.', audioFile: null },
    9: { id: 9, kind: 'audio', locale: 'zh-CN', text: null, audioFile: `${'b'.repeat(64)}.wav` },
  };
  deps = {
    tts,
    promptDir: dir,
    promptDirOnAsterisk: '/srv/prompts/',
    log: createLogger('silent'),
    lookupPrompt: async (id) => rows[id],
    inflight: new Map(),
    pieces: createPieceStore(),
  };
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return err instanceof AppError ? err.code : String(err);
  }
  return undefined;
}

describe('renderPromptAudio', () => {
  const zhText = '您好{name}，您的贷款{amount}已逾期。';
  const zhPieces = ['您好', '张', '三', '您的贷款', '三', '千', '二', '百', '元', '已逾期'];
  const fileOf = (uri: string) => join(dir, `${uri.split('/').pop()}.wav`);

  it('turns segments into sound: URIs in order; a TTS segment is its pieces joined, by content hash', async () => {
    const r = await renderPromptAudio(deps, prompt, customer, 'zh-CN', bank);
    const hash = sentenceHash('fake:1', 'zh-CN', planSpeech(zhText, customer, bank, 'zh-CN'));
    expect(r.media).toEqual(['sound:beep', `sound:/srv/prompts/${hash}`, `sound:/srv/prompts/${'a'.repeat(64)}`]);
    expect(r.locale).toBe('zh-CN');
    expect(r.version).toMatch(/^[0-9a-f]{16}$/);
    // Each distinct piece once (三 is said twice), never the whole sentence.
    expect(tts.calls.map((c) => c.text).sort()).toEqual([...new Set(zhPieces)].sort());
    expect(tts.calls.every((c) => c.locale === 'zh-CN')).toBe(true);
    expect(pcmOf(await readFile(fileOf(r.media[1]!)))).toEqual(expectedPcm(zhText, customer, 'zh-CN'));
    // The upload, the sentence and one file per piece.
    expect(await readdir(dir)).toHaveLength(2 + new Set(zhPieces).size);
  });

  it('joins a new customer from pieces already rendered: no TTS run, only the words never said before', async () => {
    const a = await renderPromptAudio(deps, prompt, customer, 'zh-CN', bank);
    const b = await renderPromptAudio(deps, prompt, customer, 'zh-CN', bank);
    expect(b).toEqual(a);
    const before = tts.calls.length;
    const other = { ...customer, name: '三张', amountDue: '2300' };
    const c = await renderPromptAudio(deps, prompt, other, 'zh-CN', bank);
    expect(tts.calls.length).toBe(before);
    expect(c.version).not.toBe(a.version);
    expect(pcmOf(await readFile(fileOf(c.media[1]!)))).toEqual(expectedPcm(zhText, other, 'zh-CN'));
    await renderPromptAudio(deps, prompt, { ...customer, name: '李四' }, 'zh-CN', bank);
    expect(tts.calls.slice(before).map((x) => x.text)).toEqual(['李', '四']);
  });

  it('renders each piece once for many concurrent renders, and a restarted process reads them back', async () => {
    const all = await Promise.all(
      Array.from({ length: 20 }, (_, i) => renderPromptAudio(deps, prompt, { ...customer, amountDue: String(3200 + i) }, 'zh-CN', bank)),
    );
    expect(new Set(all.map((r) => r.version)).size).toBe(20);
    expect(tts.calls.length).toBe(new Set(tts.calls.map((c) => c.text)).size);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // A new process: empty memory, the same folder. Pieces come from their files, not from TTS.
    const fresh = new FakeTts();
    const other = { ...customer, currency: 'GBP' };
    const r = await renderPromptAudio({ ...deps, tts: fresh, pieces: createPieceStore(), inflight: new Map() }, prompt, other, 'zh-CN', bank);
    expect(fresh.calls.map((c) => c.text).sort()).toEqual(['英', '镑'].sort());
    expect(pcmOf(await readFile(fileOf(r.media[1]!)))).toEqual(expectedPcm(zhText, other, 'zh-CN'));
  });

  it('keeps a bounded piece store: the oldest pieces go first', async () => {
    const pieces = createPieceStore(1);
    await renderPromptAudio({ ...deps, pieces }, prompt, customer, 'zh-CN', bank);
    expect(pieces.pcm.size).toBe(1);
    expect(pieces.bytes).toBe([...pieces.pcm.values()][0]!.length);
  });

  it('falls back to a matching language, then to the first locale of the prompt', async () => {
    expect((await renderPromptAudio(deps, prompt, customer, 'en', bank)).locale).toBe('en-US');
    expect((await renderPromptAudio(deps, prompt, customer, 'fr-FR', bank)).locale).toBe('zh-CN');
    expect((await renderPromptAudio(deps, prompt, { ...customer, locale: 'en-US' }, null, bank)).locale).toBe('en-US');
    expect(pickPromptLocale([], 'zh-CN')).toBeUndefined();
  });

  it('speaks a language-only locale key in its language', async () => {
    const r = await renderPromptAudio(
      deps,
      { en: { segments: [{ type: 'tts', text: 'You owe {amount}.' }] } },
      { ...customer, currency: 'USD' },
      'en-US',
      bank,
    );
    expect(r.locale).toBe('en');
    expect(tts.calls.map((c) => c.text).sort()).toEqual(['You owe', 'three', 'thousand', 'two', 'hundred', 'dollars'].sort());
    expect(tts.calls.every((c) => c.locale === 'en-US')).toBe(true);
  });

  it('speaks stored TTS prompts in their own locale', async () => {
    const r = await renderPromptAudio(deps, { 'zh-CN': { segments: [{ type: 'audio', promptId: 8 }] } }, customer, 'zh-CN', bank);
    expect(tts.calls.map((c) => c.text).sort()).toEqual(['Call', 'nine', 'five', 'zero'].sort());
    expect(tts.calls.every((c) => c.locale === 'en-US')).toBe(true);
    const plan = planSpeech('Call {callback_number}.', customer, bank, 'en-US');
    expect(r.media[0]).toBe(`sound:/srv/prompts/${sentenceHash('fake:1', 'en-US', plan)}`);
  });

  it('refuses what cannot be played', async () => {
    expect(await codeOf(renderPromptAudio(deps, {}, customer, 'zh-CN', bank))).toBe('prompt_missing');
    expect(await codeOf(renderPromptAudio(deps, { 'zh-CN': { segments: [{ type: 'audio', promptId: 99 }] } }, customer, 'zh-CN', bank))).toBe(
      'prompt_not_found',
    );
    expect(await codeOf(renderPromptAudio(deps, { 'zh-CN': { segments: [{ type: 'audio', promptId: 9 }] } }, customer, 'zh-CN', bank))).toBe(
      'prompt_audio_missing',
    );
    expect(await codeOf(renderPromptAudio(deps, prompt, { ...customer, amountDue: null }, 'zh-CN', bank))).toBe('prompt_field_missing');
    expect(await codeOf(renderPromptAudio(deps, { 'zh-CN': { segments: [{ type: 'tts', text: '{x}' }] } }, customer, 'zh-CN', bank))).toBe(
      'prompt_unknown_field',
    );
  });

  it('refuses audio from an engine that is not 8 kHz mono 16-bit', async () => {
    const bad: TtsEngine = { id: 'bad', synthesize: async () => wavFromPcm(Buffer.alloc(100), 22050) };
    expect(await codeOf(renderPromptAudio({ ...deps, tts: bad }, prompt, customer, 'zh-CN', bank))).toBe('tts_bad_audio');
    const silent: TtsEngine = { id: 'silent', synthesize: async () => wavFromPcm(Buffer.alloc(1600)) };
    const oneWord = { 'zh-CN': { segments: [{ type: 'tts', text: '{name}' }] } };
    expect(await codeOf(renderPromptAudio({ ...deps, tts: silent }, oneWord, customer, 'zh-CN', bank))).toBe('tts_bad_audio');
  });
});
