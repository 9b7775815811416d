import { describe, expect, it } from 'vitest';
import { decideRetry, DEFAULT_LOST_RULE, parseRetryPolicy, retryClassOf } from '../../../src/scheduler/retry.js';
import { OUTCOMES } from '../../../src/calls/outcome.js';

const policy = parseRetryPolicy({
  busy: { delaySeconds: 1800, maxRetries: 2 },
  no_answer: { delaySeconds: 600, maxRetries: 1 },
  machine: { delaySeconds: 3600, maxRetries: 1 },
  failed: { delaySeconds: 60, maxRetries: 3 },
});

describe('retryClassOf', () => {
  it('maps each outcome to at most one class', () => {
    const classes = Object.fromEntries(OUTCOMES.map((o) => [o, retryClassOf(o)]));
    expect(classes).toEqual({
      answered_human: null,
      answered_machine: 'machine',
      answered_unknown: null,
      busy: 'busy',
      no_answer: 'no_answer',
      rejected: null,
      congestion: 'failed',
      failed: 'failed',
      invalid_number: null,
      hangup_during_prompt: null,
      completed: null,
      opted_out: null,
      // Not a retry: the agents module schedules its own callback (settleContact).
      abandoned: null,
    });
  });
});

describe('decideRetry', () => {
  it('retries busy up to maxRetries, then stops', () => {
    expect(decideRetry(policy, 'busy', 1)).toEqual({ retry: true, attemptNo: 2, delaySeconds: 1800, class: 'busy' });
    expect(decideRetry(policy, 'busy', 2)).toEqual({ retry: true, attemptNo: 3, delaySeconds: 1800, class: 'busy' });
    expect(decideRetry(policy, 'busy', 3)).toEqual({ retry: false });
  });

  it('uses each class its own rule', () => {
    expect(decideRetry(policy, 'no_answer', 1)).toMatchObject({ retry: true, delaySeconds: 600 });
    expect(decideRetry(policy, 'no_answer', 2)).toEqual({ retry: false });
    expect(decideRetry(policy, 'answered_machine', 1)).toMatchObject({ retry: true, delaySeconds: 3600 });
    expect(decideRetry(policy, 'congestion', 3)).toMatchObject({ retry: true, attemptNo: 4, delaySeconds: 60 });
  });

  it('never retries final outcomes', () => {
    for (const o of ['completed', 'opted_out', 'rejected', 'invalid_number', 'answered_human', 'hangup_during_prompt'] as const) {
      expect(decideRetry(policy, o, 1)).toEqual({ retry: false });
    }
  });

  it('does not retry a call that reached someone and was then lost', () => {
    expect(decideRetry(policy, 'failed', 1, true)).toEqual({ retry: false });
    expect(decideRetry(policy, 'failed', 1, false)).toMatchObject({ retry: true });
  });

  it('a class absent from the policy is never retried', () => {
    expect(decideRetry({}, 'busy', 1)).toEqual({ retry: false });
  });
});

describe('parseRetryPolicy', () => {
  it('ignores junk and clamps values', () => {
    const lost = DEFAULT_LOST_RULE;
    expect(parseRetryPolicy(null)).toEqual({ lost });
    expect(parseRetryPolicy([])).toEqual({ lost });
    expect(parseRetryPolicy({ busy: 'x', other: { delaySeconds: 1, maxRetries: 1 } })).toEqual({ lost });
    expect(parseRetryPolicy({ busy: { delaySeconds: -5, maxRetries: 1.5 } })).toEqual({ lost });
    expect(parseRetryPolicy({ busy: { delaySeconds: -5, maxRetries: 1000 } })).toEqual({ busy: { delaySeconds: 0, maxRetries: 50 }, lost });
    expect(parseRetryPolicy({ lost: { delaySeconds: 5, maxRetries: 3 } })).toEqual({ lost: { delaySeconds: 5, maxRetries: 3 } });
  });
});

describe('lost calls', () => {
  it('have their own class whatever the outcome, except a finished or opted-out call', () => {
    expect(retryClassOf('failed', 'lost')).toBe('lost');
    expect(retryClassOf('hangup_during_prompt', 'shutdown')).toBe('lost');
    expect(retryClassOf('answered_human', 'lost')).toBe('lost');
    expect(retryClassOf('completed', 'shutdown')).toBeNull();
    expect(retryClassOf('opted_out', 'lost')).toBeNull();
  });

  it('are retried by default once after 10 minutes, even when answered', () => {
    expect(decideRetry(parseRetryPolicy({}), 'failed', 1, true, 'lost', { dialled: 1, lost: 1 })).toEqual({
      retry: true,
      attemptNo: 2,
      delaySeconds: 600,
      class: 'lost',
    });
    expect(decideRetry(parseRetryPolicy({}), 'failed', 2, true, 'lost', { dialled: 2, lost: 2 })).toEqual({ retry: false });
  });

  it('count lost calls only, not the other attempts', () => {
    const p = parseRetryPolicy({ lost: { delaySeconds: 2, maxRetries: 1 }, busy: { delaySeconds: 60, maxRetries: 1 } });
    // attempt 3 after two busy calls, first lost call: still retried.
    expect(decideRetry(p, 'failed', 3, false, 'lost', { dialled: 3, lost: 1 })).toMatchObject({ retry: true, attemptNo: 4, delaySeconds: 2 });
  });

  it('released reservations do not count against the other classes', () => {
    const p = parseRetryPolicy({ busy: { delaySeconds: 60, maxRetries: 1 } });
    // attempt 3, but attempts 1 and 2 were never dialled: this is the first real dial.
    expect(decideRetry(p, 'busy', 3, false, null, { dialled: 1, lost: 0 })).toMatchObject({ retry: true, attemptNo: 4 });
    expect(decideRetry(p, 'busy', 3, false, null, { dialled: 2, lost: 0 })).toEqual({ retry: false });
  });
});
