/**
 * The few things the dialing engine needs from its collaborators, as small interfaces: the
 * worker adapts the real ARI client, compliance gate and prompt renderer to them, and unit tests
 * pass fakes.
 */

/** An ARI event as far as the dialer cares (Asterisk's JSON, a subset of fields). */
export interface AriEvent {
  type: string;
  application?: string;
  channel?: { id: string; state?: string };
  args?: string[];
  cause?: number;
  cause_txt?: string;
  tech_cause?: number;
  digit?: string;
  playback?: { id: string; target_uri?: string; state?: string };
}

export interface CreateChannelParams {
  channelId: string;
  endpoint: string;
  callerId?: string;
  variables?: Record<string, string>;
}

export interface AriPort {
  /** This worker's Stasis application name. */
  readonly app: string;
  isConnected(): boolean;
  onEvent(handler: (event: AriEvent) => void): void;
  onConnectionChange(handler: (connected: boolean) => void): void;
  /** `POST /channels/create`: the channel is in our app from the first moment. */
  createChannel(p: CreateChannelParams): Promise<void>;
  /** `POST /channels/{id}/dial` with a ring timeout. */
  dial(channelId: string, timeoutSeconds: number): Promise<void>;
  /** Keeps the channel's events flowing to us while it runs dialplan (AMD). */
  subscribeChannel(channelId: string): Promise<void>;
  setVariable(channelId: string, name: string, value: string): Promise<void>;
  continueInDialplan(channelId: string, context: string, extension: string, priority: number): Promise<void>;
  play(channelId: string, media: string[], playbackId: string): Promise<void>;
  stopPlayback(playbackId: string): Promise<void>;
  /** Whether Asterisk still has this playback (false once it finished). */
  playbackExists(playbackId: string): Promise<boolean>;
  hangup(channelId: string): Promise<void>;
  /** Every channel Asterisk has now (id and state), to reconcile after a reconnect. */
  listChannels(): Promise<Array<{ id: string; state: string }>>;
}

/** The compliance gate's answer (src/compliance/gate.ts). */
export type GateDecision =
  | { kind: 'allow'; attemptId: string; existing: boolean }
  | { kind: 'defer'; until: Date; reason: string; rule?: string }
  | { kind: 'block'; reason: string; rule?: string };

export interface GateRequest {
  campaignId: string;
  contactId: string;
  customerId: string;
  attemptNo: number;
  phone: string;
  now: Date;
  workerId: string;
}

export type GatePort = (req: GateRequest) => Promise<GateDecision>;

/** What the prompt renderer needs about the customer (personal data stays in the worker). */
export interface PromptCustomer {
  id: string;
  name: string;
  locale: string;
  amountDue: string | null;
  currency: string | null;
  dueDate: string | null;
  daysPastDue: number | null;
}

export type PromptPort = (campaignPrompt: unknown, customer: PromptCustomer, locale: string) => Promise<{ media: string[]; version: string }>;
