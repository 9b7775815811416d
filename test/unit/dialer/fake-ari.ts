import type { AriEvent, AriPort, CreateChannelParams, OriginateParams } from '../../../src/dialer/ports.js';

/** An AriPort that records every request and lets the test play Asterisk's events. */
export class FakeAri implements AriPort {
  readonly app = 'ringwise-test';
  connected = true;
  calls: Array<{ op: string; args: unknown[] }> = [];
  channels = new Set<string>();
  failCreate: Error | null = null;
  private handlers: Array<(e: AriEvent) => void> = [];
  private connHandlers: Array<(up: boolean) => void> = [];

  isConnected(): boolean {
    return this.connected;
  }
  onEvent(h: (e: AriEvent) => void): void {
    this.handlers.push(h);
  }
  onConnectionChange(h: (up: boolean) => void): void {
    this.connHandlers.push(h);
  }
  emit(e: AriEvent): void {
    for (const h of this.handlers) h(e);
  }
  setConnected(up: boolean): void {
    this.connected = up;
    for (const h of this.connHandlers) h(up);
  }
  ops(): string[] {
    return this.calls.map((c) => c.op);
  }
  private rec(op: string, ...args: unknown[]): Promise<void> {
    this.calls.push({ op, args });
    return Promise.resolve();
  }
  async createChannel(p: CreateChannelParams): Promise<void> {
    this.calls.push({ op: 'createChannel', args: [p] });
    if (this.failCreate) throw this.failCreate;
    this.channels.add(p.channelId);
    // As Asterisk does, often before the HTTP answer: the created channel enters the app.
    this.emit({ type: 'StasisStart', channel: { id: p.channelId, state: 'Down' }, args: [] });
  }
  /** Called after each dial request, to script what the far end does. */
  onDial: ((channelId: string, endpoint: string) => void) | null = null;
  dial(id: string, t: number) {
    const create = this.calls.find((c) => c.op === 'createChannel' && (c.args[0] as CreateChannelParams).channelId === id);
    const endpoint = create ? (create.args[0] as CreateChannelParams).endpoint : '';
    if (this.onDial) setTimeout(() => this.onDial?.(id, endpoint), 1);
    return this.rec('dial', id, t);
  }
  subscribeChannel(id: string) {
    return this.rec('subscribeChannel', id);
  }
  setVariable(id: string, n: string, v: string) {
    return this.rec('setVariable', id, n, v);
  }
  continueInDialplan(id: string, c: string, e: string, p: number) {
    return this.rec('continueInDialplan', id, c, e, p);
  }
  play(id: string, media: string[], playbackId: string) {
    return this.rec('play', id, media, playbackId);
  }
  livePlaybacks = new Set<string>();
  async playbackExists(id: string): Promise<boolean> {
    return this.livePlaybacks.has(id);
  }
  stopPlayback(id: string) {
    return this.rec('stopPlayback', id);
  }
  hangup(id: string) {
    this.channels.delete(id);
    return this.rec('hangup', id);
  }
  /** Called after each originate (agent legs), to script what the agent's phone does. */
  onOriginate: ((p: OriginateParams) => void) | null = null;
  failOriginate: Error | null = null;
  async originate(p: OriginateParams): Promise<void> {
    this.calls.push({ op: 'originate', args: [p] });
    if (this.failOriginate) throw this.failOriginate;
    this.channels.add(p.channelId);
    if (this.onOriginate) setTimeout(() => this.onOriginate?.(p), 1);
  }
  startMoh(id: string) {
    return this.rec('startMoh', id);
  }
  stopMoh(id: string) {
    return this.rec('stopMoh', id);
  }
  bridges = new Map<string, string[]>();
  createBridge(id: string, type: string) {
    this.bridges.set(id, []);
    return this.rec('createBridge', id, type);
  }
  addToBridge(id: string, channelIds: readonly string[]) {
    this.bridges.get(id)?.push(...channelIds);
    return this.rec('addToBridge', id, [...channelIds]);
  }
  destroyBridge(id: string) {
    this.bridges.delete(id);
    return this.rec('destroyBridge', id);
  }
  recordBridge(id: string, name: string) {
    return this.rec('recordBridge', id, name);
  }
  stopRecording(name: string) {
    return this.rec('stopRecording', name);
  }
  channelState = new Map<string, string>();
  async listChannels(): Promise<Array<{ id: string; state: string }>> {
    return [...this.channels].map((id) => ({ id, state: this.channelState.get(id) ?? 'Ring' }));
  }
  /** The last playback id the session asked for. */
  lastPlaybackId(): string {
    const p = [...this.calls].reverse().find((c) => c.op === 'play');
    return p ? String(p.args[2]) : '';
  }
}
