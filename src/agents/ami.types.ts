/**
 * AMI messages as asterisk-manager 0.2.0 hands them over: header names lowercased with spaces
 * removed (`ContactStatus: Reachable` arrives as `contactstatus: 'Reachable'`), values as
 * strings, a repeated header as an array. Only what ringwise reads is spelled out.
 */
export type AmiValue = string | string[] | Record<string, string> | undefined;

export interface AmiMessage {
  [header: string]: AmiValue;
}

export interface AmiResponse extends AmiMessage {
  response: string;
  actionid?: string;
  message?: string;
}

export interface AmiEventBase extends AmiMessage {
  event: string;
  privilege?: string;
  actionid?: string;
}

/** PJSIP contact changes: an agent's phone registering, refreshing, unregistering. */
export interface ContactStatusEvent extends AmiEventBase {
  event: 'ContactStatus';
  uri: string;
  contactstatus: 'Created' | 'Removed' | 'Reachable' | 'Unreachable' | 'Unknown' | 'NonQualified' | 'Updated';
  aor: string;
  endpointname: string;
  roundtripusec?: string;
  useragent?: string;
  regexpire?: string;
  viaaddress?: string;
  callid?: string;
}

export interface PeerStatusEvent extends AmiEventBase {
  event: 'PeerStatus';
  channeltype: string;
  /** e.g. `PJSIP/alice`. */
  peer: string;
  peerstatus: 'Unknown' | 'Registered' | 'Unregistered' | 'Rejected' | 'Lagged' | 'Reachable' | 'Unreachable';
  cause?: string;
  address?: string;
  port?: string;
  time?: string;
}

export interface DeviceStateChangeEvent extends AmiEventBase {
  event: 'DeviceStateChange';
  /** e.g. `PJSIP/alice`. */
  device: string;
  state: 'UNKNOWN' | 'NOT_INUSE' | 'INUSE' | 'BUSY' | 'INVALID' | 'UNAVAILABLE' | 'RINGING' | 'RINGINUSE' | 'ONHOLD';
}

/** One row of PJSIPShowContacts (22.10 sends no aor field: objectname is `<aor>;@<hash>`). */
export interface ContactListEvent extends AmiEventBase {
  event: 'ContactList';
  objectname: string;
  uri: string;
  endpoint: string;
  /** NonQualified, Reachable, Unreachable, Unknown… */
  status: string;
  useragent?: string;
  /** Unix seconds. */
  expirationtime?: string;
  viaaddr?: string;
  viaport?: string;
  qualifyfrequency?: string;
}

export interface FullyBootedEvent extends AmiEventBase {
  event: 'FullyBooted';
  status?: string;
}

export interface AmiEventMap {
  ContactStatus: ContactStatusEvent;
  PeerStatus: PeerStatusEvent;
  DeviceStateChange: DeviceStateChangeEvent;
  ContactList: ContactListEvent;
  FullyBooted: FullyBootedEvent;
}

export type AmiEvent = AmiEventMap[keyof AmiEventMap];
