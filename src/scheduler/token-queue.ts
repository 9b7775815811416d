import type { PaceLimits } from './pacing.js';

/**
 * Calls-per-second tokens for the dial jobs of one process, handed out in arrival order. Each
 * job waits here right before the compliance gate and its originate (`pacing.gate.ts`), so
 * calls reach the carrier at the campaign's rate and no reservation waits. Only the head of each
 * campaign's queue asks Redis (at the wait it is told), so a thousand waiting jobs cost one
 * Redis call per token, not a thousand polls.
 */
export interface TokenQueue {
  /** Resolves once a token was taken for this campaign; rejects when `signal` aborts first. */
  wait(campaignId: string, limits: PaceLimits, signal?: AbortSignal): Promise<void>;
  /** Jobs waiting (for tests and stats). */
  waiting(campaignId?: string): number;
}

type Take = (campaignId: string, limits: PaceLimits) => Promise<number>;

interface Waiter {
  limits: PaceLimits;
  resolve(): void;
  reject(err: unknown): void;
}

// After a Redis error the head waits this long before asking again.
const ERROR_BACKOFF_MS = 200;

export function createTokenQueue(take: Take, sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): TokenQueue {
  const queues = new Map<string, Waiter[]>();

  const pump = async (campaignId: string, q: Waiter[]): Promise<void> => {
    while (q.length > 0) {
      let waitMs: number;
      try {
        waitMs = await take(campaignId, q[0]!.limits);
      } catch {
        waitMs = ERROR_BACKOFF_MS;
      }
      // Whoever is first now gets it (the one we asked for may have given up meanwhile).
      if (waitMs === 0) q.shift()?.resolve();
      else await sleep(waitMs);
    }
    queues.delete(campaignId);
  };

  return {
    wait(campaignId, limits, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        let q = queues.get(campaignId);
        const fresh = q === undefined;
        if (!q) {
          q = [];
          queues.set(campaignId, q);
        }
        const waiter: Waiter = { limits, resolve, reject };
        q.push(waiter);
        signal?.addEventListener(
          'abort',
          () => {
            const i = q.indexOf(waiter);
            if (i >= 0) q.splice(i, 1);
            reject(signal.reason);
          },
          { once: true },
        );
        if (fresh) void pump(campaignId, q);
      });
    },
    waiting(campaignId) {
      if (campaignId !== undefined) return queues.get(campaignId)?.length ?? 0;
      let n = 0;
      for (const q of queues.values()) n += q.length;
      return n;
    },
  };
}
