import smpp, { type Pdu, type Session } from 'smpp';
import type { Logger } from '../shared/logger.js';
import { AppError } from '../shared/errors.js';
import { decodeUcs2, encodeSms, parseReceipt, type DeliveryReceipt } from './sms.encode.js';

/**
 * One SMPP 3.4 transceiver bind to the SMSC, kept up: reconnects with jittered backoff after a
 * drop, enquire_link every 30 s. Submits texts (split and encoded by sms.encode.ts, receipts
 * requested) and hands delivery receipts and mobile-originated messages to its listeners.
 */
export interface SmppOptions {
  url: string;
  systemId: string;
  password: string;
  /** The sender shown to customers (a short code or the bank's number, digits only). */
  sourceAddr: string;
  log: Logger;
}

export interface InboundSms {
  from: string;
  to: string;
  text: string;
}

export class SmppUnavailableError extends AppError {
  constructor(message: string) {
    super('smpp_unavailable', message, 503);
    this.name = 'SmppUnavailableError';
  }
}

const SUBMIT_TIMEOUT_MS = 10_000;

/** E.164 "+8613800000001" → TON 1 (international), NPI 1 (ISDN), digits only. */
function address(e164: string): { ton: number; npi: number; addr: string } {
  return e164.startsWith('+') ? { ton: 1, npi: 1, addr: e164.slice(1) } : { ton: 0, npi: 0, addr: e164 };
}

function inboundText(pdu: Pdu): string {
  const sm = pdu.short_message as { message?: unknown } | Buffer | string | undefined;
  const m = sm && typeof sm === 'object' && !Buffer.isBuffer(sm) ? sm.message : sm;
  if (typeof m === 'string') return m;
  if (Buffer.isBuffer(m)) return pdu.data_coding === 0x08 ? decodeUcs2(m) : m.toString('latin1');
  return '';
}

export class SmppClient {
  private session: Session | null = null;
  private bound = false;
  private closing = false;
  private retry = 0;
  private reference = Math.floor(Math.random() * 256);
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private readonly receiptListeners: ((r: DeliveryReceipt) => void)[] = [];
  private readonly inboundListeners: ((m: InboundSms) => void)[] = [];

  constructor(private readonly o: SmppOptions) {}

  onReceipt(fn: (r: DeliveryReceipt) => void): void {
    this.receiptListeners.push(fn);
  }
  onInbound(fn: (m: InboundSms) => void): void {
    this.inboundListeners.push(fn);
  }
  isBound(): boolean {
    return this.bound;
  }

  start(): void {
    this.closing = false;
    this.connect();
  }

  /** Resolves once bound (or rejects after `timeoutMs`). */
  async ready(timeoutMs = 10_000): Promise<void> {
    if (this.bound) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new SmppUnavailableError('the SMSC did not accept a bind in time')), timeoutMs);
      this.waiters.push({ resolve: () => (clearTimeout(t), resolve()), reject: (e) => (clearTimeout(t), reject(e)) });
    });
  }

  private connect(): void {
    const s = smpp.connect({ url: this.o.url, auto_enquire_link_period: 30_000 });
    this.session = s;
    s.on('connect', () => {
      s.bind_transceiver({ system_id: this.o.systemId, password: this.o.password, interface_version: 0x34 }, (pdu) => {
        if (pdu.command_status !== 0) {
          this.o.log.error({ status: pdu.command_status }, 'SMPP bind refused');
          s.close();
          return;
        }
        this.bound = true;
        this.retry = 0;
        this.o.log.info('SMPP bound');
        for (const w of this.waiters.splice(0)) w.resolve();
      });
    });
    s.on('deliver_sm', (pdu: Pdu) => {
      s.send(pdu.response());
      const text = inboundText(pdu);
      if (((pdu.esm_class as number) & 0x3c) === 0x04) {
        const r = parseReceipt(text);
        if (r) for (const fn of this.receiptListeners) fn(r);
        else this.o.log.warn('SMPP receipt without id/stat');
        return;
      }
      const m = { from: `${(pdu.source_addr_ton as number) === 1 ? '+' : ''}${String(pdu.source_addr)}`, to: String(pdu.destination_addr ?? ''), text };
      for (const fn of this.inboundListeners) fn(m);
    });
    s.on('enquire_link', (pdu: Pdu) => s.send(pdu.response()));
    s.on('unbind', (pdu: Pdu) => {
      s.send(pdu.response());
      s.close();
    });
    s.on('error', (err: Error) => this.o.log.warn({ err: err.message }, 'SMPP connection error'));
    s.on('close', () => {
      this.bound = false;
      if (this.closing) return;
      const delay = Math.min(30_000, 500 * 2 ** this.retry++) * (0.5 + Math.random() / 2);
      setTimeout(() => !this.closing && this.connect(), delay).unref();
    });
  }

  /** Submits a text; resolves with one SMSC message id per part. */
  async submit(to: string, text: string): Promise<string[]> {
    const s = this.session;
    if (!s || !this.bound) throw new SmppUnavailableError('not bound to the SMSC');
    this.reference = (this.reference + 1) & 0xff;
    const enc = encodeSms(text, this.reference);
    const dst = address(to);
    const src = address(this.o.sourceAddr);
    const ids: string[] = [];
    for (const part of enc.parts) {
      const id = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new SmppUnavailableError('submit_sm timed out')), SUBMIT_TIMEOUT_MS);
        s.submit_sm(
          {
            source_addr_ton: src.ton,
            source_addr_npi: src.npi,
            source_addr: src.addr,
            dest_addr_ton: dst.ton,
            dest_addr_npi: dst.npi,
            destination_addr: dst.addr,
            registered_delivery: 0x01,
            data_coding: enc.dataCoding,
            short_message: part.udh ? { udh: part.udh, message: part.message } : part.message,
          },
          (pdu) => {
            clearTimeout(t);
            if (pdu.command_status === 0) resolve(String(pdu.message_id));
            else reject(new AppError('smpp_rejected', `the SMSC refused the message (status ${pdu.command_status})`, 502, { status: pdu.command_status }));
          },
        );
      });
      ids.push(id);
    }
    return ids;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const w of this.waiters.splice(0)) w.reject(new SmppUnavailableError('closed'));
    const s = this.session;
    this.session = null;
    this.bound = false;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
