/**
 * Outcome normalisation: everything the dialer observed about one call, reduced to one of a
 * small set of outcomes. Pure; the raw cause and SIP code are kept next to it in the ledger.
 *
 * Classification follows ChannelDestroyed's `cause` and `tech_cause` (the SIP response code,
 * Asterisk 22.7+), never Dial status, which maps most causes to NOANSWER.
 */
export const OUTCOMES = [
  'answered_human',
  'answered_machine',
  'answered_unknown',
  'busy',
  'no_answer',
  'rejected',
  'congestion',
  'failed',
  'invalid_number',
  'hangup_during_prompt',
  'completed',
  'opted_out',
  'abandoned',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type AmdStatus = 'HUMAN' | 'MACHINE' | 'NOTSURE' | 'HANGUP';

/** Why the session ended when we decided it (kept in the ledger as end_reason). */
export type EndReason =
  | 'ring_timeout'
  | 'menu_timeout'
  | 'menu_done'
  | 'machine'
  | 'agent_requested'
  | 'agent_routed'
  | 'promise_to_pay'
  | 'callback_requested'
  | 'opted_out'
  | 'originate_failed'
  /** The originate never reached Asterisk (unreachable, or timed out and no channel exists): not a dial. */
  | 'not_dialled'
  | 'lost'
  | 'shutdown';

export interface CallFacts {
  /** The channel reached Up (a real answer, not early media). */
  answered: boolean;
  amdStatus?: AmdStatus | null;
  amdCause?: string | null;
  /** AMD was started but the call ended before it gave a verdict. */
  amdIncomplete?: boolean;
  /** ChannelDestroyed cause (Q.850) and tech_cause (SIP code), when seen. */
  cause?: number | null;
  techCause?: number | null;
  /** Who ended the call first: the far end, or the dialer itself. */
  hungUpBy?: 'remote' | 'us' | null;
  endReason?: EndReason | null;
  /** The first full playback of the prompt had started / finished. */
  promptStarted?: boolean;
  promptFinished?: boolean;
  digits?: string;
  optedOut?: boolean;
  /** The call went to the agent flow: talked to an agent, or waited and got nobody. */
  agent?: 'bridged' | 'abandoned' | null;
}

const SIP_BUSY = new Set([486, 600]);
const SIP_NO_ANSWER = new Set([408, 480, 487]);
const SIP_REJECTED = new Set([401, 403, 407, 603]);
const SIP_CONGESTION = new Set([503]);
const SIP_INVALID = new Set([404, 410, 484, 604]);

const Q850_BUSY = new Set([17]);
const Q850_NO_ANSWER = new Set([18, 19]);
const Q850_REJECTED = new Set([21]);
const Q850_CONGESTION = new Set([34, 42]);
const Q850_INVALID = new Set([1, 3, 22, 28]);

function unansweredOutcome(f: CallFacts): Outcome {
  if (f.endReason === 'originate_failed' || f.endReason === 'not_dialled') return 'failed';
  if (f.endReason === 'ring_timeout') return 'no_answer';
  const tech = f.techCause ?? 0;
  if (tech >= 400) {
    if (SIP_BUSY.has(tech)) return 'busy';
    if (SIP_NO_ANSWER.has(tech)) return 'no_answer';
    if (SIP_REJECTED.has(tech)) return 'rejected';
    if (SIP_CONGESTION.has(tech)) return 'congestion';
    if (SIP_INVALID.has(tech)) return 'invalid_number';
  }
  const cause = f.cause ?? 0;
  if (Q850_BUSY.has(cause)) return 'busy';
  if (Q850_NO_ANSWER.has(cause)) return 'no_answer';
  if (Q850_REJECTED.has(cause)) return 'rejected';
  if (Q850_CONGESTION.has(cause)) return 'congestion';
  if (Q850_INVALID.has(cause)) return 'invalid_number';
  // A normal clearing before answer: the far end stopped ringing (or we cancelled it).
  if (cause === 16 || cause === 31) return 'no_answer';
  return 'failed';
}

export function classifyOutcome(f: CallFacts): Outcome {
  if (f.optedOut) return 'opted_out';
  if (!f.answered) return unansweredOutcome(f);
  if (f.amdStatus === 'MACHINE') return 'answered_machine';
  // Before 'lost': a customer who talked to an agent was reached whatever happened after.
  if (f.agent === 'bridged') return 'answered_human';
  if (f.agent === 'abandoned') return 'abandoned';
  if (f.endReason === 'lost') return 'failed';
  const digits = f.digits ?? '';
  if (digits.includes('1') || f.endReason === 'agent_requested') return 'answered_human';
  if (digits.includes('2') || f.endReason === 'promise_to_pay' || f.endReason === 'callback_requested') return 'completed';
  if (f.promptFinished) return 'completed';
  // AMD saw the far end hang up while it listened (or never finished): nobody heard anything.
  if (f.amdStatus === 'HANGUP' || (f.amdIncomplete && !f.promptStarted)) return 'answered_unknown';
  if (f.hungUpBy === 'remote') return 'hangup_during_prompt';
  if (f.amdStatus === 'NOTSURE') return 'answered_unknown';
  return 'answered_human';
}

/** Outcomes that mean a person was reached (the ledger's `connected`: counts against connected-call caps). */
export const CONNECTED_OUTCOMES: readonly Outcome[] = ['answered_human', 'completed', 'opted_out', 'hangup_during_prompt', 'answered_unknown', 'abandoned'];

export function isConnected(outcome: Outcome): boolean {
  return CONNECTED_OUTCOMES.includes(outcome);
}

/**
 * Outcomes where a person answered, for the abandon rate's denominator (calls/abandon.ts): not a
 * machine, not an unsure AMD. A call handed to the agent flow counts too whatever its outcome (a
 * person pressed the agent key or was heard by AMD; one lost while waiting is still abandoned).
 */
export const LIVE_ANSWER_OUTCOMES: readonly Outcome[] = ['answered_human', 'completed', 'opted_out', 'hangup_during_prompt', 'abandoned'];

/**
 * Outcomes after which a contact is done as `completed` (else `failed`) when no retry is due: a
 * connected call, or an answering machine (it heard the message, or the campaign hangs up on
 * machines). The campaign stats' "answered by a person" is narrower (campaign.stats.ts).
 */
export const REACHED_OUTCOMES: readonly Outcome[] = [...CONNECTED_OUTCOMES, 'answered_machine'];

/** The dialplan enters Stasis with ["amd", AMDSTATUS, AMDCAUSE]; anything unknown is NOTSURE. */
export function parseAmdArgs(rawArgs: string[]): { amdStatus: AmdStatus; amdCause: string | null } {
  const args = rawArgs[0] === 'amd' ? rawArgs.slice(1) : rawArgs;
  const status = (args[0] ?? '').toUpperCase();
  return { amdStatus: (['HUMAN', 'MACHINE', 'NOTSURE', 'HANGUP'].includes(status) ? status : 'NOTSURE') as AmdStatus, amdCause: args[1] || null };
}
