import type { Logger } from '../shared/logger.js';
import { classifyOutcome, parseAmdArgs, type CallFacts, type EndReason } from '../calls/outcome.js';
import type { AriEvent, AriPort } from './ports.js';
import type { AdoptedCall, SessionHooks, SessionOptions, SessionPhase, SessionResult } from './call-session.types.js';
import { SessionPlayback } from './session-playback.js';
import { AMD_GUARD_MS, HANGUP_GUARD_MS, RESYNC_GRACE_MS, SessionTimers, VOICEMAIL_WAIT_MS } from './session-timers.js';
import { originateChecked } from './originate.check.js';
import { MenuTracker, type MenuAction } from './menu.js';

export type { AdoptedCall, SessionHooks, SessionOptions, SessionPhase, SessionResult } from './call-session.types.js';

/**
 * One live call: its own state, timers and child logger, fed ARI events by the dialer. The
 * session never touches the database; it reports through hooks and ends with a result.
 */

export class CallSession {
  readonly attemptId: string;
  readonly log: Logger;
  phase: SessionPhase = 'new';
  readonly facts: CallFacts = { answered: false, digits: '' };
  originatedAt: Date | null = null;
  answeredAt: Date | null = null;
  firstAudioAt: Date | null = null;
  readonly done: Promise<SessionResult>;

  private resolveDone!: (r: SessionResult) => void;
  private readonly timers = new SessionTimers();
  private readonly menu: MenuTracker;
  private readonly playback: SessionPlayback;
  private readonly now: () => Date;
  private inStasis = false;
  private answerHandled = false;
  private delegate: ((e: AriEvent) => void) | null = null;
  /** An event of our own channel arrived: Asterisk has the call, whatever the originate said. */
  private sawEvent = false;
  /** Work the agent flow still does after the customer's channel is gone (agent leg, recording). */
  afterwork: Promise<void> = Promise.resolve();

  constructor(
    private readonly ari: AriPort,
    private readonly opts: SessionOptions,
    private readonly hooks: SessionHooks,
    log: Logger,
  ) {
    this.attemptId = opts.attemptId;
    this.log = log;
    this.now = opts.now ?? (() => new Date());
    this.menu = new MenuTracker(opts.menu?.keys);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.playback = new SessionPlayback(ari, opts.attemptId);
  }

  /**
   * Originates the call into our app: one request. Asterisk subscribes the app to the channel at
   * once, so unanswered ends still reach us; StasisStart comes only on answer (bench/README.md
   * says why not create + dial).
   */
  async start(): Promise<void> {
    this.phase = 'dialing';
    this.originatedAt = this.now();
    this.timers.set('max', this.opts.maxCallMs ?? 30 * 60_000, () => this.hangup('shutdown'));
    const { attemptId: channelId, endpoint, callerId, ringTimeoutSeconds } = this.opts;
    const r = await originateChecked(
      this.ari,
      { channelId, endpoint, callerId, timeoutSeconds: ringTimeoutSeconds },
      { subscribe: this.opts.amd.enabled, sawEvent: () => this.sawEvent },
    );
    if (!r.placed) {
      this.log.warn({ err: r.err, kind: r.kind }, 'originate failed');
      // Nothing reached Asterisk: not a dial (re-queued at once, counted against nothing).
      this.facts.endReason = r.kind === 'refused' ? 'originate_failed' : 'not_dialled';
      // The channel may exist (originated, the subscription failed): make sure it is gone.
      await this.ari.hangup(this.attemptId).catch(() => undefined);
      return this.finish();
    }
    // Asterisk's ring timeout, and ours 3 s later in case its never fires: ours counts from when
    // Asterisk has the call, as its own does (from the request, it fired under overload while the
    // customer was answering a request Asterisk had queued, and we hung up on an answered call).
    if (this.phase === 'dialing' && !this.facts.answered) this.timers.set('ring', (ringTimeoutSeconds + 3) * 1000, () => this.hangup('ring_timeout'));
    if (r.found) {
      this.log.warn({ err: r.err }, 'originate timed out, but Asterisk has the call: carrying on with it');
      // Its Up or StasisStart may have come before we listened: take the state from Asterisk.
      if (r.found !== 'events' && r.found.state === 'Up') await this.resync('Up');
    }
  }

  /** Takes over a live call another session placed, where it is (Dialer.adoptCall says how). */
  adopt(a: AdoptedCall): void {
    this.playback.skipIds(100); // the old session's playback ids (`.p1`, ...) are not ours
    this.originatedAt = a.originatedAt ?? this.now();
    this.timers.set('max', this.opts.maxCallMs ?? 30 * 60_000, () => this.hangup('shutdown'));
    if (a.state !== 'Up')
      return void ((this.phase = 'dialing'), this.timers.set('ring', (this.opts.ringTimeoutSeconds + 3) * 1000, () => this.hangup('ring_timeout')));
    this.facts.answered = true;
    this.answeredAt = a.answeredAt ?? this.now();
    this.answerHandled = true;
    this.hooks.onProgress?.('answered', this.answeredAt);
    if (a.inAmd) return void ((this.phase = 'amd'), this.timers.set('amd', AMD_GUARD_MS, () => this.hangup('lost')));
    this.inStasis = true;
    if (a.bridged) this.phase = 'closing';
    else if (a.promptPlaying || !a.promptHeard) this.startPrompt();
    else {
      this.phase = 'menu';
      this.facts.promptStarted = true;
      this.facts.promptFinished = true;
      this.timers.set('menu', this.opts.menuTimeoutMs, () => this.hangup('menu_timeout'));
    }
  }

  /**
   * The agent flow takes the call over: it sees every event routed here (its agent leg, bridge
   * and recording too) before the session does; the session only watches its own channel end.
   */
  handOver(delegate: (e: AriEvent) => void, afterwork: Promise<void>): void {
    this.phase = 'closing';
    this.timers.clear('menu');
    this.delegate = delegate;
    this.afterwork = afterwork;
  }

  handle(e: AriEvent): void {
    if (e.channel?.id === this.attemptId) this.sawEvent = true;
    if (this.delegate) {
      this.delegate(e);
      // After the hand-over the session only watches its own channel, to end with it.
      if (e.channel?.id !== this.attemptId) return;
    }
    if (this.phase === 'ended') return;
    switch (e.type) {
      case 'ChannelStateChange':
        if (e.channel?.state === 'Ringing') this.hooks.onProgress?.('ringing', this.now());
        if (e.channel?.state === 'Up') this.onUp();
        break;
      case 'StasisStart':
        // With AMD the channel comes back into the app from the dialplan with its verdict.
        if (this.phase === 'amd' && e.args && e.args.length > 0) this.onAmd(e.args);
        else if (!this.inStasis) {
          // An originated channel enters the app only once answered.
          this.inStasis = true;
          this.onUp();
        }
        break;
      case 'ChannelDtmfReceived':
        if (e.digit) this.onDigit(e.digit);
        break;
      case 'PlaybackStarted':
        if (e.playback?.id !== undefined && this.playback.isPrompt(e.playback.id)) {
          this.facts.promptStarted = true;
          if (this.firstAudioAt === null) {
            this.firstAudioAt = this.now();
            this.hooks.onProgress?.('first_audio', this.firstAudioAt);
          }
        }
        break;
      case 'PlaybackFinished':
        if (e.playback?.id) this.onPlaybackFinished(e.playback.id, e.playback.state);
        break;
      case 'ChannelHangupRequest':
        if (!this.facts.hungUpBy) this.facts.hungUpBy = 'remote';
        break;
      case 'ChannelDestroyed':
        if (!this.facts.hungUpBy) this.facts.hungUpBy = 'remote';
        if (this.phase === 'amd') this.facts.amdIncomplete = true;
        this.facts.cause = e.cause ?? null;
        this.facts.techCause = e.tech_cause ?? null;
        this.finish();
        break;
      default:
        break;
    }
  }

  /** The channel is gone and no event told us (ARI disconnect, crash recovery). */
  markLost(): void {
    if (this.phase === 'ended') return;
    // The agent flow must let go too (hang up its agent leg, give the agent back).
    this.delegate?.({ type: 'ChannelDestroyed', channel: { id: this.attemptId } });
    this.facts.endReason = 'lost';
    this.finish();
  }

  /**
   * After a reconnect the channel is still there but events may have been missed: take its
   * state from Asterisk and make sure a timer will end the call.
   */
  async resync(channelState: string): Promise<void> {
    if (this.phase === 'ended') return;
    // Only a playback started before this resync can have ended unheard. The prompt onUp() starts
    // just below is still on its way to Asterisk: asked about now, it does not exist yet, and
    // taking that as "finished" ended the prompt before its first audio (a silent call, seen
    // under overload after an originate that timed out while Asterisk answered it).
    const playing = this.playback.current;
    if (channelState === 'Up' && !this.facts.answered) {
      // An answered originate is in the app (or in the AMD dialplan, which returns to it).
      this.inStasis = true;
      this.onUp();
    }
    if (playing && !(await this.ari.playbackExists(playing).catch(() => true))) {
      // It finished while we could not hear: carry on as if the event had arrived.
      this.onPlaybackFinished(playing, 'done');
      return;
    }
    if (this.phase === 'menu') this.timers.set('menu', this.opts.menuTimeoutMs, () => this.hangup('menu_timeout'));
    if (this.phase === 'prompt' || this.phase === 'amd') this.timers.set('menu', this.opts.menuTimeoutMs + RESYNC_GRACE_MS, () => this.hangup('menu_timeout'));
    // A call handed to agents stays 'closing' while it is bridged: only its own end finishes it.
    if (this.phase === 'closing' && !this.delegate) this.timers.set('hangup-guard', HANGUP_GUARD_MS, () => this.finish());
  }

  /** Ends the call from our side; the outcome follows from ChannelDestroyed (or a guard). */
  hangup(reason: EndReason): void {
    // Shutdown (drain deadline, call time limit) also ends a call that is with an agent.
    if (this.delegate && this.phase === 'closing' && reason === 'shutdown') {
      this.ari.hangup(this.attemptId).catch((err: unknown) => this.log.debug({ err }, 'hangup request failed'));
      return;
    }
    if (this.phase === 'ended' || this.phase === 'closing') return;
    this.phase = 'closing';
    if (!this.facts.endReason) this.facts.endReason = reason;
    if (!this.facts.hungUpBy) this.facts.hungUpBy = 'us';
    this.timers.clear('menu');
    this.ari.hangup(this.attemptId).catch((err: unknown) => this.log.debug({ err }, 'hangup request failed'));
    this.timers.set('hangup-guard', HANGUP_GUARD_MS, () => this.finish());
  }

  /** Answered (ChannelStateChange Up or StasisStart, whichever comes first); the prompt waits for the app. */
  private onUp(): void {
    if (!this.facts.answered) {
      this.facts.answered = true;
      this.answeredAt = this.now();
      this.timers.clear('ring');
      this.hooks.onProgress?.('answered', this.answeredAt);
      // Debug: at info a call logs twice, when placed and when ended (with its ring time).
      this.log.debug({ ringMs: this.answeredAt.getTime() - (this.originatedAt?.getTime() ?? 0) }, 'answered');
    }
    // Up comes a moment before StasisStart: playing before the channel is in the app fails.
    if (!this.inStasis || this.answerHandled) return;
    this.answerHandled = true;
    if (this.phase === 'closing') return; // answered just as we gave up ringing
    if (this.opts.amd.enabled) {
      this.phase = 'amd';
      this.timers.set('amd', AMD_GUARD_MS + (this.opts.amd.machineAction === 'message' ? VOICEMAIL_WAIT_MS : 0), () => this.hangup('lost'));
      void this.intoAmd();
    } else {
      this.startPrompt();
    }
  }

  private async intoAmd(): Promise<void> {
    try {
      await this.ari.setVariable(this.attemptId, 'RINGWISE_APP', this.ari.app);
      if (this.opts.amd.machineAction === 'message') await this.ari.setVariable(this.attemptId, 'RINGWISE_VM_WAIT', '1');
      await this.ari.continueInDialplan(this.attemptId, this.opts.amd.context, 's', 1);
    } catch (err) {
      this.log.warn({ err }, 'could not start AMD; treating the answer as human');
      this.timers.clear('amd');
      this.startPrompt();
    }
  }

  private onAmd(rawArgs: string[]): void {
    this.timers.clear('amd');
    Object.assign(this.facts, parseAmdArgs(rawArgs));
    this.log.info({ amd: this.facts.amdStatus, amdCause: this.facts.amdCause }, 'amd result');
    if (this.facts.amdStatus === 'MACHINE') {
      if (this.opts.amd.machineAction === 'message' && this.opts.sounds.machineMessage.length > 0) {
        this.phase = 'closing';
        this.playThen(this.opts.sounds.machineMessage, () => {
          this.phase = 'menu';
          this.hangup('machine');
        });
      } else {
        this.hangup('machine');
      }
      return;
    }
    if (this.facts.amdStatus === 'HANGUP') return; // ChannelDestroyed follows
    this.startPrompt();
  }

  private startPrompt(): void {
    this.phase = 'prompt';
    this.timers.clear('menu');
    const media = this.opts.agentAfterGreeting ? this.opts.media.slice(0, 1) : this.opts.media;
    this.playback.playPrompt(media, (err) => {
      this.log.warn({ err }, 'prompt playback failed');
      this.hangup('lost');
    });
  }

  private onPlaybackFinished(id: string, state: string | undefined): void {
    if (!this.playback.take(id)) return; // a playback we stopped on purpose
    // A hang-up cuts the playback short: Asterisk reports it finished with state "failed".
    if (state === 'failed' || this.facts.hungUpBy === 'remote') {
      if (!this.facts.hungUpBy) {
        this.log.warn({ playbackId: id }, 'playback failed');
        this.hangup('lost');
      }
      return;
    }
    if (this.playback.isPrompt(id)) {
      this.facts.promptStarted = true;
      this.facts.promptFinished = true;
      this.playback.endPrompt();
      if (this.opts.agentAfterGreeting) {
        this.phase = 'closing';
        this.facts.endReason = 'agent_routed';
        void this.agent();
        return;
      }
      this.phase = 'menu';
      this.timers.set('menu', this.opts.menuTimeoutMs, () => this.hangup('menu_timeout'));
      return;
    }
    this.playback.takeAfter()?.();
  }

  private onDigit(digit: string): void {
    if (this.phase !== 'prompt' && this.phase !== 'menu') return;
    this.facts.digits = (this.facts.digits ?? '') + digit;
    this.log.info({ digit }, 'dtmf');
    const step = this.menu.press(digit);
    if (step.kind === 'action') return this.onMenuAction(step.action);
    const again = step.kind === 'reprompt' ? [...(this.opts.menu?.notRecognised ?? []), ...(this.opts.menu?.announcement ?? [])] : [];
    if (again.length === 0) return;
    // An invalid key: "not recognised", then the menu again, and the menu's time to answer.
    this.stopCurrent();
    this.phase = 'menu';
    this.playThen(again, () => this.timers.set('menu', this.opts.menuTimeoutMs, () => this.hangup('menu_timeout')));
  }

  private onMenuAction(action: MenuAction): void {
    this.stopCurrent();
    if (action === 'repeat') return this.startPrompt();
    this.phase = 'closing';
    if (action === 'opt_out') return void this.optOut();
    const reason = action === 'agent' ? 'agent_requested' : action === 'callback' ? 'callback_requested' : 'promise_to_pay';
    this.facts.endReason = reason;
    // An agent takes the call over; a promise to pay or a callback request: thanks, then hang up.
    if (action === 'agent') void this.agent();
    else this.playThen(this.opts.sounds.acknowledged, () => this.finalHangup(reason));
  }

  private async agent(): Promise<void> {
    try {
      if (this.hooks.onAgentRequested) await this.hooks.onAgentRequested(this);
      else this.finalHangup('agent_requested');
    } catch (err) {
      this.log.warn({ err }, 'agent hand-off failed');
      // The customer asked for (or was promised) a person and got none.
      if (this.delegate === null) this.facts.agent = 'abandoned';
      this.finalHangup(this.facts.endReason ?? 'agent_requested');
    }
  }

  private async optOut(): Promise<void> {
    try {
      await this.hooks.onOptOut(this);
      this.facts.optedOut = true;
      this.facts.endReason = 'opted_out';
    } catch (err) {
      this.log.error({ err }, 'opt-out could not be recorded');
    }
    this.playThen(this.opts.sounds.optedOut, () => this.finalHangup('opted_out'));
  }

  private finalHangup(reason: EndReason): void {
    this.phase = 'menu';
    this.hangup(reason);
  }

  private playThen(media: string[], then: () => void): void {
    this.playback.playThen(media, then);
  }

  private stopCurrent(): void {
    this.timers.clear('menu');
    this.playback.stop();
  }

  private finish(): void {
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    this.timers.clearAll();
    const outcome = classifyOutcome(this.facts);
    const endedAt = this.now();
    const ringMs = this.answeredAt && this.originatedAt ? this.answeredAt.getTime() - this.originatedAt.getTime() : undefined;
    this.log.info({ outcome, cause: this.facts.cause, techCause: this.facts.techCause, endReason: this.facts.endReason, ringMs }, 'call ended');
    this.resolveDone({
      attemptId: this.attemptId,
      outcome,
      facts: this.facts,
      originatedAt: this.originatedAt,
      answeredAt: this.answeredAt,
      firstAudioAt: this.firstAudioAt,
      endedAt,
    });
  }
}
