import type { Logger } from '../shared/logger.js';
import type { CallFacts } from '../calls/outcome.js';
import type { AriEvent, AriPort } from '../dialer/ports.js';
import type { AgentPool } from './agent-pool.js';

/** What an AgentBridge is built from: the pool, the ARI port, the ledger and its settings. */

/** The part of the agent pool the bridge drives. */
export type BridgePool = Pick<AgentPool, 'claim' | 'connected' | 'release' | 'callEnded' | 'publish'>;

export interface BridgeStore {
  markBridged(attemptId: string, agentId: number, at: Date): Promise<void>;
  insertRecording(attemptId: string, fileName: string, bytes: number): Promise<void>;
}

export interface BridgeSettings {
  ringSeconds: number;
  waitSeconds: number;
  maxHoldSeconds: number;
  /** Host path of Asterisk's recording folder (to size the file for its row). */
  recordingDir: string;
}

export interface BridgeDeps {
  ari: AriPort;
  pool: BridgePool;
  store: BridgeStore;
  settings: BridgeSettings;
  /** Routes the agent leg's and the bridge's events to this call (registered before creating them). */
  alias(channelId: string): void;
  now?: () => number;
}

/** The customer's CallSession as the bridge sees it. */
export interface HandedOverSession {
  readonly attemptId: string;
  readonly facts: CallFacts;
  readonly log: Logger;
  handOver(delegate: (e: AriEvent) => void, afterwork: Promise<void>): void;
}
