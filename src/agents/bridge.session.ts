import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../shared/logger.js';
import type { AgentCallContext, AriEvent } from '../dialer/ports.js';
import { agentCallerId } from './agent-callerid.js';
import type { ClaimedAgent, CustomerCard } from './agent-pool.js';
import type { BridgeDeps, HandedOverSession } from './bridge.types.js';

export type { BridgeDeps, BridgePool, BridgeSettings, BridgeStore, HandedOverSession } from './bridge.types.js';

type Phase = 'waiting' | 'ringing' | 'bridged' | 'abandoning' | 'ending' | 'done';

const CLAIM_POLL_MS = 250;
const RECORDING_WAIT_MS = 5_000;
const ABANDON_GUARD_MS = 60_000;

/**
 * One customer handed to agents: "connecting you" then music on hold while the longest-idle
 * agent's phone rings (caller-id name = the customer), the next agent when one does not answer,
 * a mixing bridge (recorded) when one does; the no-agent message when nobody is free in time.
 * Either side hanging up ends both. The outcome is left in the session's facts (`agent`).
 */
export class AgentBridge {
  private phase: Phase = 'waiting';
  private readonly id: string;
  /**
   * Not the attempt id: Asterisk keys an app's subscriptions by object id alone, so a bridge
   * named like the customer's channel would never be subscribed (no recording events).
   */
  private readonly bridgeId: string;
  private readonly log: Logger;
  private readonly tried: number[] = [];
  private agent: ClaimedAgent | null = null;
  private leg: string | null = null;
  private legs = 0;
  private playbacks = 0;
  private playback: string | null = null;
  private waitUntil = 0;
  private readonly holdUntil: number;
  private claimedOnce = false;
  private recordingDone: (() => void) | null = null;
  private recording: Promise<void> | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private ringGuard: NodeJS.Timeout | null = null;
  private resolveAfterwork!: () => void;
  private readonly now: () => number;

  constructor(
    private readonly deps: BridgeDeps,
    private readonly session: HandedOverSession,
    private readonly call: AgentCallContext,
  ) {
    this.id = session.attemptId;
    this.bridgeId = `${session.attemptId}-bridge`;
    this.log = session.log.child({ component: 'agent-bridge' });
    this.now = deps.now ?? Date.now;
    this.holdUntil = this.now() + deps.settings.maxHoldSeconds * 1000;
  }

  start(): void {
    const afterwork = new Promise<void>((r) => (this.resolveAfterwork = r));
    this.session.handOver((e) => this.handle(e), afterwork);
    this.waitUntil = this.now() + this.deps.settings.waitSeconds * 1000;
    this.log.info({ highRisk: this.call.highRisk }, 'looking for an agent');
    if (this.call.media.connecting.length > 0) this.play(this.call.media.connecting);
    else this.moh();
    void this.seek();
  }

  handle(e: AriEvent): void {
    const ch = e.channel?.id;
    if (ch === this.id) {
      if (e.type === 'ChannelDestroyed') void this.customerGone();
    } else if (ch !== undefined && ch === this.leg) {
      if (e.type === 'StasisStart' || (e.type === 'ChannelStateChange' && e.channel?.state === 'Up')) void this.agentAnswered();
      if (e.type === 'ChannelDestroyed') void this.legGone(e.cause);
    } else if (e.type === 'PlaybackFinished' && e.playback?.id === this.playback) {
      this.playback = null;
      // 'failed': cut short by the customer hanging up; ChannelDestroyed follows.
      if (e.playback.state === 'failed') return;
      if (this.phase === 'waiting' || this.phase === 'ringing') this.moh();
      else if (this.phase === 'abandoning') this.hangup(this.id);
    } else if ((e.type === 'RecordingFinished' || e.type === 'RecordingFailed') && this.recordingDone) {
      if (e.type === 'RecordingFailed') this.log.warn({ cause: e.recording?.cause }, 'recording failed');
      this.recordingDone();
    }
  }

  /** Claims the longest-idle agent, polling while none is free, until the wait is over. */
  private async seek(): Promise<void> {
    while (this.phase === 'waiting') {
      let agent: ClaimedAgent | null = null;
      try {
        agent = await this.deps.pool.claim(this.id, this.tried);
      } catch (err) {
        this.log.error({ err }, 'agent claim failed');
      }
      if (agent && this.phase !== 'waiting') {
        await this.release(agent, 'customer_gone');
        return;
      }
      if (agent) {
        if (!this.claimedOnce) this.call.onAgentClaimed?.();
        this.claimedOnce = true;
        await this.ring(agent);
        return;
      }
      if (this.now() >= Math.min(this.waitUntil, this.holdUntil)) return this.abandon();
      await new Promise((r) => this.after(CLAIM_POLL_MS, () => r(undefined)));
    }
  }

  private async ring(agent: ClaimedAgent): Promise<void> {
    this.phase = 'ringing';
    this.agent = agent;
    this.tried.push(agent.id);
    this.legs += 1;
    const leg = `${this.id}-a${this.legs}`;
    this.leg = leg;
    this.deps.alias(leg);
    const { ringSeconds } = this.deps.settings;
    this.log.info({ agentId: agent.id, leg }, 'ringing agent');
    // Asterisk's originate timeout ends an unanswered leg; ours a little later in case it never fires.
    this.ringGuard = this.after((ringSeconds + 3) * 1000, () => this.hangup(leg));
    try {
      await this.deps.ari.originate({
        channelId: leg,
        endpoint: `PJSIP/${agent.sipUsername}`,
        callerId: agentCallerId(this.call.displayName, this.call.callerNumber),
        timeoutSeconds: ringSeconds,
        appArgs: 'agent',
      });
      // The customer left while the request was in flight (our hang-up could not find the leg yet).
      if (this.leg !== leg) this.hangup(leg);
    } catch (err) {
      this.log.warn({ err, agentId: agent.id }, 'agent originate failed');
      if (this.leg === leg) await this.legGone(null);
    }
  }

  private async agentAnswered(): Promise<void> {
    if (this.phase !== 'ringing' || !this.agent || !this.leg) return;
    const { agent, leg } = this;
    this.phase = 'bridged';
    this.clearRingGuard();
    try {
      if (this.playback) await this.deps.ari.stopPlayback(this.playback).catch(() => undefined);
      this.playback = null;
      await this.deps.ari.stopMoh(this.id).catch(() => undefined);
      this.deps.alias(this.bridgeId);
      await this.deps.ari.createBridge(this.bridgeId, 'mixing');
      await this.deps.ari.addToBridge(this.bridgeId, [this.id, leg]);
    } catch (err) {
      this.log.error({ err, agentId: agent.id }, 'could not bridge the agent');
      this.session.facts.agent = 'abandoned';
      this.phase = 'ending';
      await this.release(agent, 'bridge_failed');
      this.hangup(leg);
      this.hangup(this.id);
      this.destroyBridge();
      return this.finish();
    }
    const at = new Date(this.now());
    this.session.facts.agent = 'bridged';
    this.log.info({ agentId: agent.id }, 'customer bridged to agent');
    await this.safely('pool connected', () => this.deps.pool.connected(agent.id, this.id));
    await this.safely('ledger agent', () => this.deps.store.markBridged(this.id, agent.id, at));
    const card: CustomerCard = { attemptId: this.id, ...this.call.card };
    await this.safely('customer card', () => this.deps.pool.publish(agent.id, { type: 'customer_card', ...card }));
    if (this.phase !== 'bridged') return;
    try {
      // Armed before the request: the recording can end (a quick hang-up) before the answer.
      const finished = new Promise<void>((r) => (this.recordingDone = r));
      await this.deps.ari.recordBridge(this.bridgeId, this.id);
      this.recording = finished;
    } catch (err) {
      this.recordingDone = null;
      this.log.error({ err }, 'bridge recording did not start');
    }
  }

  /** The agent leg is gone: not answered (try the next agent) or the agent hung up. */
  private async legGone(cause: number | null | undefined): Promise<void> {
    const agent = this.agent;
    if (this.phase === 'ringing' && agent) {
      this.clearRingGuard();
      this.log.info({ agentId: agent.id, cause }, 'agent did not answer');
      this.agent = null;
      this.leg = null;
      await this.release(agent, 'no_answer');
      if (this.phase !== 'ringing') return;
      this.phase = 'waiting';
      this.waitUntil = this.now() + this.deps.settings.waitSeconds * 1000;
      return this.seek();
    }
    if (this.phase === 'bridged') {
      this.log.info('agent hung up');
      this.hangup(this.id);
      return this.endBridged();
    }
  }

  private async customerGone(): Promise<void> {
    switch (this.phase) {
      case 'waiting':
        this.session.facts.agent = 'abandoned';
        this.log.info('customer hung up while waiting for an agent');
        return this.finish();
      case 'ringing': {
        this.session.facts.agent = 'abandoned';
        this.log.info('customer hung up while an agent was ringing');
        const agent = this.agent;
        this.phase = 'ending';
        if (this.leg) this.hangup(this.leg);
        this.leg = null;
        if (agent) await this.release(agent, 'customer_gone');
        return this.finish();
      }
      case 'bridged':
        this.log.info('customer hung up');
        if (this.leg) this.hangup(this.leg);
        return this.endBridged();
      case 'abandoning':
        return this.finish();
      default:
        return;
    }
  }

  private async endBridged(): Promise<void> {
    if (this.phase !== 'bridged') return;
    this.phase = 'ending';
    const agent = this.agent;
    if (agent) await this.safely('pool callEnded', () => this.deps.pool.callEnded(agent.id, this.id));
    if (this.recording) {
      // Stopped while the bridge (our subscription) still exists: destroying it first races the
      // RecordingFinished event, which is then lost with the subscription.
      await this.deps.ari.stopRecording(this.id).catch(() => undefined);
      await Promise.race([this.recording, new Promise((r) => this.after(RECORDING_WAIT_MS, () => r(undefined)))]);
    }
    this.destroyBridge();
    if (this.recording) await this.saveRecording();
    return this.finish();
  }

  private async saveRecording(): Promise<void> {
    const file = `${this.id}.wav`;
    try {
      const { size } = await stat(join(this.deps.settings.recordingDir, file));
      await this.deps.store.insertRecording(this.id, file, size);
      this.log.info({ file, bytes: size }, 'recording saved');
    } catch (err) {
      this.log.error({ err, file }, 'recording not saved');
    }
  }

  /** Nobody free within the wait: the bank's message with the callback number, then goodbye. */
  private abandon(): void {
    if (this.phase !== 'waiting') return;
    this.phase = 'abandoning';
    this.session.facts.agent = 'abandoned';
    this.log.info({ tried: this.tried.length }, 'no agent available: abandoning with a callback');
    const playing = this.playback;
    this.playback = null;
    if (playing) this.deps.ari.stopPlayback(playing).catch(() => undefined);
    this.deps.ari.stopMoh(this.id).catch(() => undefined);
    this.after(ABANDON_GUARD_MS, () => this.hangup(this.id));
    if (this.call.media.abandoned.length > 0) this.play(this.call.media.abandoned);
    else this.hangup(this.id);
  }

  private finish(): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.resolveAfterwork();
  }

  private play(media: string[]): void {
    const id = `${this.id}.pa${++this.playbacks}`;
    this.playback = id;
    this.deps.ari.play(this.id, media, id).catch((err: unknown) => {
      this.log.warn({ err }, 'agent-flow playback failed');
      if (this.playback === id) this.handle({ type: 'PlaybackFinished', playback: { id } });
    });
  }

  private moh(): void {
    this.deps.ari.startMoh(this.id).catch((err: unknown) => this.log.warn({ err }, 'music on hold did not start'));
  }

  private async release(agent: ClaimedAgent, reason: string): Promise<void> {
    await this.safely('pool release', () => this.deps.pool.release(agent.id, this.id, reason));
  }

  private hangup(channelId: string): void {
    this.deps.ari.hangup(channelId).catch(() => undefined);
  }

  private destroyBridge(): void {
    this.deps.ari.destroyBridge(this.bridgeId).catch(() => undefined);
  }

  private clearRingGuard(): void {
    if (this.ringGuard) clearTimeout(this.ringGuard);
    this.ringGuard = null;
  }

  private async safely(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.log.error({ err }, `${what} failed`);
    }
  }

  private after(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref?.();
    this.timers.add(t);
    return t;
  }
}
