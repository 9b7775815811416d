export const HANGUP_GUARD_MS = 5_000;
export const AMD_GUARD_MS = 15_000;
/** A machine that gets a message waits in the dialplan for its beep (at most 30 s). */
export const VOICEMAIL_WAIT_MS = 35_000;
/** A prompt still playing after a reconnect gets this long before we stop waiting for it. */
export const RESYNC_GRACE_MS = 60_000;

/** A call's named timers (ring, menu, guards): setting one again replaces it; none keeps the process alive. */
export class SessionTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  set(name: string, ms: number, fn: () => void): void {
    this.clear(name);
    const t = setTimeout(() => {
      this.timers.delete(name);
      fn();
    }, ms);
    t.unref?.();
    this.timers.set(name, t);
  }

  clear(name: string): void {
    const t = this.timers.get(name);
    if (t) clearTimeout(t);
    this.timers.delete(name);
  }

  clearAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
