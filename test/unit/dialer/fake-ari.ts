import type { AriEvent, AriPort, OriginateParams } from '../../../src/dialer/ports.js';

/** An AriPort that records every request and lets the test play Asterisk's events. */
export class FakeAri implements AriPort {
  readonly app = 'ringwise-test';
  connected = true;
  calls: Array<{ op: string; args: unknown[] }> = [];
  channels = new Set<string>();
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
  /** Called after each customer-leg originate, to script what the far end does. */
  onDial: ((channelId: string, endpoint: string) => void) | null = null;
  /** Called after each agent-leg originate (appArgs 'agent'), to script what the agent's phone does. */
  onOriginate: ((p: OriginateParams) => void) | null = null;
  failOriginate: Error | null = null;
  /** How long Asterisk takes to answer the originate request (its HTTP queue under load). */
  originateDelayMs = 0;
  async originate(p: OriginateParams): Promise<void> {
    this.calls.push({ op: 'originate', args: [p] });
    if (this.originateDelayMs > 0) await new Promise((r) => setTimeout(r, this.originateDelayMs));
    if (this.failOriginate) throw this.failOriginate;
    this.channels.add(p.channelId);
    const script = p.appArgs === undefined ? this.onDial && (() => this.onDial?.(p.channelId, p.endpoint)) : this.onOriginate && (() => this.onOriginate?.(p));
    if (script) setTimeout(script, 1);
  }
  /** Asterisk answering an originated customer leg: Up, then the channel enters the app. */
  answer(id: string): void {
    this.emit({ type: 'ChannelStateChange', channel: { id, state: 'Up' } });
    this.emit({ type: 'StasisStart', channel: { id, state: 'Up' }, args: [] });
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
  async getChannel(id: string): Promise<{ id: string; state: string } | null> {
    return this.channels.has(id) ? { id, state: this.channelState.get(id) ?? 'Ring' } : null;
  }
  async listBridges(): Promise<Array<{ id: string; channels: string[] }>> {
    return [...this.bridges].map(([id, channels]) => ({ id, channels }));
  }
  moveChannel(id: string, app: string) {
    return this.rec('moveChannel', id, app);
  }
  /** The last playback id the session asked for. */
  lastPlaybackId(): string {
    const p = [...this.calls].reverse().find((c) => c.op === 'play');
    return p ? String(p.args[2]) : '';
  }
}
