import type { CallFacts, Outcome } from '../calls/outcome.js';
import type { CallSession } from './call-session.js';
import type { MenuKeys } from './menu.js';

/** The shapes around a CallSession: what it is given (options, hooks) and what it ends with. */
export type SessionPhase = 'new' | 'dialing' | 'amd' | 'prompt' | 'menu' | 'closing' | 'ended';

export interface SessionHooks {
  /** Ringing / Up, to record in the ledger as they happen. */
  onProgress?(state: 'ringing' | 'answered' | 'first_audio', at: Date): void;
  /** Digit 9: put the customer on the do-not-call list before confirming. */
  onOptOut(session: CallSession): Promise<void>;
  /**
   * Digit 1, or the end of the greeting for a customer routed to agents: the seam where the
   * agents module takes the call over (`handOver`); by default we hang up.
   */
  onAgentRequested?(session: CallSession): Promise<void>;
}

export interface SessionOptions {
  attemptId: string;
  endpoint: string;
  callerId?: string;
  media: string[];
  amd: { enabled: boolean; machineAction: 'hangup' | 'message'; context: string };
  ringTimeoutSeconds: number;
  menuTimeoutMs: number;
  /**
   * The campaign's DTMF menu (default: 1 agent, 2 promise to pay, 9 opt out, 0 repeat) and what
   * an invalid key hears before the menu again (both empty: invalid keys are ignored).
   */
  menu?: { keys: MenuKeys; announcement: string[]; notRecognised: string[] };
  /** Sounds for the confirmations and the voicemail message. */
  sounds: { acknowledged: string[]; optedOut: string[]; machineMessage: string[] };
  maxCallMs?: number;
  /** Play only the first prompt segment (the greeting), then go to an agent (high-risk customers). */
  agentAfterGreeting?: boolean;
  now?: () => Date;
}

export interface SessionResult {
  attemptId: string;
  outcome: Outcome;
  facts: CallFacts;
  originatedAt: Date | null;
  answeredAt: Date | null;
  /** The prompt's first PlaybackStarted (answer-to-first-audio latency). */
  firstAudioAt: Date | null;
  endedAt: Date;
}

/** Where a live call another session placed stands when a session adopts it (Dialer.adoptCall). */
export interface AdoptedCall {
  state: string;
  inAmd: boolean;
  promptPlaying: boolean;
  promptHeard: boolean;
  bridged?: boolean;
  originatedAt: Date | null;
  answeredAt: Date | null;
}
