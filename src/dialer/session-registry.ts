import type { CallSession } from './call-session.js';
import type { AriEvent } from './ports.js';

/**
 * Every live call of this worker, keyed by attempt id (= ARI channel id). The dialer routes
 * each ARI event to its session through here; playback events carry the playback id, which
 * the session derives from its attempt id.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, CallSession>();
  /** Other channels and bridges a session owns (its agent legs, its agent bridge), by id. */
  private readonly aliases = new Map<string, CallSession>();

  add(session: CallSession): void {
    this.sessions.set(session.attemptId, session);
    // Kept until the agent flow is done too: its agent leg and recording outlive the customer.
    void session.done
      .then(() => session.afterwork)
      .catch(() => undefined)
      .finally(() => {
        if (this.sessions.get(session.attemptId) === session) this.sessions.delete(session.attemptId);
        for (const [id, s] of this.aliases) if (s === session) this.aliases.delete(id);
      });
  }

  /** Routes another channel's or a bridge's events (agent leg, agent bridge) to this session; register before creating it. */
  alias(channelId: string, session: CallSession): void {
    this.aliases.set(channelId, session);
  }

  get(attemptId: string): CallSession | undefined {
    return this.sessions.get(attemptId);
  }

  get size(): number {
    return this.sessions.size;
  }

  all(): CallSession[] {
    return [...this.sessions.values()];
  }

  /** The session an event belongs to, if it is one of ours. */
  route(e: AriEvent): CallSession | undefined {
    if (e.channel?.id) return this.sessions.get(e.channel.id) ?? this.aliases.get(e.channel.id);
    // Agent bridges are aliases of their session too; recordings name the bridge as their target.
    if (e.bridge?.id) return this.aliases.get(e.bridge.id);
    const rec = e.recording?.target_uri;
    if (rec?.startsWith('bridge:')) return this.aliases.get(rec.slice('bridge:'.length));
    const target = e.playback?.target_uri;
    if (target?.startsWith('channel:')) return this.sessions.get(target.slice('channel:'.length));
    const pid = e.playback?.id;
    if (pid) {
      const dot = pid.lastIndexOf('.p');
      if (dot > 0) return this.sessions.get(pid.slice(0, dot));
    }
    return undefined;
  }

  dispatch(e: AriEvent): boolean {
    const s = this.route(e);
    if (!s) return false;
    s.handle(e);
    return true;
  }
}
