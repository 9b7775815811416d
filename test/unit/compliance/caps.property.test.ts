import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { countsAsConnected } from '../../../src/compliance/caps.js';
import { decide } from '../../../src/compliance/decide.js';
import type { AttemptRecord, Policy } from '../../../src/compliance/policy.types.js';
import { OPEN, input } from './fixtures.js';

/*
 * Caps count what they claim: every ledger row of the customer (any campaign, any of its
 * numbers, ended or still going on) is an attempt, and a call counts as a conversation from the
 * moment it is answered. An oracle written from those sentences is checked against decide().
 */

const ZONE = 'Asia/Shanghai';
const STATES = ['reserved', 'originating', 'ringing', 'answered', 'ended'] as const;
const PHONES = ['+8613800138000', '+8613900139000', '+8613700137000'];
const DAY_START = DateTime.fromISO('2026-03-10T00:00', { zone: ZONE }).toMillis();

interface Row {
  minute: number;
  campaignId: number;
  phone: string;
  state: (typeof STATES)[number];
  connected: boolean;
}

const row: fc.Arbitrary<Row> = fc
  .record({
    minute: fc.integer({ min: 0, max: 36 * 60 }), // today and the first hours of tomorrow
    campaignId: fc.integer({ min: 1, max: 3 }),
    phone: fc.constantFrom(...PHONES),
    state: fc.constantFrom(...STATES),
    connected: fc.boolean(),
  })
  // Only an ended call has its final verdict.
  .map((r) => ({ ...r, connected: r.state === 'ended' && r.connected }));

const toRecord = (r: Row): AttemptRecord => ({
  at: new Date(DAY_START + r.minute * 60_000),
  connected: countsAsConnected(r),
  answeredAt: r.state === 'answered' || r.connected ? new Date(DAY_START + (r.minute + 1) * 60_000) : null,
  campaignId: r.campaignId,
});

describe('caps (property)', () => {
  it('a live answered call counts as a conversation at once; nothing else before it ends', () => {
    for (const state of STATES) {
      expect(countsAsConnected({ state, connected: false })).toBe(state === 'answered');
      if (state === 'ended') expect(countsAsConnected({ state, connected: true })).toBe(true);
    }
  });

  it('per local day, across campaigns and numbers: attempts ≤ 6 and conversations ≤ 3 (cn-bank numbers)', () => {
    const policy: Policy = { ...OPEN, maxAttemptsPerDay: 6, maxConnectedPerDay: 3 };
    fc.assert(
      fc.property(fc.array(row, { maxLength: 12 }), fc.integer({ min: 0, max: 24 * 60 - 1 }), fc.constantFrom(...PHONES), (rows, nowMinute, phone) => {
        const now = DAY_START + nowMinute * 60_000;
        const past = rows.filter((r) => r.minute <= nowMinute);
        const today = past; // every row at or before now is on today's local date
        const attempts = today.length;
        const talks = today.filter((r) => r.state === 'answered' || r.connected).length;
        const d = decide(input({ policy, phone, customer: { timeZone: ZONE, phones: PHONES }, now: new Date(now), history: past.map(toRecord) }));
        if (attempts < 6 && talks < 3) expect(d).toEqual({ kind: 'allow' });
        else {
          expect(d.kind).toBe('defer');
          if (d.kind !== 'defer') return;
          expect(d.rule).toBe(attempts >= 6 ? 'max_attempts_per_day' : 'max_connected_per_day');
          // Tomorrow 00:00 local: today's calls do not count there.
          expect(d.until.getTime()).toBe(DAY_START + 24 * 3_600_000);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('no call within 7 days after a conversation, even one still going on (us-regf numbers)', () => {
    const policy: Policy = { ...OPEN, cooldownAfterConversationDays: 7 };
    fc.assert(
      fc.property(fc.array(row, { maxLength: 8 }), fc.integer({ min: 0, max: 36 * 60 }), (rows, nowMinute) => {
        const now = DAY_START + nowMinute * 60_000;
        const past = rows.filter((r) => r.minute < nowMinute);
        const talked = past.some((r) => r.state === 'answered' || r.connected);
        const d = decide(input({ policy, customer: { timeZone: ZONE, phones: PHONES }, now: new Date(now), history: past.map(toRecord) }));
        expect(d.kind).toBe(talked ? 'defer' : 'allow');
        if (d.kind === 'defer') expect(d.rule).toBe('cooldown_after_conversation');
      }),
      { numRuns: 1500 },
    );
  });
});
