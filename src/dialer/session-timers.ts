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
