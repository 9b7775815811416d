/**
 * The callers of a client's `connect()` waiting for its first connection (ARI, AMI): all settled
 * at once when it connects or fails for good, each with its own timeout.
 */
export class ConnectWaiters {
  private waiters: Array<{ resolve(): void; reject(err: Error): void }> = [];

  /** Resolves at the next `settle()`; rejects with `timeoutError()` after `timeoutMs` (when given). */
  wait(timeoutMs: number | undefined, timeoutError: () => Error): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = {
        resolve() {
          if (timer) clearTimeout(timer);
          resolve();
        },
        reject(err: Error) {
          if (timer) clearTimeout(timer);
          reject(err);
        },
      };
      this.waiters.push(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(timeoutError());
        }, timeoutMs);
      }
    });
  }

  settle(err?: Error): void {
    const w = this.waiters;
    this.waiters = [];
    for (const x of w) {
      if (err) x.reject(err);
      else x.resolve();
    }
  }
}
