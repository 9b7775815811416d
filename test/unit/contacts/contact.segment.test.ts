import { describe, expect, it } from 'vitest';
import { SEGMENT_INSERT_SQL, segmentParams, segmentProblems } from '../../../src/contacts/contact.segment.js';
import { runStatus, runSummaryLine, type RunReport } from '../../../src/schedules/schedule.report.js';

describe('segment → SQL parameters', () => {
  it('absent bounds are NULL (no filter); every value is a parameter, never SQL text', () => {
    expect(segmentParams({}, '2026-11-30')).toEqual([null, null, null, null, null, null, '2026-11-30']);
    expect(
      segmentParams(
        { daysPastDueMin: 1, daysPastDueMax: 30, dueWithinDays: 7, riskTiers: ['high', 'low', 'high'], minAmount: 1000.5, minRiskScore: 60 },
        '2026-11-30',
      ),
    ).toEqual([1, 30, 7, ['high', 'low'], '1000.5', 60, '2026-11-30']);
    expect(segmentParams({ riskTiers: [] }, '2026-11-30')[3]).toBeNull();
    // $1 is the campaign; the segment's seven values fill $2..$8 and nothing else is interpolated.
    const placeholders = new Set(SEGMENT_INSERT_SQL.match(/\$\d+/g));
    expect([...placeholders].sort()).toEqual(['$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8']);
  });

  it('a min above the max is a problem', () => {
    expect(segmentProblems({ daysPastDueMin: 31, daysPastDueMax: 30 })).toHaveLength(1);
    expect(segmentProblems({ daysPastDueMin: 30, daysPastDueMax: 30 })).toEqual([]);
  });
});

describe('run status and summary', () => {
  it('the window action wins; then an ended campaign; else running', () => {
    expect(runStatus({ windowAction: 'expired', campaignState: 'completed' })).toBe('expired');
    expect(runStatus({ windowAction: null, campaignState: 'completed' })).toBe('completed');
    expect(runStatus({ windowAction: null, campaignState: 'running' })).toBe('running');
    expect(runStatus({ windowAction: 'deferred', campaignState: 'running' })).toBe('deferred');
  });

  it('one line', () => {
    const r = {
      id: 7,
      scheduleName: 'nightly',
      localDate: '2026-11-30',
      campaignId: 12,
      campaignState: 'completed',
      status: 'expired',
      contacts: { total: 3, byState: { expired: 1, completed: 2 } },
      attempts: 2,
      windowAction: 'expired',
      windowLeft: 1,
    } as unknown as RunReport;
    expect(runSummaryLine(r, false)).toBe(
      'run 7 exists: schedule nightly 2026-11-30, campaign 12 (completed), status expired, 3 contacts [completed=2 expired=1], 2 attempts, window closed: 1 expired',
    );
  });
});
