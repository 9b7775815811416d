/**
 * ARI resources and events as Asterisk 22 sends them (JSON field names kept as they are on the
 * wire). Only what ringwise reads is spelled out; every object may carry more fields.
 */

export type ChannelState = 'Down' | 'Rsrvd' | 'OffHook' | 'Dialing' | 'Ring' | 'Ringing' | 'Up' | 'Busy' | 'Dialing Offhook' | 'Pre-ring' | 'Unknown';

export interface CallerId {
  name: string;
  number: string;
}

export interface DialplanCep {
  context: string;
  exten: string;
  priority: number;
  app_name?: string;
  app_data?: string;
}

export interface Channel {
  id: string;
  name: string;
  state: ChannelState;
  protocol_id?: string;
  caller: CallerId;
  connected: CallerId;
  accountcode: string;
  dialplan: DialplanCep;
  creationtime: string;
  language: string;
  channelvars?: Record<string, string>;
  tenantid?: string;
}

export interface Bridge {
  id: string;
  technology: string;
  bridge_type: 'mixing' | 'holding';
  bridge_class: string;
  creator: string;
  name: string;
  channels: string[];
  video_mode?: string;
  video_source_id?: string;
  creationtime?: string;
}

export interface Playback {
  id: string;
  media_uri: string;
  next_media_uri?: string;
  target_uri: string;
  language?: string;
  state: 'queued' | 'playing' | 'continuing' | 'done' | 'failed';
}

export interface LiveRecording {
  name: string;
  format: string;
  target_uri: string;
  state: 'queued' | 'recording' | 'paused' | 'done' | 'failed' | 'canceled';
  duration?: number;
  talking_duration?: number;
  silence_duration?: number;
  cause?: string;
}

export interface Endpoint {
  technology: string;
  resource: string;
  state?: 'unknown' | 'offline' | 'online';
  channel_ids: string[];
}

export interface Peer {
  peer_status: string;
  cause?: string;
  address?: string;
  port?: string;
  time?: string;
}

export interface ContactInfo {
  uri: string;
  contact_status: 'Unreachable' | 'Reachable' | 'Unknown' | 'NonQualified' | 'Removed' | 'Created' | 'Updated';
  aor: string;
  roundtrip_usec?: string;
}

export interface Application {
  name: string;
  channel_ids: string[];
  bridge_ids: string[];
  endpoint_ids: string[];
  device_names: string[];
  events_allowed: Array<{ type: string }>;
  events_disallowed: Array<{ type: string }>;
}

export interface ConfigTuple {
  attribute: string;
  value: string;
}

export interface AsteriskInfo {
  build?: { os: string; kernel: string; machine: string; options: string; date: string; user: string };
  system?: { version: string; entity_id: string };
  config?: Record<string, unknown>;
  status?: { startup_time: string; last_reload_time: string };
}

interface EventBase {
  application: string;
  timestamp: string;
  asterisk_id?: string;
}

interface ChannelEvent extends EventBase {
  channel: Channel;
}

export interface StasisStart extends ChannelEvent {
  type: 'StasisStart';
  args: string[];
  replace_channel?: Channel;
}
export interface StasisEnd extends ChannelEvent {
  type: 'StasisEnd';
}
export interface ChannelCreated extends ChannelEvent {
  type: 'ChannelCreated';
}
export interface ChannelStateChange extends ChannelEvent {
  type: 'ChannelStateChange';
}
export interface ChannelDestroyed extends ChannelEvent {
  type: 'ChannelDestroyed';
  /** Q.850 cause: 16 normal, 17 busy, 19 no answer, 21 rejected, 34 congestion, 1 unallocated… */
  cause: number;
  cause_txt: string;
  /** The technology's own cause (the SIP response code for PJSIP), when Asterisk has one. */
  tech_cause?: number;
}
export interface ChannelHangupRequest extends ChannelEvent {
  type: 'ChannelHangupRequest';
  cause?: number;
  soft?: boolean;
  tech_cause?: number;
}
export interface ChannelDtmfReceived extends ChannelEvent {
  type: 'ChannelDtmfReceived';
  digit: string;
  duration_ms: number;
}
export interface ChannelVarset extends EventBase {
  type: 'ChannelVarset';
  channel?: Channel;
  variable: string;
  value: string;
}
export interface ChannelDialplan extends ChannelEvent {
  type: 'ChannelDialplan';
  dialplan_app: string;
  dialplan_app_data: string;
}
export interface ChannelEnteredBridge extends EventBase {
  type: 'ChannelEnteredBridge';
  bridge: Bridge;
  channel: Channel;
}
export interface ChannelLeftBridge extends EventBase {
  type: 'ChannelLeftBridge';
  bridge: Bridge;
  channel: Channel;
}
export interface ChannelTalkingStarted extends ChannelEvent {
  type: 'ChannelTalkingStarted';
}
export interface ChannelTalkingFinished extends ChannelEvent {
  type: 'ChannelTalkingFinished';
  duration: number;
}
export interface Dial extends EventBase {
  type: 'Dial';
  peer: Channel;
  caller?: Channel;
  forwarded?: Channel;
  forward?: string;
  dialstring?: string;
  /** Empty while dialing; ANSWER, BUSY, CONGESTION, CHANUNAVAIL, NOANSWER, CANCEL… at the end. */
  dialstatus: string;
}
export interface PlaybackStarted extends EventBase {
  type: 'PlaybackStarted';
  playback: Playback;
}
export interface PlaybackContinuing extends EventBase {
  type: 'PlaybackContinuing';
  playback: Playback;
}
export interface PlaybackFinished extends EventBase {
  type: 'PlaybackFinished';
  playback: Playback;
}
export interface RecordingStarted extends EventBase {
  type: 'RecordingStarted';
  recording: LiveRecording;
}
export interface RecordingFinished extends EventBase {
  type: 'RecordingFinished';
  recording: LiveRecording;
}
export interface RecordingFailed extends EventBase {
  type: 'RecordingFailed';
  recording: LiveRecording;
}
export interface BridgeCreated extends EventBase {
  type: 'BridgeCreated';
  bridge: Bridge;
}
export interface BridgeDestroyed extends EventBase {
  type: 'BridgeDestroyed';
  bridge: Bridge;
}
export interface PeerStatusChange extends EventBase {
  type: 'PeerStatusChange';
  endpoint: Endpoint;
  peer: Peer;
}
export interface ContactStatusChange extends EventBase {
  type: 'ContactStatusChange';
  endpoint: Endpoint;
  contact_info: ContactInfo;
}
export interface EndpointStateChange extends EventBase {
  type: 'EndpointStateChange';
  endpoint: Endpoint;
}
export interface DeviceStateChanged extends EventBase {
  type: 'DeviceStateChanged';
  device_state: { name: string; state: string };
}
export interface ApplicationReplaced extends EventBase {
  type: 'ApplicationReplaced';
}
export interface ApplicationRegistered extends EventBase {
  type: 'ApplicationRegistered';
}
export interface ApplicationUnregistered extends EventBase {
  type: 'ApplicationUnregistered';
}
export interface ChannelHold extends ChannelEvent {
  type: 'ChannelHold';
  musicclass?: string;
}
export interface ChannelUnhold extends ChannelEvent {
  type: 'ChannelUnhold';
}
export interface ChannelToneDetected extends ChannelEvent {
  type: 'ChannelToneDetected';
}
export interface ChannelUserevent extends EventBase {
  type: 'ChannelUserevent';
  eventname: string;
  channel?: Channel;
  userevent: Record<string, unknown>;
}

/** Every event ringwise knows by name; `type` discriminates. */
export type AriEvent =
  | StasisStart
  | StasisEnd
  | ChannelCreated
  | ChannelStateChange
  | ChannelDestroyed
  | ChannelHangupRequest
  | ChannelDtmfReceived
  | ChannelVarset
  | ChannelDialplan
  | ChannelEnteredBridge
  | ChannelLeftBridge
  | ChannelTalkingStarted
  | ChannelTalkingFinished
  | Dial
  | PlaybackStarted
  | PlaybackContinuing
  | PlaybackFinished
  | RecordingStarted
  | RecordingFinished
  | RecordingFailed
  | BridgeCreated
  | BridgeDestroyed
  | PeerStatusChange
  | ContactStatusChange
  | EndpointStateChange
  | DeviceStateChanged
  | ApplicationReplaced
  | ApplicationRegistered
  | ApplicationUnregistered
  | ChannelHold
  | ChannelUnhold
  | ChannelToneDetected
  | ChannelUserevent;

export type AriEventType = AriEvent['type'];
export type AriEventOf<T extends AriEventType> = Extract<AriEvent, { type: T }>;

/** An event type this file does not name yet: passed through untouched. */
export interface UnknownAriEvent {
  type: string;
  application?: string;
  timestamp?: string;
  [field: string]: unknown;
}

const KNOWN: ReadonlySet<string> = new Set<AriEventType>([
  'StasisStart',
  'StasisEnd',
  'ChannelCreated',
  'ChannelStateChange',
  'ChannelDestroyed',
  'ChannelHangupRequest',
  'ChannelDtmfReceived',
  'ChannelVarset',
  'ChannelDialplan',
  'ChannelEnteredBridge',
  'ChannelLeftBridge',
  'ChannelTalkingStarted',
  'ChannelTalkingFinished',
  'Dial',
  'PlaybackStarted',
  'PlaybackContinuing',
  'PlaybackFinished',
  'RecordingStarted',
  'RecordingFinished',
  'RecordingFailed',
  'BridgeCreated',
  'BridgeDestroyed',
  'PeerStatusChange',
  'ContactStatusChange',
  'EndpointStateChange',
  'DeviceStateChanged',
  'ApplicationReplaced',
  'ApplicationRegistered',
  'ApplicationUnregistered',
  'ChannelHold',
  'ChannelUnhold',
  'ChannelToneDetected',
  'ChannelUserevent',
]);

export function isKnownAriEvent(e: { type: string }): e is AriEvent {
  return KNOWN.has(e.type);
}

/** Parses one websocket frame; null when it is not an ARI event (logged by the caller). */
export function parseAriEvent(raw: string): AriEvent | UnknownAriEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || type === '') return null;
  return value as AriEvent | UnknownAriEvent;
}
