/**
 * 8 kHz mono 16-bit little-endian PCM (Asterisk's slin, the data of our .wav files): what a
 * sentence is joined from. Pure functions over Buffers, no processes.
 */
export const PCM_RATE = 8000;
const BYTES_PER_MS = (PCM_RATE * 2) / 1000;

/** Samples at or below this level count as silence (-44 dBFS: espeak-ng's pauses are 0). */
export const SILENCE_LEVEL = 200;
/** Kept around the sound when trimming, so a soft onset or a fading consonant is not cut. */
export const TRIM_MARGIN_MS = { before: 10, after: 25 } as const;

/** `ms` of silence. */
export function silence(ms: number): Buffer {
  return Buffer.alloc(Math.max(0, Math.round(ms)) * BYTES_PER_MS);
}

/**
 * The PCM without its leading and trailing silence (espeak-ng ends every utterance with ~350 ms
 * of it, and starts some with ~100 ms), keeping `TRIM_MARGIN_MS` around the sound. All-silent
 * input gives an empty buffer. Returns a view of `pcm`, not a copy.
 */
export function trimSilence(pcm: Buffer, level = SILENCE_LEVEL): Buffer {
  const samples = Math.floor(pcm.length / 2);
  let first = -1;
  for (let i = 0; i < samples; i++) {
    if (Math.abs(pcm.readInt16LE(i * 2)) > level) {
      first = i;
      break;
    }
  }
  if (first < 0) return pcm.subarray(0, 0);
  let last = first;
  for (let i = samples - 1; i > first; i--) {
    if (Math.abs(pcm.readInt16LE(i * 2)) > level) {
      last = i;
      break;
    }
  }
  const from = Math.max(0, first - (TRIM_MARGIN_MS.before * PCM_RATE) / 1000);
  const to = Math.min(samples, last + 1 + (TRIM_MARGIN_MS.after * PCM_RATE) / 1000);
  return pcm.subarray(from * 2, to * 2);
}

/** Pieces and pauses (ms) in order, as one PCM buffer. */
export function joinPcm(parts: ReadonlyArray<Buffer | number>): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'number' ? silence(p) : p)));
}

/** The duration of a PCM buffer in ms. */
export function pcmMs(pcm: Buffer): number {
  return Math.round(pcm.length / BYTES_PER_MS);
}
