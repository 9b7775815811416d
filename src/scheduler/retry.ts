import type { Outcome } from '../calls/outcome.js';
import type { RetryOutcome, RetryPolicy } from '../campaigns/campaign.repo.js';

/**
 * Retry policy per outcome class, from `campaigns.retry_policy`:
 * `{ "busy": {"delaySeconds": 1800, "maxRetries": 2}, "no_answer": {...}, "machine": {...},
 * "failed": {...} }`. A class that is absent is never retried. Every retry still passes the
 * compliance gate, which may defer or block it.
 */
export type RetryClass = RetryOutcome;
export type RetryRule = NonNullable<RetryPolicy[RetryClass]>;
export type { RetryPolicy };

export type RetryDecision = { retry: true; attemptNo: number; delaySeconds: number; class: RetryClass } | { retry: false };

const MAX_DELAY_SECONDS = 30 * 24 * 3600;
const MAX_RETRIES = 50;

export function retryClassOf(outcome: Outcome): RetryClass | null {
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
  const out: RetryPolicy = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const key of ['busy', 'no_answer', 'machine', 'failed'] as const) {
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

/**
 * Whether attempt `attemptNo` (1-based) with this outcome earns another attempt. `maxRetries`
 * counts retries after the first attempt, so attempt n may retry while n <= maxRetries. A call
 * that reached a person (answered and lost) is never retried as "failed".
 */
export function decideRetry(policy: RetryPolicy, outcome: Outcome, attemptNo: number, answered = false): RetryDecision {
  const cls = retryClassOf(outcome);
  if (!cls) return { retry: false };
  if (cls === 'failed' && answered) return { retry: false };
  const rule = policy[cls];
  if (!rule || attemptNo > rule.maxRetries) return { retry: false };
  return { retry: true, attemptNo: attemptNo + 1, delaySeconds: rule.delaySeconds, class: cls };
}
