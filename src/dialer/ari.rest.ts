import { seg, type AriHttp } from './ari.http.js';
import type { Application, AsteriskInfo, Bridge, Channel, ConfigTuple, Endpoint, LiveRecording, Playback } from './ari.types.js';

export type HangupReason =
  | 'normal'
  | 'busy'
  | 'congestion'
  | 'no_answer'
  | 'timeout'
  | 'rejected'
  | 'unallocated'
  | 'normal_unspecified'
  | 'number_incomplete'
  | 'codec_mismatch'
  | 'interworking'
  | 'failure'
  | 'answered_elsewhere';

interface ChannelTarget {
  /** Stasis app to enter; the client's own app when neither app nor context is given. */
  app?: string;
  appArgs?: string | readonly string[];
}

export interface OriginateOptions extends ChannelTarget {
  endpoint: string;
  channelId?: string;
  otherChannelId?: string;
  /** Dialplan target instead of an app (e.g. the AMD context). */
  context?: string;
  extension?: string;
  priority?: number;
  label?: string;
  /** "Name <number>" or a bare number. */
  callerId?: string;
  /** Ring timeout in seconds. */
  timeout?: number;
  variables?: Record<string, string>;
  originator?: string;
  formats?: string;
}

export interface CreateChannelOptions extends ChannelTarget {
  endpoint: string;
  channelId?: string;
  otherChannelId?: string;
  originator?: string;
  formats?: string;
  variables?: Record<string, string>;
}

export interface RecordOptions {
  name: string;
  format?: string;
  maxDurationSeconds?: number;
  maxSilenceSeconds?: number;
  ifExists?: 'fail' | 'overwrite' | 'append';
  beep?: boolean;
  terminateOn?: 'none' | 'any' | '*' | '#';
}

export interface EventFilter {
  allowed?: readonly string[];
  disallowed?: readonly string[];
}

/**
 * The ARI REST calls ringwise uses, typed. Each throws AriError (`ari_http_<status>` with the
 * body, or `ari_unreachable`) and has a deadline. Parameters go in the query string except
 * `variables` and config `fields`, which Asterisk takes as a JSON body.
 */
export interface AriRest {
  originate(o: OriginateOptions): Promise<Channel>;
  createChannel(o: CreateChannelOptions): Promise<Channel>;
  dial(channelId: string, o?: { caller?: string; timeout?: number }): Promise<void>;
  answer(channelId: string): Promise<void>;
  hangup(channelId: string, reason?: HangupReason): Promise<void>;
  play(channelId: string, media: string | readonly string[], o?: { playbackId?: string; lang?: string; offsetms?: number; skipms?: number }): Promise<Playback>;
  stopPlayback(playbackId: string): Promise<void>;
  ring(channelId: string): Promise<void>;
  ringStop(channelId: string): Promise<void>;
  startMoh(channelId: string, mohClass?: string): Promise<void>;
  stopMoh(channelId: string): Promise<void>;
  createBridge(o?: { type?: string; bridgeId?: string; name?: string }): Promise<Bridge>;
  addChannel(bridgeId: string, channel: string | readonly string[], o?: { role?: string; absorbDTMF?: boolean; mute?: boolean }): Promise<void>;
  removeChannel(bridgeId: string, channel: string | readonly string[]): Promise<void>;
  destroyBridge(bridgeId: string): Promise<void>;
  recordBridge(bridgeId: string, o: RecordOptions): Promise<LiveRecording>;
  listChannels(): Promise<Channel[]>;
  getChannel(channelId: string): Promise<Channel>;
  listBridges(): Promise<Bridge[]>;
  setChannelVar(channelId: string, variable: string, value: string): Promise<void>;
  getChannelVar(channelId: string, variable: string): Promise<string>;
  subscribe(eventSource: string | readonly string[]): Promise<Application>;
  unsubscribe(eventSource: string | readonly string[]): Promise<Application>;
  setEventFilter(filter: EventFilter): Promise<Application>;
  getApplication(): Promise<Application>;
  pushConfig(configClass: string, objectType: string, id: string, fields: Record<string, string> | readonly ConfigTuple[]): Promise<ConfigTuple[]>;
  deleteConfig(configClass: string, objectType: string, id: string): Promise<void>;
  getEndpoint(tech: string, resource: string): Promise<Endpoint>;
  asteriskInfo(): Promise<AsteriskInfo>;
}

export function createAriRest(http: AriHttp, app: string): AriRest {
  const req = http.request;
  const setEventFilter = (f: EventFilter): Promise<Application> =>
    req<Application>('PUT', `/applications/${seg(app)}/eventFilter`, {
      body: {
        ...(f.allowed ? { allowed: f.allowed.map((type) => ({ type })) } : {}),
        ...(f.disallowed ? { disallowed: f.disallowed.map((type) => ({ type })) } : {}),
      },
    });

  const target = (t: ChannelTarget & { context?: string }) =>
    t.context !== undefined ? {} : { app: t.app ?? app, appArgs: typeof t.appArgs === 'string' ? t.appArgs : t.appArgs?.join(',') };
  const body = (variables: Record<string, string> | undefined) => (variables ? { variables } : undefined);
  const ch = (id: string) => `/channels/${seg(id)}`;
  const br = (id: string) => `/bridges/${seg(id)}`;

  return {
    originate: (o) =>
      req<Channel>('POST', '/channels', {
        query: {
          endpoint: o.endpoint,
          channelId: o.channelId,
          otherChannelId: o.otherChannelId,
          ...target(o),
          context: o.context,
          extension: o.extension,
          priority: o.priority,
          label: o.label,
          callerId: o.callerId,
          timeout: o.timeout,
          originator: o.originator,
          formats: o.formats,
        },
        body: body(o.variables),
        lane: 'dial',
      }),
    createChannel: (o) =>
      req<Channel>('POST', '/channels/create', {
        query: { endpoint: o.endpoint, channelId: o.channelId, otherChannelId: o.otherChannelId, ...target(o), originator: o.originator, formats: o.formats },
        body: body(o.variables),
        lane: 'dial',
      }),
    dial: (id, o = {}) => req('POST', `${ch(id)}/dial`, { query: { caller: o.caller, timeout: o.timeout } }),
    answer: (id) => req('POST', `${ch(id)}/answer`),
    hangup: (id, reason) => req('DELETE', ch(id), { query: { reason } }),
    play: (id, media, o = {}) =>
      req<Playback>('POST', `${ch(id)}/play`, {
        query: { media: typeof media === 'string' ? media : media.join(','), playbackId: o.playbackId, lang: o.lang, offsetms: o.offsetms, skipms: o.skipms },
      }),
    stopPlayback: (playbackId) => req('DELETE', `/playbacks/${seg(playbackId)}`),
    ring: (id) => req('POST', `${ch(id)}/ring`),
    ringStop: (id) => req('DELETE', `${ch(id)}/ring`),
    startMoh: (id, mohClass) => req('POST', `${ch(id)}/moh`, { query: { mohClass } }),
    stopMoh: (id) => req('DELETE', `${ch(id)}/moh`),
    createBridge: (o = {}) => req<Bridge>('POST', '/bridges', { query: { type: o.type ?? 'mixing', bridgeId: o.bridgeId, name: o.name } }),
    addChannel: (bridgeId, channel, o = {}) =>
      req('POST', `${br(bridgeId)}/addChannel`, { query: { channel, role: o.role, absorbDTMF: o.absorbDTMF, mute: o.mute } }),
    removeChannel: (bridgeId, channel) => req('POST', `${br(bridgeId)}/removeChannel`, { query: { channel } }),
    destroyBridge: (bridgeId) => req('DELETE', br(bridgeId)),
    recordBridge: (bridgeId, o) =>
      req<LiveRecording>('POST', `${br(bridgeId)}/record`, {
        query: {
          name: o.name,
          format: o.format ?? 'wav',
          maxDurationSeconds: o.maxDurationSeconds,
          maxSilenceSeconds: o.maxSilenceSeconds,
          ifExists: o.ifExists,
          beep: o.beep,
          terminateOn: o.terminateOn,
        },
      }),
    listChannels: () => req<Channel[]>('GET', '/channels'),
    getChannel: (id) => req<Channel>('GET', ch(id)),
    listBridges: () => req<Bridge[]>('GET', '/bridges'),
    setChannelVar: (id, variable, value) => req('POST', `${ch(id)}/variable`, { query: { variable, value } }),
    getChannelVar: async (id, variable) => (await req<{ value: string }>('GET', `${ch(id)}/variable`, { query: { variable } })).value,
    subscribe: (eventSource) => req<Application>('POST', `/applications/${seg(app)}/subscription`, { query: { eventSource } }),
    unsubscribe: (eventSource) => req<Application>('DELETE', `/applications/${seg(app)}/subscription`, { query: { eventSource } }),
    setEventFilter,
    getApplication: () => req<Application>('GET', `/applications/${seg(app)}`),
    pushConfig: (configClass, objectType, id, fields) =>
      req<ConfigTuple[]>('PUT', `/asterisk/config/dynamic/${seg(configClass)}/${seg(objectType)}/${seg(id)}`, {
        body: { fields: Array.isArray(fields) ? fields : Object.entries(fields).map(([attribute, value]) => ({ attribute, value })) },
      }),
    deleteConfig: (configClass, objectType, id) => req('DELETE', `/asterisk/config/dynamic/${seg(configClass)}/${seg(objectType)}/${seg(id)}`),
    getEndpoint: (tech, resource) => req<Endpoint>('GET', `/endpoints/${seg(tech)}/${seg(resource)}`),
    asteriskInfo: () => req<AsteriskInfo>('GET', '/asterisk/info'),
  };
}
