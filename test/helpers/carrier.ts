/**
 * The sandbox's simulated carrier (SIPp on 127.0.0.1:5070, test/sipp/carrier.xml) and the
 * `sim-pstn` dialplan behave by the LAST TWO DIGITS of the dialed number: the tens digit picks
 * the behaviour, the units digit is the DTMF digit for the 1x numbers. Dial them through the
 * trunk as `PJSIP/${number}@carrier` or inside Asterisk as `Local/${number}@sim-pstn`.
 */
export const CARRIER = {
  /** 0x: answers, says "hello?" (real RTP audio), then RTP silence until hung up. AMD: HUMAN. */
  human: '+8613800000001',
  /** Also a human (any 0x number). */
  human2: '+8613800000002',
  /** 10-19: answer, "hello?", ~2 s later RFC 2833 DTMF of the units digit. */
  dtmf0: '+8613800000010',
  dtmf1: '+8613800000011',
  dtmf2: '+8613800000012',
  dtmf9: '+8613800000019',
  /** 486 Busy Here: ChannelDestroyed cause 17. */
  busy: '+8613800000020',
  /** 180 Ringing forever: the originate timeout ends it (cause 19, tech_cause 480). */
  noAnswer: '+8613800000030',
  /** 603 Decline: cause 21. */
  rejected: '+8613800000040',
  /** 503 Service Unavailable: cause 34. */
  congestion: '+8613800000050',
  /** Answering machine: a ~14 s spoken greeting. AMD: MACHINE. */
  machine: '+8613800000060',
  /** Answers, "hello?", then the callee hangs up (BYE, Q.850 cause 16) ~1.8 s after answer. */
  hangsUp: '+8613800000070',
  /** 404 Not Found: cause 1. */
  notFound: '+8613800000080',
  /** 90-99: answers and sends no RTP at all until hung up; cheap calls for load tests. */
  silent: '+8613800000090',
} as const;

export type CarrierCase = keyof typeof CARRIER;

/** The number whose carrier behaviour is "answer, then press `digit`". */
export function dtmfNumber(digit: number): string {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) throw new RangeError(`digit must be 0-9, got ${digit}`);
  return `+86138000000${10 + digit}`;
}

/** Dial strings for the trunk (real SIP through SIPp) and for the in-Asterisk simulation. */
export const trunkEndpoint = (number: string): string => `PJSIP/${number}@carrier`;
export const simEndpoint = (number: string): string => `Local/${number}@sim-pstn`;

/** SIP endpoints and contexts of the sandbox. */
export const SANDBOX = {
  carrierEndpoint: 'carrier',
  amdContext: 'ringwise-amd',
  agentContext: 'ringwise-agents',
  simPstnContext: 'sim-pstn',
  sipRealm: 'ringwise',
} as const;
