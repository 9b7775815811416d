/** The WAV facts the prompts care about: Asterisk plays 8 kHz mono 16-bit PCM (`.wav` = slin). */
export interface WavInfo {
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  dataBytes: number;
  durationMs: number;
}

/** Wraps raw little-endian PCM in a canonical 44-byte RIFF header. */
export function wavFromPcm(pcm: Buffer, sampleRate = 8000, channels = 1, bitsPerSample = 16): Buffer {
  const header = Buffer.alloc(44);
  const blockAlign = (channels * bitsPerSample) / 8;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(bitsPerSample, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}

/** The PCM bytes of a canonical or chunked WAV file (the renderer only writes 8 kHz mono 16-bit). */
export function pcmOf(wav: Buffer): Buffer {
  for (let off = 12; off + 8 <= wav.length;) {
    const id = wav.toString('ascii', off, off + 4);
    const size = wav.readUInt32LE(off + 4);
    if (id === 'data') return wav.subarray(off + 8, Math.min(wav.length, off + 8 + size));
    off += 8 + size + (size % 2);
  }
  return Buffer.alloc(0);
}

/** Reads a RIFF/WAVE header, walking chunks; undefined when the bytes are not a whole WAV file. */
export function parseWav(buf: Buffer): WavInfo | undefined {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let fmt: Omit<WavInfo, 'dataBytes' | 'durationMs'> | undefined;
  for (let off = 12; off + 8 <= buf.length;) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ' && body + 16 <= buf.length) {
      fmt = {
        format: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data' && fmt) {
      if (body + size > buf.length) return undefined;
      const bytesPerSecond = (fmt.sampleRate * fmt.channels * fmt.bitsPerSample) / 8;
      return { ...fmt, dataBytes: size, durationMs: bytesPerSecond > 0 ? Math.round((size / bytesPerSecond) * 1000) : 0 };
    }
    off = body + size + (size % 2);
  }
  return undefined;
}

/** True for what Asterisk's `sound:` wants from a .wav: PCM, 8 kHz, mono, 16-bit, some audio. */
export function isTelephonyWav(info: WavInfo | undefined): boolean {
  return !!info && info.format === 1 && info.sampleRate === 8000 && info.channels === 1 && info.bitsPerSample === 16 && info.dataBytes > 0;
}
