import { describe, expect, it } from 'vitest';
import { joinPcm, pcmMs, silence, SILENCE_LEVEL, TRIM_MARGIN_MS, trimSilence } from '../../../src/prompts/pcm.js';

const pcm = (samples: number[]): Buffer => {
  const b = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => b.writeInt16LE(s, i * 2));
  return b;
};
const samplesOf = (b: Buffer): number[] => Array.from({ length: b.length / 2 }, (_, i) => b.readInt16LE(i * 2));
const zeros = (n: number): number[] => new Array<number>(n).fill(0);
const BEFORE = (TRIM_MARGIN_MS.before * 8000) / 1000;
const AFTER = (TRIM_MARGIN_MS.after * 8000) / 1000;

describe('trimSilence', () => {
  it('drops leading and trailing silence, keeping the margins around the sound', () => {
    const sound = [1000, -2000, 50, 3000];
    const out = samplesOf(trimSilence(pcm([...zeros(1000), ...sound, ...zeros(3000)])));
    expect(out).toEqual([...zeros(BEFORE), ...sound, ...zeros(AFTER)]);
  });

  it('keeps quiet samples inside the sound and treats the level as silence', () => {
    const inner = [SILENCE_LEVEL + 1, ...zeros(500), 7, -SILENCE_LEVEL - 1];
    expect(samplesOf(trimSilence(pcm(inner)))).toEqual(inner);
    expect(trimSilence(pcm([SILENCE_LEVEL, -SILENCE_LEVEL, 0])).length).toBe(0);
  });

  it('clamps the margins at the ends and handles empty, all-silent and odd-length input', () => {
    expect(samplesOf(trimSilence(pcm([0, 5000, 0])))).toEqual([0, 5000, 0]);
    expect(trimSilence(Buffer.alloc(0)).length).toBe(0);
    expect(trimSilence(silence(500)).length).toBe(0);
    const odd = Buffer.concat([pcm([4000]), Buffer.from([1])]);
    expect(samplesOf(trimSilence(odd))).toEqual([4000]);
  });

  it('handles the loudest negative sample', () => {
    expect(samplesOf(trimSilence(pcm([...zeros(200), -32768, ...zeros(400)])))).toEqual([...zeros(BEFORE), -32768, ...zeros(AFTER)]);
  });
});

describe('joinPcm / silence', () => {
  it('joins pieces and pauses in order', () => {
    const a = pcm([1, 2]);
    const b = pcm([3]);
    const out = joinPcm([a, 1, b, 0, a]);
    expect(samplesOf(out)).toEqual([1, 2, ...zeros(8), 3, 1, 2]);
    expect(pcmMs(silence(250))).toBe(250);
    expect(silence(-5).length).toBe(0);
    expect(joinPcm([]).length).toBe(0);
  });
});
