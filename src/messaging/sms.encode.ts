/**
 * How a text becomes SMPP submit_sm parts (pure). Plain printable ASCII goes as IA5
 * (data_coding 0x01: 160 characters in one message, 153 per part when split); anything else,
 * Chinese included, goes as UCS-2 (data_coding 0x08, UTF-16BE: 70 per message, 67 per part).
 * A long text is split into concatenated parts, each starting with an 8-bit-reference UDH
 * (05 00 03 ref total seq), so the handset shows one message. UCS-2 parts never split a
 * surrogate pair.
 */
export type SmsEncoding = 'ascii' | 'ucs2';

export interface SmsPart {
  /** 6-byte concatenation header, absent for a single-part message. */
  udh?: Buffer;
  message: Buffer;
}

export interface EncodedSms {
  encoding: SmsEncoding;
  dataCoding: 0x01 | 0x08;
  parts: SmsPart[];
}

const ASCII_PRINTABLE = /^[\x20-\x7e\r\n]*$/;
const LIMITS = { ascii: { single: 160, part: 153 }, ucs2: { single: 70, part: 67 } } as const;
/** Long texts past this many parts are refused: a reminder is not a letter. */
export const MAX_SMS_PARTS = 8;

export function smsEncoding(text: string): SmsEncoding {
  return ASCII_PRINTABLE.test(text) ? 'ascii' : 'ucs2';
}

/** UTF-16 code units split into chunks of at most `size`, never inside a surrogate pair. */
function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(text.length, i + size);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

function encodeChunk(s: string, enc: SmsEncoding): Buffer {
  if (enc === 'ascii') return Buffer.from(s, 'latin1');
  const le = Buffer.from(s, 'utf16le');
  return Buffer.from(le).swap16();
}

export function decodeUcs2(buf: Buffer): string {
  return Buffer.from(buf).swap16().toString('utf16le');
}

export function encodeSms(text: string, reference: number): EncodedSms {
  const encoding = smsEncoding(text);
  const dataCoding = encoding === 'ascii' ? 0x01 : 0x08;
  const limit = LIMITS[encoding];
  if (text.length <= limit.single) return { encoding, dataCoding, parts: [{ message: encodeChunk(text, encoding) }] };
  const pieces = chunks(text, limit.part);
  if (pieces.length > MAX_SMS_PARTS) throw new RangeError(`an SMS may have at most ${MAX_SMS_PARTS} parts (this text needs ${pieces.length})`);
  const ref = reference & 0xff;
  return {
    encoding,
    dataCoding,
    parts: pieces.map((p, i) => ({ udh: Buffer.from([0x05, 0x00, 0x03, ref, pieces.length, i + 1]), message: encodeChunk(p, encoding) })),
  };
}

/** Parts a text needs, for previews. */
export function smsParts(text: string): { encoding: SmsEncoding; parts: number } {
  const enc = smsEncoding(text);
  const limit = LIMITS[enc];
  return { encoding: enc, parts: text.length <= limit.single ? 1 : chunks(text, limit.part).length };
}

/** A delivery receipt's text (SMPP 3.4 appendix B): `id:... stat:DELIVRD err:000 ...`. */
export interface DeliveryReceipt {
  messageId: string;
  stat: string;
  err: string | null;
  delivered: boolean;
}

export function parseReceipt(text: string): DeliveryReceipt | null {
  const id = /(?:^|\s)id:(\S+)/i.exec(text)?.[1];
  const stat = /(?:^|\s)stat:(\S+)/i.exec(text)?.[1]?.toUpperCase();
  if (!id || !stat) return null;
  return { messageId: id, stat, err: /(?:^|\s)err:(\S+)/i.exec(text)?.[1] ?? null, delivered: stat === 'DELIVRD' };
}

/** Inbound keywords that opt a number out of every channel (Chinese carriers' TD/退订, and English). */
export const OPT_OUT_KEYWORDS = ['TD', '退订', 'STOP', 'UNSUBSCRIBE'] as const;

export function isOptOut(text: string): boolean {
  const t = text
    .normalize('NFKC')
    .trim()
    .replace(/[\s.!。！]+$/u, '')
    .toUpperCase();
  return (OPT_OUT_KEYWORDS as readonly string[]).includes(t);
}
