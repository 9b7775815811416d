import type { Logger } from '../shared/logger.js';
import type { CallSession } from './call-session.js';

/**
 * The few things the dialing engine needs from its collaborators, as small interfaces: the
 * worker adapts the real ARI client, compliance gate and prompt renderer to them, and unit tests
 * pass fakes.
 */

/** An ARI event as far as the dialer cares (Asterisk's JSON, a subset of fields). */
export interface AriEvent {
  type: string;
  application?: string;
  channel?: { id: string; state?: string; caller?: { name: string; number: string } };
  args?: string[];
  cause?: number;
  cause_txt?: string;
  tech_cause?: number;
  digit?: string;
  playback?: { id: string; target_uri?: string; state?: string };
  /** Bridge events (the agent bridge is `<attempt id>-bridge`). */
  bridge?: { id: string; channels?: string[] };
  /** Recording events: target_uri `bridge:<id>`. */
  recording?: { name: string; target_uri?: string; state?: string; cause?: string };
}

/** `POST /channels` with an app: StasisStart comes only when the far end answers. */
export interface OriginateParams {
  channelId: string;
  endpoint: string;
  /** `"Name" <number>`: what the called phone displays. */
  callerId?: string;
  timeoutSeconds: number;
  appArgs?: string;
}

export interface AriPort {
  /** This worker's Stasis application name. */
  readonly app: string;
  isConnected(): boolean;
  onEvent(handler: (event: AriEvent) => void): void;
  onConnectionChange(handler: (connected: boolean) => void): void;
  /** Keeps the channel's events flowing to us while it runs dialplan (AMD). */
  subscribeChannel(channelId: string): Promise<void>;
  setVariable(channelId: string, name: string, value: string): Promise<void>;
  continueInDialplan(channelId: string, context: string, extension: string, priority: number): Promise<void>;
  play(channelId: string, media: string[], playbackId: string): Promise<void>;
  stopPlayback(playbackId: string): Promise<void>;
  /** Whether Asterisk still has this playback (false once it finished). */
  playbackExists(playbackId: string): Promise<boolean>;
  hangup(channelId: string): Promise<void>;
  /** Customer and agent legs: originated into our app (answer = StasisStart), unanswered ones end with ChannelDestroyed. */
  originate(p: OriginateParams): Promise<void>;
  startMoh(channelId: string): Promise<void>;
  stopMoh(channelId: string): Promise<void>;
  /** Creates a bridge and subscribes our app to it (REST calls belong to no app: its recording events would not reach us). */
  createBridge(bridgeId: string, type: 'mixing' | 'holding'): Promise<void>;
  addToBridge(bridgeId: string, channelIds: readonly string[]): Promise<void>;
  destroyBridge(bridgeId: string): Promise<void>;
  /** Records the bridge's mix as `<name>.wav` under Asterisk's recording folder. */
  recordBridge(bridgeId: string, name: string): Promise<void>;
  /** Ends a live recording (its file is complete once RecordingFinished arrives). */
  stopRecording(name: string): Promise<void>;
  /** Several servers: the one carrying this call (its ids start with the attempt id). */
  serverOf?(id: string): string | undefined;
  /** Several servers: the one a call was placed on, also after its channel is gone. */
  carriedBy?(id: string): string | undefined;
  /** Every channel Asterisk has now (id and state), to reconcile after a reconnect. */
  listChannels(): Promise<Array<{ id: string; state: string }>>;
  /** One channel as Asterisk has it now, or null when it does not exist (404). */
  getChannel(channelId: string): Promise<ChannelInfo | null>;
  /** Bridge ids Asterisk has now (an adopted call may be with an agent). */
  listBridges(): Promise<Array<{ id: string; channels: string[] }>>;
  /** Moves a channel from another Stasis app (a dead worker's) into ours. */
  moveChannel(channelId: string, app: string): Promise<void>;
}

/** What an adopting worker learns about a live channel. */
export interface ChannelInfo {
  id: string;
  state: string;
  /** Where the channel is: `Stasis` with `<app>,...` as data, or a dialplan app (AMD). */
  dialplan?: { context: string; app_name?: string; app_data?: string };
}

/** The compliance gate's answer (src/compliance/gate.ts). */
export type GateDecision =
  /** voicemail: what the policy lets an answering machine get (absent: hang up). */
  | { kind: 'allow'; attemptId: string; existing: boolean; voicemail?: 'limited_content' | 'hang_up' }
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

/**
 * What the agents module needs to hand one call to a person; built by the dial job. Holds
 * personal data (the name goes to the agent's phone only): never log it.
 */
export interface AgentCallContext {
  /** Risk at or above the campaign's threshold: to an agent right after the greeting. */
  highRisk: boolean;
  /** Caller-id name on the agent leg, e.g. "Wang Xiaoming 3200CNY 12d". */
  displayName: string;
  callerNumber: string | null;
  card: {
    customerId: number;
    name: string;
    amountDue: string | null;
    currency: string | null;
    daysPastDue: number | null;
    riskScore: number | null;
    campaignId: number | null;
  };
  /** Rendered before the call: "connecting you", and the no-agent message with the callback number. */
  media: { connecting: string[]; abandoned: string[] };
  /** Once an agent is claimed for the call (its high-risk capacity lease is no longer needed). */
  onAgentClaimed?(): void;
}

/** What the agents module is told about a call before it is placed (personal data: never log it). */
export interface AgentCallRequest {
  campaign: { id: string; callerId: string | null; riskThreshold: number | null };
  contact: PromptCustomer & { id: string; customerId: string; riskScore: number | null; abandonedCalls: number };
  attemptNo: number;
  render: PromptPort;
  log: Logger;
}

/** Before a call: wait this long for agent capacity, or place it with this agent context. */
export type AgentCallPlan =
  | { waitMs: number; agent?: undefined; renew?: undefined; release?: undefined }
  | { waitMs: 0; agent: AgentCallContext; renew(): void; release(): Promise<void> };

/**
 * The agent hand-off, given to the Dialer at construction (absent: digit 1 hangs up and risk
 * scores are not looked at). The dial job asks the dialer before each call; the dialer hands a
 * session over when it asks for a person; settling an abandoned call asks for its callback.
 */
export interface AgentHooks {
  beforeCall(r: AgentCallRequest): Promise<AgentCallPlan>;
  handOff(session: CallSession, call: AgentCallContext | undefined, via: { ari: AriPort; alias(channelId: string): void }): Promise<void>;
  /** Seconds until the callback an abandoned call earned, or null once the contact has used them up. */
  callbackDelaySeconds(contactId: string): Promise<number | null>;
  /** A call a dead worker had bridged to an agent, adopted: the agents module watches the bridge. */
  adoptBridged?(
    session: CallSession,
    bridge: { id: string; channels: string[] },
    agentId: number | null,
    via: { ari: AriPort; alias(channelId: string): void },
  ): void;
  /** A lost call that had an agent: its bridge, its recording's row, its agent. */
  lostBridged?(row: { id: string; agentId: number | null }, ari: AriPort, log: Logger): Promise<void>;
}
