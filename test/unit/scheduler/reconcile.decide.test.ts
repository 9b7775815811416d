import { describe, expect, it } from 'vitest';
import { decideOrphan, decideWaitingContact, FAILED_JOB_BACKOFF_MS, jobCheckDue, jobPresence } from '../../../src/scheduler/reconcile.decide.js';

const now = new Date('2026-12-07T03:00:00Z');
const AMD = 'ringwise-amd';

describe('jobPresence', () => {
  it('a job in the failed set counts as failed even though its hash exists', () => {
    expect(jobPresence(1, '1700000000000')).toBe('failed');
    expect(jobPresence(1, null)).toBe('present');
    expect(jobPresence(0, null)).toBe('missing');
  });
});

describe('decideWaitingContact', () => {
  it('keeps a contact whose job is there', () => {
    expect(decideWaitingContact({ attemptNo: 1, nextAttemptAt: null }, 'present', now)).toEqual({ action: 'keep' });
  });

  it('enqueues a lost job at once, with the attempt number the ledger says', () => {
    expect(decideWaitingContact({ attemptNo: 3, nextAttemptAt: null }, 'missing', now)).toEqual({
      action: 'enqueue',
      attemptNo: 3,
      at: now,
      removeFailed: false,
    });
  });

  it('keeps a retry delay or a deferral when the job is added again', () => {
    const later = new Date(now.getTime() + 600_000);
    expect(decideWaitingContact({ attemptNo: 2, nextAttemptAt: later }, 'missing', now)).toMatchObject({ action: 'enqueue', at: later });
    const past = new Date(now.getTime() - 600_000);
    expect(decideWaitingContact({ attemptNo: 2, nextAttemptAt: past }, 'missing', now)).toMatchObject({ at: now });
  });

  it('replaces a job that failed for good, after a back-off (no tight loop)', () => {
    expect(decideWaitingContact({ attemptNo: 1, nextAttemptAt: null }, 'failed', now)).toEqual({
      action: 'enqueue',
      attemptNo: 1,
      at: new Date(now.getTime() + FAILED_JOB_BACKOFF_MS),
      removeFailed: true,
    });
  });
});

describe('decideOrphan', () => {
  const stasis = (app: string) => ({ context: 'default', app_name: 'Stasis', app_data: `${app},x` });
  it('adopts a channel in a Stasis app, ours or a dead worker’s', () => {
    expect(decideOrphan({ id: 'a', state: 'Up', dialplan: stasis('ringwise-w1') }, AMD)).toBe('adopt');
  });
  it('adopts a channel in the AMD dialplan (its verdict comes back to the app)', () => {
    expect(decideOrphan({ id: 'a', state: 'Up', dialplan: { context: AMD, app_name: 'AMD' } }, AMD)).toBe('adopt');
  });
  it('adopts a channel still ringing (its answer enters the app)', () => {
    expect(decideOrphan({ id: 'a', state: 'Ringing', dialplan: { context: 'default' } }, AMD)).toBe('adopt');
  });
  it('loses a channel that is gone, or answered somewhere we cannot take it from', () => {
    expect(decideOrphan(null, AMD)).toBe('lose');
    expect(decideOrphan({ id: 'a', state: 'Up', dialplan: { context: 'elsewhere', app_name: 'Wait' } }, AMD)).toBe('lose');
  });
});

describe('jobCheckDue', () => {
  it('checks every job at once after a Redis data loss, otherwise periodically', () => {
    expect(jobCheckDue(true, 1_000, 1_001, 30_000)).toBe(true);
    expect(jobCheckDue(false, 1_000, 20_000, 30_000)).toBe(false);
    expect(jobCheckDue(false, 1_000, 31_000, 30_000)).toBe(true);
  });
});
