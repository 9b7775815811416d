import { describe, expect, it } from 'vitest';
import { decodeUcs2, encodeSms, isOptOut, parseReceipt, smsParts } from '../../../src/messaging/sms.encode.js';

describe('SMS encoding', () => {
  it('sends short ASCII as one IA5 part', () => {
    const e = encodeSms('Your payment of 1200 CNY is due', 1);
    expect(e).toMatchObject({ encoding: 'ascii', dataCoding: 1 });
    expect(e.parts).toHaveLength(1);
    expect(e.parts[0]!.udh).toBeUndefined();
  });

  it('sends Chinese as UCS-2 and splits a long text with concatenation headers', () => {
    const text = '您好王小明，您的贷款3200元已逾期12天，请尽快还款。'.repeat(4);
    const e = encodeSms(text, 0x1a7);
    expect(e).toMatchObject({ encoding: 'ucs2', dataCoding: 8 });
    expect(e.parts).toHaveLength(Math.ceil(text.length / 67));
    e.parts.forEach((p, i) => {
      expect([...p.udh!]).toEqual([5, 0, 3, 0xa7, e.parts.length, i + 1]);
      expect(p.message.length).toBeLessThanOrEqual(134);
    });
    expect(e.parts.map((p) => decodeUcs2(p.message)).join('')).toBe(text);
  });

  it('never splits a surrogate pair', () => {
    const text = `${'a'.repeat(66)}😀${'b'.repeat(10)}`;
    const e = encodeSms(text, 2);
    expect(decodeUcs2(e.parts[0]!.message)).toBe('a'.repeat(66));
    expect(e.parts.map((p) => decodeUcs2(p.message)).join('')).toBe(text);
  });

  it('counts parts for previews', () => {
    expect(smsParts('x'.repeat(160))).toEqual({ encoding: 'ascii', parts: 1 });
    expect(smsParts('x'.repeat(161))).toEqual({ encoding: 'ascii', parts: 2 });
    expect(smsParts('中'.repeat(71))).toEqual({ encoding: 'ucs2', parts: 2 });
  });

  it('reads delivery receipts and opt-out keywords', () => {
    expect(parseReceipt('id:0000002a sub:001 dlvr:001 submit date:2612070300 done date:2612070300 stat:DELIVRD err:000 text:')).toEqual({
      messageId: '0000002a',
      stat: 'DELIVRD',
      err: '000',
      delivered: true,
    });
    expect(parseReceipt('hello')).toBeNull();
    for (const k of ['TD', 'td', ' 退订 ', 'STOP', 'Unsubscribe.', 'ＴＤ']) expect(isOptOut(k), k).toBe(true);
    for (const k of ['stop calling me at work', 'TDX', '好的']) expect(isOptOut(k), k).toBe(false);
  });
});

describe('inbound sender numbers', () => {
  it('reads +E.164, international digits and national numbers', async () => {
    const { senderE164 } = await import('../../../src/messaging/messaging.service.js');
    expect(senderE164('+8613800000001', 'CN')).toBe('+8613800000001');
    expect(senderE164('8613800000001', 'CN')).toBe('+8613800000001');
    expect(senderE164('13800000001', 'CN')).toBe('+8613800000001');
    expect(senderE164('14155550123', 'CN')).toBe('+14155550123');
    expect(senderE164('95500', 'CN')).toBe('95500');
  });
});
