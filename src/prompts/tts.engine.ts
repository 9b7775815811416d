import { run } from './exec.js';
import type { SpeechLocale } from './speak.words.js';
import { wavFromPcm } from './wav.js';

/** A text-to-speech engine. `id` names the engine and its settings: it is part of the cache key. */
export interface TtsEngine {
  readonly id: string;
  /** Speaks `text` and returns an 8 kHz mono 16-bit PCM WAV file. */
  synthesize(text: string, locale: SpeechLocale): Promise<Buffer>;
}

export interface EspeakOptions {
  espeakPath?: string;
  soxPath?: string;
  /** Per process; espeak-ng speaks an 11 s sentence in about 20 ms, so this only catches hangs. */
  timeoutMs?: number;
  /** Words per minute (espeak-ng's default is 175; a little slower is clearer on a phone line). */
  wordsPerMinute?: number;
  voices?: Partial<Record<SpeechLocale, string>>;
  /** Runs espeak-ng and sox under `nice -n <niceness>` (rendering ahead of the dial must not take CPU from live calls). */
  niceness?: number;
}

/**
 * espeak-ng voices. Mandarin uses `cmn-latn-pinyin`, not `cmn`: in Debian's espeak-ng 1.51 the
 * `cmn` voice reads many characters' pinyin-with-tone-digit dictionary entries as English
 * ("您" → "nin two", "三" → "san one"); `cmn-latn-pinyin` reads the same entries as pinyin.
 * Check with `echo 您好 | espeak-ng -v cmn -x -q --stdin`.
 */
export const ESPEAK_VOICES: Record<SpeechLocale, string> = { 'zh-CN': 'cmn-latn-pinyin', 'en-US': 'en-us' };

export class TtsFailedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TtsFailedError';
  }
}

/** The offline default: espeak-ng speaks, sox resamples to 8 kHz mono 16-bit. */
export class EspeakTts implements TtsEngine {
  readonly id: string;
  private readonly espeak: string;
  private readonly sox: string;
  private readonly timeoutMs: number;
  private readonly wpm: number;
  private readonly voices: Record<SpeechLocale, string>;
  private readonly niceness: number | undefined;

  constructor(opts: EspeakOptions = {}) {
    this.espeak = opts.espeakPath ?? 'espeak-ng';
    this.sox = opts.soxPath ?? 'sox';
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.wpm = opts.wordsPerMinute ?? 160;
    this.voices = { ...ESPEAK_VOICES, ...opts.voices };
    this.niceness = opts.niceness;
    this.id = `espeak-ng:${this.voices['zh-CN']}:${this.voices['en-US']}:${this.wpm}`;
  }

  async synthesize(text: string, locale: SpeechLocale): Promise<Buffer> {
    try {
      // Text goes through stdin: as an argument, text starting with "-" would read as an option.
      const wav = await this.run(this.espeak, ['-v', this.voices[locale], '-s', String(this.wpm), '--stdin', '--stdout'], {
        input: text,
        timeoutMs: this.timeoutMs,
      });
      // Raw out, header written here: sox cannot fix a WAV header's lengths on a pipe.
      const pcm = await this.run(this.sox, ['-q', '-t', 'wav', '-', '-t', 'raw', '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-'], {
        input: wav,
        timeoutMs: this.timeoutMs,
      });
      if (pcm.length === 0) throw new Error('no audio produced');
      return wavFromPcm(pcm, 8000, 1, 16);
    } catch (err) {
      throw new TtsFailedError(`espeak-ng could not speak ${locale} text: ${(err as Error).message}`, { cause: err });
    }
  }

  private run(command: string, args: string[], opts: { input: Buffer | string; timeoutMs: number }): Promise<Buffer> {
    return this.niceness === undefined ? run(command, args, opts) : run('nice', ['-n', String(this.niceness), command, ...args], opts);
  }
}
