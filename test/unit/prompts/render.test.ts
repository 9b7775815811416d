import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pickPromptLocale, renderPromptAudio, ttsHash, type RenderDeps, type StoredPrompt } from '../../../src/prompts/prompt.render.js';
import type { PromptCustomer } from '../../../src/prompts/prompt.template.js';
import type { SpeechLocale } from '../../../src/prompts/speak.words.js';
import type { TtsEngine } from '../../../src/prompts/tts.engine.js';
import { wavFromPcm } from '../../../src/prompts/wav.js';
import { createLogger } from '../../../src/shared/logger.js';
import { AppError } from '../../../src/shared/errors.js';

class FakeTts implements TtsEngine {
  readonly id = 'fake:1';
  calls: Array<{ text: string; locale: SpeechLocale }> = [];
  async synthesize(text: string, locale: SpeechLocale): Promise<Buffer> {
    this.calls.push({ text, locale });
    await new Promise((r) => setTimeout(r, 5));
    return wavFromPcm(Buffer.alloc(1600));
  }
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
  deps = { tts, promptDir: dir, promptDirOnAsterisk: '/srv/prompts/', log: createLogger('silent'), lookupPrompt: async (id) => rows[id], inflight: new Map() };
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
  it('turns segments into sound: URIs in order, TTS cached by content hash', async () => {
    const r = await renderPromptAudio(deps, prompt, customer, 'zh-CN', bank);
    const hash = ttsHash('fake:1', 'zh-CN', '您好张三，您的贷款三千二百元已逾期。');
    expect(r.media).toEqual(['sound:beep', `sound:/srv/prompts/${hash}`, `sound:/srv/prompts/${'a'.repeat(64)}`]);
    expect(r.locale).toBe('zh-CN');
    expect(r.version).toMatch(/^[0-9a-f]{16}$/);
    expect(tts.calls).toEqual([{ text: '您好张三，您的贷款三千二百元已逾期。', locale: 'zh-CN' }]);
    expect((await readdir(dir)).sort()).toEqual([upload, `${hash}.wav`].sort());
  });

  it('does not run TTS again for text it has rendered, and the version is stable', async () => {
    const a = await renderPromptAudio(deps, prompt, customer, 'zh-CN', bank);
    const b = await renderPromptAudio(deps, prompt, customer, 'zh-CN', bank);
    expect(tts.calls).toHaveLength(1);
    expect(b).toEqual(a);
    const other = await renderPromptAudio(deps, prompt, { ...customer, amountDue: '3300' }, 'zh-CN', bank);
    expect(tts.calls).toHaveLength(2);
    expect(other.version).not.toBe(a.version);
  });

  it('runs TTS once for many concurrent renders of the same text', async () => {
    const all = await Promise.all(Array.from({ length: 20 }, () => renderPromptAudio(deps, prompt, customer, 'zh-CN', bank)));
    expect(tts.calls).toHaveLength(1);
    expect(new Set(all.map((r) => r.version)).size).toBe(1);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
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
    expect(tts.calls).toEqual([{ text: 'You owe three thousand two hundred dollars.', locale: 'en-US' }]);
  });

  it('speaks stored TTS prompts in their own locale', async () => {
    const r = await renderPromptAudio(deps, { 'zh-CN': { segments: [{ type: 'audio', promptId: 8 }] } }, customer, 'zh-CN', bank);
    expect(tts.calls).toEqual([{ text: 'Call nine five five zero zero.', locale: 'en-US' }]);
    expect(r.media[0]).toBe(`sound:/srv/prompts/${ttsHash('fake:1', 'en-US', 'Call nine five five zero zero.')}`);
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
  });
});
