import type { Db } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import { maskPhone } from '../shared/redact.js';
import { CallSession, type SessionOptions, type SessionResult } from './call-session.js';
import { SessionRegistry } from './session-registry.js';
import { classifyOutcome } from '../calls/outcome.js';
import type { AgentCallContext, AgentCallPlan, AgentCallRequest, AgentHooks, AriEvent, AriPort } from './ports.js';
import { endAttempt, markAgentSought, type AttemptEnd, type AttemptRow } from '../calls/attempts.repo.js';
import { createAttemptProgress, type AttemptProgress } from '../calls/attempt-progress.js';
import { endNotDialled } from '../calls/attempt.recovery.sql.js';
import { insertOptOut } from '../compliance/dnc.repo.js';

/** What a finished session writes in its attempt's ledger row. */
export function endFromResult(r: SessionResult, promptVersion: string | null): AttemptEnd {
  return {
    outcome: r.outcome,
    cause: r.facts.cause ?? null,
    techCause: r.facts.techCause ?? null,
    amdStatus: r.facts.amdStatus ?? null,
    amdCause: r.facts.amdCause ?? null,
    digits: r.facts.digits ?? '',
    promptVersion,
    endReason: r.facts.endReason ?? null,
    answeredAt: r.answeredAt,
    firstAudioAt: r.firstAudioAt,
    endedAt: r.endedAt,
  };
}

export const AMD_CONTEXT = 'ringwise-amd';

export interface DialerSettings {
  dialTemplate: string;
  ringTimeoutSeconds: number;
  menuTimeoutSeconds: number;
  workerId: string;
  sounds?: { acknowledged: string[]; optedOut: string[] };
  maxCallMs?: number;
}

export interface PlaceCall {
  attemptId: string;
  phone: string;
  customerId: string;
  callerId: string | null;
  media: string[];
  promptVersion: string;
  amd: { enabled: boolean; machineAction: 'hangup' | 'message' };
  /** What a machine hears after its beep when amd.machineAction is 'message' (never the prompt). */
  machineMessage?: string[];
  /** The campaign's menu, rendered; absent = the default keys, invalid keys ignored. */
  menu?: SessionOptions['menu'];
  /** Present when agents may take this call (digit 1, or high risk). */
  agent?: AgentCallContext;
  log: Logger;
}

const NO_AGENT: AgentCallPlan = { waitMs: 0, agent: undefined };

// The agent flow's clean-up after the customer is gone (agent leg, recording) is bounded.
const AFTERWORK_MAX_MS = 15_000;

/** A live channel found in Asterisk for an attempt no session drives (see adoptCall). */
export interface AdoptedChannel {
  state: string;
  inStasis: boolean;
  inAmd: boolean;
  /** The Stasis app it is in now (another worker's, to move into ours). */
  stasisApp: string | null;
  originatedAt: Date | null;
  answeredAt: Date | null;
  /** The ledger says the customer started hearing the prompt. */
  promptHeard: boolean;
  /** The agent the call was bridged to (the ledger's agent_id). */
  agentId: number | null;
}

/**
 * One ARI connection's worth of calls: builds a CallSession per call, routes events to it,
 * writes the ledger as the call progresses, and reconciles with Asterisk after a reconnect or
 * a crash so no attempt stays live forever.
 */
export class Dialer {
  readonly registry = new SessionRegistry();
  private readonly finishing = new Set<string>();
  /** When each live call was handed to the agent flow: the abandon clock's start (calls/abandon.ts). */
  private readonly agentSought = new Map<string, Date>();
  private readonly connectionListeners: ((up: boolean) => void)[] = [];
  private readonly endListeners: ((outcome: SessionResult['outcome']) => void)[] = [];
  /** The live calls' ringing/answered/first-audio stamps, written in batches (calls/attempt-progress.ts). */
  private readonly progress: AttemptProgress;
  /** Seam for the reconciler: a channel of ours no session knows; resolves true once adopted. */
  onStray: ((channelId: string) => Promise<boolean>) | undefined;

  constructor(
    readonly ari: AriPort,
    private readonly db: Db,
    private readonly log: Logger,
    private readonly settings: DialerSettings,
    /** The agents module's hooks: digit 1 (or a high-risk greeting) hands the session over; without them we hang up. */
    private readonly agents?: AgentHooks,
  ) {
    this.progress = createAttemptProgress(db, log);
    ari.onEvent((e) => this.onEvent(e));
    ari.onConnectionChange((up) => {
      this.log.warn({ up, live: this.registry.size }, up ? 'ARI connected' : 'ARI disconnected');
      for (const l of this.connectionListeners) l(up);
      if (up) void this.reconcile().catch((err: unknown) => this.log.error({ err }, 'reconcile failed'));
    });
  }

  /** Routes another channel's or a bridge's events (agent leg, agent bridge) to the session of this attempt. */
  aliasChannel(channelId: string, session: CallSession): void {
    this.registry.alias(channelId, session);
  }

  /** Before pacing: what the agents module needs for this call, or how long to wait for agent capacity. */
  prepareCall(r: AgentCallRequest): Promise<AgentCallPlan> {
    return this.agents ? this.agents.beforeCall(r) : Promise.resolve(NO_AGENT);
  }

  /** After an abandoned call: seconds until its callback, or null (none earned, or no agents). */
  callbackDelaySeconds(contactId: string): Promise<number | null> {
    return this.agents ? this.agents.callbackDelaySeconds(contactId) : Promise.resolve(null);
  }

  get connected(): boolean {
    return this.ari.isConnected();
  }

  onConnectionChange(listener: (up: boolean) => void): void {
    this.connectionListeners.push(listener);
  }

  /** Each placed or adopted call's outcome once its attempt is written (metrics). */
  onCallEnded(listener: (outcome: SessionResult['outcome']) => void): void {
    this.endListeners.push(listener);
  }

  endpointFor(phone: string): string {
    return this.settings.dialTemplate.replace('{number}', phone);
  }

  /** Places one call whose attempt is already 'originating' in the ledger, and waits for its end. */
  async placeCall(p: PlaceCall): Promise<SessionResult> {
    const session = this.newSession(p);
    // Registered before the request: events can arrive before the HTTP response.
    this.registry.add(session);
    p.log.info({ attemptId: p.attemptId, to: maskPhone(p.phone), amd: p.amd.enabled }, 'originating');
    await session.start();
    return this.finishCall(session, p);
  }

  /**
   * Takes over a call Asterisk still has that no session of this process drives (a previous
   * life of this worker, or a dead worker's: `channel.stasisApp` names its app, and the channel
   * is moved into ours). Mid-prompt (or answered before it began) the prompt starts again from
   * the beginning; at the menu the menu waits for a digit; still ringing, its answer starts the
   * prompt; in AMD the verdict comes back into the app; with an agent nothing is played (the
   * agents module watches the bridge). Resolves with the call's real outcome, in the ledger.
   */
  async adoptCall(p: PlaceCall, channel: AdoptedChannel): Promise<SessionResult> {
    const session = this.newSession(p);
    this.registry.add(session);
    const log = p.log.child({ attemptId: p.attemptId });
    try {
      if (channel.stasisApp && channel.stasisApp !== this.ari.app) await this.ari.moveChannel(p.attemptId, this.ari.app);
      // The app must hear about the channel whatever app placed it (AMD runs outside the app).
      await this.ari.subscribeChannel(p.attemptId).catch(() => undefined);
      if (channel.inAmd) await this.ari.setVariable(p.attemptId, 'RINGWISE_APP', this.ari.app).catch(() => undefined);
      // A prompt of the old session still playing: stop it, ours plays it again from the start.
      const old = [1, 2, 3, 4].map((n) => `${p.attemptId}.p${n}`);
      const playing = (await Promise.all(old.map((id) => this.ari.playbackExists(id).catch(() => false)))).some(Boolean);
      if (playing) await Promise.all(old.map((id) => this.ari.stopPlayback(id).catch(() => undefined)));
      // With an agent: the bridge (and its recording) went on without us; it stays as it is.
      const adoptBridged = this.agents?.adoptBridged;
      const bridge = adoptBridged ? (await this.ari.listBridges()).find((b) => b.channels.includes(p.attemptId)) : undefined;
      log.warn({ state: channel.state, inAmd: channel.inAmd, playing, bridged: bridge !== undefined }, 'adopting a live call');
      session.adopt({ ...channel, promptPlaying: playing, bridged: bridge !== undefined });
      if (bridge) adoptBridged!(session, bridge, channel.agentId, { ari: this.ari, alias: (id) => this.aliasChannel(id, session) });
    } catch (err) {
      log.warn({ err }, 'could not take the call over: lost');
      this.ari.hangup(p.attemptId).catch(() => undefined);
      session.markLost();
    }
    return this.finishCall(session, p);
  }

  private async finishCall(session: CallSession, p: PlaceCall): Promise<SessionResult> {
    // Ours until its ledger row is written (the registry lets go of it a moment earlier).
    this.finishing.add(p.attemptId);
    try {
      const result = await session.done;
      // Read once the call is over: the set remembers which server carried it (a busy call's
      // channel can be gone before its originate returned, so "where is it now" would be nothing).
      const asteriskServer = this.ari.carriedBy?.(p.attemptId) ?? null;
      await Promise.race([session.afterwork, new Promise((r) => setTimeout(r, AFTERWORK_MAX_MS).unref())]);
      const agentSoughtAt = this.agentSought.get(p.attemptId) ?? null;
      // The end row carries the answer and first-audio times: stamps still pending are moot.
      this.progress.forget(p.attemptId);
      if (result.facts.endReason === 'not_dialled') await endNotDialled(this.db, p.attemptId);
      else await endAttempt(this.db, p.attemptId, { ...endFromResult(result, p.promptVersion), asteriskServer, agentSoughtAt });
      for (const l of this.endListeners) l(result.outcome);
      return result;
    } finally {
      this.finishing.delete(p.attemptId);
      this.agentSought.delete(p.attemptId);
    }
  }

  /** Calls whose Asterisk server was lost (several servers): ended as lost now, not at its return. */
  endLost(attemptIds: Iterable<string>): number {
    let n = 0;
    for (const id of attemptIds) {
      const s = this.registry.get(id);
      if (!s) continue;
      s.markLost();
      n++;
    }
    if (n > 0) this.log.warn({ lost: n }, 'calls on a lost Asterisk server ended as lost');
    return n;
  }

  /** Whether this process drives the attempt (a live session, or one writing its end). */
  drives(attemptId: string): boolean {
    return this.registry.get(attemptId) !== undefined || this.finishing.has(attemptId);
  }

  private newSession(p: PlaceCall): CallSession {
    const { attemptId } = p;
    const log = p.log.child({ attemptId });
    return new CallSession(
      this.ari,
      {
        attemptId,
        endpoint: this.endpointFor(p.phone),
        callerId: p.callerId ?? undefined,
        media: p.media,
        ...(p.menu ? { menu: p.menu } : {}),
        amd: { enabled: p.amd.enabled, machineAction: p.amd.machineAction, context: AMD_CONTEXT },
        ringTimeoutSeconds: this.settings.ringTimeoutSeconds,
        menuTimeoutMs: this.settings.menuTimeoutSeconds * 1000,
        sounds: {
          acknowledged: this.settings.sounds?.acknowledged ?? ['sound:auth-thankyou'],
          optedOut: this.settings.sounds?.optedOut ?? ['sound:goodbye'],
          machineMessage: p.machineMessage ?? [],
        },
        maxCallMs: this.settings.maxCallMs,
        agentAfterGreeting: this.agents !== undefined && p.agent?.highRisk === true,
      },
      {
        onProgress: (state, at) => {
          if (state === 'ringing') this.progress.ringing(attemptId);
          else if (state === 'answered') this.progress.answered(attemptId, at);
          else this.progress.firstAudio(attemptId, at);
        },
        onOptOut: async () => {
          await insertOptOut(this.db, p.phone, p.customerId);
          log.info({ to: maskPhone(p.phone) }, 'customer opted out: added to do-not-call');
        },
        onAgentRequested: this.agents
          ? (s) => {
              // The abandon clock starts: written at once (an adopting worker reads it) and again at the end.
              const at = new Date();
              this.agentSought.set(attemptId, at);
              markAgentSought(this.db, attemptId, at).catch((err: unknown) => log.error({ err }, 'ledger agent-sought write failed'));
              return this.agents!.handOff(s, p.agent, { ari: this.ari, alias: (id) => this.aliasChannel(id, s) });
            }
          : undefined,
      },
      log,
    );
  }

  private onEvent(e: AriEvent): void {
    if (!this.registry.dispatch(e) && e.type === 'StasisStart' && e.channel?.id) {
      // A channel we do not know in our app: a live attempt of ours coming back from AMD after a
      // restart is adopted by the scheduler; anything else is not ours to keep.
      const id = e.channel.id;
      void (this.onStray?.(id) ?? Promise.resolve(false)).then(
        (adopted) => {
          if (adopted) return;
          this.log.warn({ channelId: id }, 'unknown channel entered the app; hanging up');
          this.ari.hangup(id).catch(() => undefined);
        },
        () => this.ari.hangup(id).catch(() => undefined),
      );
    }
  }

  /** After a reconnect: sessions whose channel Asterisk no longer has are ended as lost. */
  async reconcile(): Promise<number> {
    if (this.registry.size === 0) return 0;
    const live = new Map((await this.ari.listChannels()).map((c) => [c.id, c.state]));
    let lost = 0;
    for (const s of this.registry.all()) {
      if (s.phase === 'new') continue;
      const state = live.get(s.attemptId);
      if (state === undefined) {
        s.markLost();
        lost++;
      } else {
        // Still there: events were missed, so re-arm the session's timers from what Asterisk says.
        void s.resync(state).catch((err: unknown) => this.log.warn({ err, attemptId: s.attemptId }, 'resync failed'));
      }
    }
    if (lost > 0) this.log.warn({ lost }, 'reconciled: sessions lost while disconnected');
    return lost;
  }

  /**
   * An attempt past 'reserved' that no session of ours drives and that cannot be adopted (its
   * channel is gone): hang up what is left of it (agent legs), and end it as lost.
   * Returns whether this call ended it (false when it had already ended).
   */
  async endOrphan(row: AttemptRow, liveChannels?: Set<string>): Promise<boolean> {
    if (this.drives(row.id)) return false;
    const live = liveChannels ?? new Set((await this.ari.listChannels()).map((c) => c.id));
    if (live.has(row.id)) await this.ari.hangup(row.id).catch(() => undefined);
    // Its agent legs (`<attempt>-a<n>`) would otherwise ring or talk on with nobody behind them.
    for (const id of live) if (id.startsWith(`${row.id}-a`)) await this.ari.hangup(id).catch(() => undefined);
    // A call that had an agent: its bridge, recording row and agent are seen to.
    if (row.agentId !== null)
      await this.agents
        ?.lostBridged?.(row, this.ari, this.log)
        .catch((err: unknown) => this.log.warn({ err, attemptId: row.id }, 'agent call clean-up failed'));
    const answered = row.state === 'answered' || row.answeredAt !== null;
    const outcome = classifyOutcome({ answered, endReason: 'lost' });
    return endAttempt(this.db, row.id, {
      outcome,
      cause: null,
      techCause: null,
      amdStatus: null,
      amdCause: null,
      digits: '',
      promptVersion: null,
      endReason: 'lost',
      answeredAt: null,
      endedAt: new Date(),
    });
  }

  /** Graceful stop: wait for live calls to end, hanging up whatever is left at the deadline. */
  async drain(timeoutMs: number): Promise<void> {
    const all = Promise.allSettled(this.registry.all().map((s) => s.done));
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    if ((await Promise.race([all, timeout])) === 'timeout') {
      for (const s of this.registry.all()) s.hangup('shutdown');
      await Promise.race([Promise.allSettled(this.registry.all().map((s) => s.done)), new Promise((r) => setTimeout(r, 6_000).unref())]);
    }
    await this.progress.close();
  }
}
