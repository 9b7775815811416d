// The few parts of the `smpp` package (no published types) that ringwise uses.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  export interface Pdu {
    command: string;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    response(options?: Record<string, unknown>): Pdu;
  }
  export interface Session extends EventEmitter {
    send(pdu: Pdu, onResponse?: (pdu: Pdu) => void): boolean;
    close(cb?: () => void): void;
    destroy(cb?: () => void): void;
    bind_transceiver(options: Record<string, unknown>, cb: (pdu: Pdu) => void): void;
    submit_sm(options: Record<string, unknown>, cb: (pdu: Pdu) => void): void;
    deliver_sm(options: Record<string, unknown>, cb?: (pdu: Pdu) => void): void;
    enquire_link(options?: Record<string, unknown>, cb?: (pdu: Pdu) => void): void;
  }
  export function connect(options: { url: string; auto_enquire_link_period?: number; connectTimeout?: number }, onConnect?: () => void): Session;
  export const ESME_ROK: number;
  const smpp: { connect: typeof connect; ESME_ROK: number };
  export default smpp;
}
