import type { EndReason, Outcome } from '../calls/outcome.js';
import type { RetryOutcome, RetryPolicy } from '../campaigns/campaign.repo.js';

/**
 * Retry policy per outcome class, from `campaigns.retry_policy`:
 * `{ "busy": {"delaySeconds": 1800, "maxRetries": 2}, "no_answer": {...}, "machine": {...},
 * "failed": {...}, "lost": {...} }`. A class that is absent is never retried, except `lost`,
 * which has a default: a call lost by a fault on our side (worker or Asterisk crash, ARI outage,
 * a drain deadline) is not the customer's doing, so it is tried again once after 10 minutes.
 * Every retry still passes the compliance gate, which may defer or block it.
 */
export type RetryClass = RetryOutcome;
export type RetryRule = NonNullable<RetryPolicy[RetryClass]>;
export type { RetryPolicy };

export type RetryDecision = { retry: true; attemptNo: number; delaySeconds: number; class: RetryClass } | { retry: false };

export const DEFAULT_LOST_RULE: RetryRule = { delaySeconds: 600, maxRetries: 1 };
const CLASSES = ['busy', 'no_answer', 'machine', 'failed', 'lost'] as const;
const MAX_DELAY_SECONDS = 30 * 24 * 3600;
const MAX_RETRIES = 50;

/** End reasons that mean our side lost the call (not the customer, not the carrier). */
export function isLostEnd(endReason: EndReason | string | null | undefined): boolean {
  return endReason === 'lost' || endReason === 'shutdown';
}

export function retryClassOf(outcome: Outcome, endReason?: EndReason | string | null): RetryClass | null {
  if (isLostEnd(endReason) && outcome !== 'opted_out' && outcome !== 'completed') return 'lost';
  switch (outcome) {
    case 'busy':
      return 'busy';
    case 'no_answer':
      return 'no_answer';
    case 'answered_machine':
      return 'machine';
    case 'failed':
    case 'congestion':
      return 'failed';
    default:
      return null;
  }
}

/** Reads a stored retry_policy defensively: unknown keys and bad values are ignored. */
export function parseRetryPolicy(raw: unknown): RetryPolicy {
  const out: RetryPolicy = { lost: DEFAULT_LOST_RULE };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const key of CLASSES) {
    const r = (raw as Record<string, unknown>)[key];
    if (!r || typeof r !== 'object') continue;
    const { delaySeconds, maxRetries } = r as Record<string, unknown>;
    if (typeof delaySeconds !== 'number' || typeof maxRetries !== 'number') continue;
    if (!Number.isFinite(delaySeconds) || !Number.isInteger(maxRetries)) continue;
    out[key] = {
      delaySeconds: Math.min(Math.max(0, delaySeconds), MAX_DELAY_SECONDS),
      maxRetries: Math.min(Math.max(0, maxRetries), MAX_RETRIES),
    };
  }
  return out;
}

/** How many of the contact's attempts count, so far including this one (from the ledger). */
export interface AttemptCounts {
  /** Attempts that really reached Asterisk (released reservations are not dials). */
  dialled: number;
  /** Of those, the ones our side lost. */
  lost: number;
}

/**
 * Whether attempt `attemptNo` (1-based) with this outcome earns another attempt. `maxRetries`
 * counts retries after the first attempt: the contact's n-th real dial may retry while
 * n <= maxRetries (n from `counts.dialled`, so released reservations count for nothing; without
 * counts it is `attemptNo`). Lost calls have their own budget: the contact's m-th lost call may
 * retry while m <= lost.maxRetries, whatever else happened before. A call that reached a person
 * and then failed on the far side is never retried as "failed".
 */
export function decideRetry(
  policy: RetryPolicy,
  outcome: Outcome,
  attemptNo: number,
  answered = false,
  endReason?: EndReason | string | null,
  counts?: AttemptCounts,
): RetryDecision {
  const cls = retryClassOf(outcome, endReason);
  if (!cls) return { retry: false };
  if (cls === 'failed' && answered) return { retry: false };
  const rule = policy[cls];
  const n = cls === 'lost' ? (counts?.lost ?? 1) : (counts?.dialled ?? attemptNo);
  if (!rule || n > rule.maxRetries) return { retry: false };
  return { retry: true, attemptNo: attemptNo + 1, delaySeconds: rule.delaySeconds, class: cls };
}
