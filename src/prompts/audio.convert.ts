import { AppError } from '../shared/errors.js';
import { ProcessFailedError, run } from './exec.js';
import { wavFromPcm } from './wav.js';

/** Upload content types and the sox file type that reads them. */
export const UPLOAD_AUDIO_TYPES: Readonly<Record<string, string>> = {
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/vnd.wave': 'wav',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/ogg': 'ogg',
  'audio/vorbis': 'ogg',
  'audio/flac': 'flac',
  'audio/x-flac': 'flac',
  'audio/basic': 'au',
};

export class AudioInvalidError extends AppError {
  constructor(code: 'audio_invalid' | 'audio_too_long' | 'audio_format_unsupported', message: string, details?: Record<string, unknown>) {
    super(code, message, code === 'audio_format_unsupported' ? 415 : 422, details);
    this.name = 'AudioInvalidError';
  }
}

export interface ConvertOptions {
  soxPath?: string;
  timeoutMs?: number;
  maxSeconds: number;
}

const BYTES_PER_SECOND = 8000 * 2;

/**
 * Converts an uploaded recording to what Asterisk plays without transcoding: 8 kHz mono 16-bit
 * PCM WAV. Whatever sox cannot read is the caller's mistake (422 audio_invalid, or 415 when this
 * sox has no reader for the format, e.g. mp3 without libsox-fmt-mp3), never a 500.
 */
export async function convertToTelephonyWav(input: Buffer, soxType: string, opts: ConvertOptions): Promise<{ wav: Buffer; durationMs: number }> {
  let pcm: Buffer;
  try {
    pcm = await run(opts.soxPath ?? 'sox', ['-q', '-t', soxType, '-', '-t', 'raw', '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-'], {
      input,
      timeoutMs: opts.timeoutMs ?? 30_000,
      maxOutputBytes: opts.maxSeconds * BYTES_PER_SECOND,
    });
  } catch (err) {
    if (!(err instanceof ProcessFailedError)) throw err;
    if (err.reason.startsWith('produced more'))
      throw new AudioInvalidError('audio_too_long', `recordings may last at most ${opts.maxSeconds} s`, { maxSeconds: opts.maxSeconds });
    if (/no handler for (given )?file type/i.test(err.stderr))
      throw new AudioInvalidError('audio_format_unsupported', `this server cannot read ${soxType} audio`, { format: soxType });
    if (err.reason.startsWith('could not start')) throw err;
    throw new AudioInvalidError('audio_invalid', `the upload is not readable ${soxType} audio`, {
      format: soxType,
      reason: err.stderr.replace(/^sox FAIL \w+:\s*/, '').slice(0, 200),
    });
  }
  if (pcm.length < BYTES_PER_SECOND / 10) throw new AudioInvalidError('audio_invalid', 'the recording is empty or shorter than 0.1 s', { format: soxType });
  return { wav: wavFromPcm(pcm), durationMs: Math.round((pcm.length / BYTES_PER_SECOND) * 1000) };
}
