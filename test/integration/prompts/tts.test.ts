import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPromptAudio, type RenderDeps } from '../../../src/prompts/prompt.render.js';
import { renderText, type PromptCustomer } from '../../../src/prompts/prompt.template.js';
import { createPieceStore, sentenceHash } from '../../../src/prompts/speech.pieces.js';
import { planSpeech } from '../../../src/prompts/speech.plan.js';
import type { SpeechLocale } from '../../../src/prompts/speak.words.js';
import { amountWords, countWords, dateWords, digitWords, integerWords } from '../../../src/prompts/speak.words.js';
import { ESPEAK_VOICES, EspeakTts, TtsFailedError, type TtsEngine } from '../../../src/prompts/tts.engine.js';
import { parseWav } from '../../../src/prompts/wav.js';
import { createLogger } from '../../../src/shared/logger.js';

/** Wraps the real engine and counts how often it is asked to speak. */
class CountingTts implements TtsEngine {
  calls = 0;
  constructor(private readonly inner: TtsEngine) {}
  get id(): string {
    return this.inner.id;
  }
  synthesize(text: string, locale: SpeechLocale): Promise<Buffer> {
    this.calls++;
    return this.inner.synthesize(text, locale);
  }
}

function soxi(file: string): { rate: number; channels: number; bits: number; seconds: number } {
  const q = (flag: string) => Number(execFileSync('soxi', [flag, file], { encoding: 'utf8' }).trim());
  return { rate: q('-r'), channels: q('-c'), bits: q('-b'), seconds: q('-D') };
}

const zh: PromptCustomer = { name: '张三', locale: 'zh-CN', amountDue: '3200.00', currency: 'CNY', dueDate: '2026-12-05', daysPastDue: 15 };
const en: PromptCustomer = { name: 'John Smith', locale: 'en-US', amountDue: '3200.50', currency: 'USD', dueDate: '2026-12-05', daysPastDue: 3 };
const bank = { name: 'Ringwise Demo Bank', callbackNumber: '+8695500' };
const prompt = {
  'zh-CN': {
    segments: [
      { type: 'tts', text: '您好{name}，您的贷款{amount}已逾期{days_past_due}天，请于{due_date}前还款。回电请拨{callback_number}。' },
      { type: 'sound', name: 'hello-world' },
    ],
  },
  'en-US': { segments: [{ type: 'tts', text: 'Hello {name}. Your payment of {amount} was due on {due_date}. Please call {callback_number}.' }] },
};

describe('prompt rendering with espeak-ng and sox', () => {
  let dir: string;
  let tts: CountingTts;
  let deps: RenderDeps;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ringwise-tts-'));
    tts = new CountingTts(new EspeakTts());
    deps = {
      tts,
      promptDir: join(dir, 'prompts'),
      promptDirOnAsterisk: '/var/lib/ringwise/prompts',
      log: createLogger('silent'),
      inflight: new Map(),
      pieces: createPieceStore(),
    };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const fileOf = (mediaUri: string) => join(deps.promptDir, `${mediaUri.split('/').pop()}.wav`);

  it.each([
    ['zh-CN', zh],
    ['en-US', en],
  ] as const)('renders %s speech as 8 kHz mono 16-bit wav', async (locale, customer) => {
    const r = await renderPromptAudio(deps, prompt, customer, locale, bank);
    expect(r.locale).toBe(locale);
    const uri = r.media[0]!;
    expect(uri).toMatch(/^sound:\/var\/lib\/ringwise\/prompts\/[0-9a-f]{64}$/);
    const info = soxi(fileOf(uri));
    expect(info).toMatchObject({ rate: 8000, channels: 1, bits: 16 });
    // A sentence of this length takes seconds to say; an empty or truncated render would not.
    expect(info.seconds).toBeGreaterThan(3);
    const header = parseWav(await readFile(fileOf(uri)));
    expect(header).toMatchObject({ format: 1, sampleRate: 8000, channels: 1, bitsPerSample: 16 });
    if (locale === 'zh-CN') expect(r.media[1]).toBe('sound:hello-world');
    // Joined from pieces, it says the same words as espeak-ng saying the sentence whole: a
    // missing piece would make it much shorter, espeak-ng's untrimmed pauses (~350 ms after
    // each of ~30 pieces) much longer.
    const template = (prompt[locale].segments[0] as { text: string }).text;
    const whole = parseWav(await new EspeakTts().synthesize(renderText(template, customer, bank, locale), locale))!.durationMs;
    expect(info.seconds * 1000).toBeGreaterThan(whole * 0.9);
    expect(info.seconds * 1000).toBeLessThan(whole * 1.4);
  });

  it('runs TTS only for words never said before (a new name), never for a whole sentence', async () => {
    const before = tts.calls;
    const a = await renderPromptAudio(deps, prompt, zh, 'zh-CN', bank);
    expect(tts.calls).toBe(before);
    const b = await renderPromptAudio(deps, prompt, { ...zh, name: '李四' }, 'zh-CN', bank);
    expect(tts.calls).toBe(before + 2);
    await renderPromptAudio(deps, prompt, { ...zh, name: '三张', amountDue: '2300.00', daysPastDue: 23 }, 'zh-CN', bank);
    expect(tts.calls).toBe(before + 2);
    expect(b.version).not.toBe(a.version);
    expect(b.media[0]).not.toBe(a.media[0]);
  });

  it('leaves one intact file when renders of one text race (separate processes share no memory)', async () => {
    const customer = { ...zh, name: '王五' };
    const racers = Array.from({ length: 8 }, () => new CountingTts(new EspeakTts()));
    // No shared inflight map: each racer is like another worker process, all writing the same name.
    const results = await Promise.all(racers.map((t) => renderPromptAudio({ ...deps, tts: t, inflight: undefined }, prompt, customer, 'zh-CN', bank)));
    expect(new Set(results.map((r) => r.version)).size).toBe(1);
    expect(racers.reduce((n, t) => n + t.calls, 0)).toBeGreaterThanOrEqual(1);
    const file = fileOf(results[0]!.media[0]!);
    expect(soxi(file)).toMatchObject({ rate: 8000, channels: 1, bits: 16 });
    const bytes = await readFile(file);
    expect(parseWav(bytes)?.dataBytes).toBe(bytes.length - 44);
    expect((await readdir(deps.promptDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('runs TTS once per new piece for concurrent renders in one process', async () => {
    const customer = { ...zh, name: '赵六' };
    const before = tts.calls;
    await Promise.all(Array.from({ length: 10 }, () => renderPromptAudio(deps, prompt, customer, 'zh-CN', bank)));
    expect(tts.calls).toBe(before + 2);
    const plan = planSpeech(prompt['zh-CN'].segments[0]!.text!, customer, bank, 'zh-CN');
    expect(await readdir(deps.promptDir)).toContain(`${sentenceHash(tts.id, 'zh-CN', plan)}.wav`);
  });

  it('reads every Mandarin word the prompts produce as Mandarin, never falling back to English', () => {
    const words = [
      integerWords(1234567890, 'zh-CN'),
      integerWords(100010005, 'zh-CN'),
      countWords(2, 'zh-CN'),
      ...['CNY', 'HKD', 'USD', 'EUR', 'GBP', 'JPY'].map((c) => amountWords('120345.67', c, 'zh-CN')),
      dateWords('2026-12-05', 'zh-CN', { withYear: true }),
      digitWords('0123456789', 'zh-CN'),
      '您好，您的贷款已逾期天，请于前还款。回电请拨',
    ].join('，');
    // -x prints phonemes; a voice switch shows as "(en)" (Debian's `cmn` voice does that for 您, 三, 元...).
    const phonemes = execFileSync('espeak-ng', ['-v', ESPEAK_VOICES['zh-CN'], '-x', '-q', '--stdin'], { input: words, encoding: 'utf8' });
    expect(phonemes.length).toBeGreaterThan(100);
    expect(phonemes).not.toContain('(en)');
  });

  it('speaks text that looks like an option', async () => {
    const wav = await new EspeakTts().synthesize('--help -v xx', 'en-US');
    expect(parseWav(wav)?.durationMs).toBeGreaterThan(300);
  });

  it('gives up on a hung engine after its timeout', async () => {
    const hang = join(dir, 'hang.sh');
    await writeFile(hang, '#!/bin/sh\nsleep 30\n');
    await chmod(hang, 0o755);
    await expect(new EspeakTts({ espeakPath: hang, timeoutMs: 300 }).synthesize('hello', 'en-US')).rejects.toThrow(TtsFailedError);
    await expect(new EspeakTts({ espeakPath: hang, timeoutMs: 300 }).synthesize('hello', 'en-US')).rejects.toThrow(/timed out/);
  });
});
