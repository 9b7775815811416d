import { describe, expect, it } from 'vitest';
import { CALL_OUTCOMES, summarizeStats } from '../../../src/campaigns/campaign.stats.js';
import { CONTACT_STATES } from '../../../src/contacts/contact.states.js';

describe('summarizeStats', () => {
  it('always lists every contact state and outcome, with zeros', () => {
    const s = summarizeStats(1, { contacts: [], outcomes: [], live: 0, answeredHuman: 0 });
    expect(Object.keys(s.contacts.byState)).toEqual([...CONTACT_STATES]);
    expect(Object.keys(s.attempts.byOutcome)).toEqual([...CALL_OUTCOMES]);
    expect(Object.values(s.contacts.byState).every((n) => n === 0)).toBe(true);
    expect(s.abandonRate).toBeNull();
    expect(s.abandonment).toMatchObject({ rate: null, abandoned: 0, liveAnswered: 0, windowDays: 30 });
    expect(s.progress).toBeNull();
  });

  it('computes totals, reasons, abandon rate and progress', () => {
    const s = summarizeStats(7, {
      contacts: [
        { state: 'pending', reason: null, n: 4 },
        { state: 'deferred', reason: 'quiet_hours', n: 2 },
        { state: 'deferred', reason: null, n: 1 },
        { state: 'blocked', reason: 'daily_cap', n: 1 },
        { state: 'completed', reason: null, n: 1 },
        { state: 'opted_out', reason: null, n: 1 },
      ],
      outcomes: [
        { outcome: 'answered_human', n: 6 },
        { outcome: 'abandoned', n: 2 },
        { outcome: 'busy', n: 3 },
        { outcome: null, n: 1 },
        { outcome: 'something_new', n: 1 },
      ],
      live: 1,
      answeredHuman: 8,
      // The rolling window, not the lifetime outcomes: 3 of 120 live-answered calls in 30 days.
      abandon: { abandoned: 3, liveAnswered: 120, since: new Date('2026-11-07T00:00:00Z'), target: 0.03 },
    });
    expect(s.campaignId).toBe(7);
    expect(s.contacts.total).toBe(10);
    expect(s.contacts.reasons).toEqual({ deferred: { quiet_hours: 2, unspecified: 1 }, blocked: { daily_cap: 1 } });
    expect(s.attempts.total).toBe(13);
    expect(s.attempts.byOutcome['something_new']).toBe(1);
    expect(s.abandonRate).toBe(3 / 120);
    expect(s.abandonment).toEqual({ rate: 3 / 120, abandoned: 3, liveAnswered: 120, windowDays: 30, since: '2026-11-07T00:00:00.000Z', target: 0.03 });
    expect(s.progress).toBe(3 / 10);
  });
});
