import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/compliance/decide.js';
import { effectivePolicy, validateOverrides } from '../../../src/compliance/policy.merge.js';
import { getProfile } from '../../../src/compliance/policy.profiles.js';
import type { PolicyOverrides, Weekday } from '../../../src/compliance/policy.types.js';
import { input } from './fixtures.js';

const hhmm = fc.integer({ min: 0, max: 95 }).map((q) => `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`);
const overridesArb: fc.Arbitrary<PolicyOverrides> = fc.record(
  {
    windowStart: hhmm,
    windowEnd: hhmm,
    maxAttemptsPerDay: fc.option(fc.integer({ min: 1, max: 9 })),
    maxConnectedPerDay: fc.option(fc.integer({ min: 1, max: 5 })),
    minGapMinutes: fc.option(fc.integer({ min: 0, max: 120 })),
    allowedWeekdays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }).map((a) => a as Weekday[]),
  },
  { requiredKeys: [] },
);

describe('overrides (property)', () => {
  it('a policy with accepted or effective overrides never allows what the global policy forbids', () => {
    const global = getProfile('cn-bank');
    fc.assert(
      fc.property(
        overridesArb,
        fc.integer({ min: Date.parse('2026-03-01T00:00:00Z'), max: Date.parse('2026-03-20T00:00:00Z') }),
        fc.array(fc.integer({ min: 0, max: 2 * 86_400_000 }), { maxLength: 8 }),
        (o, now, agos) => {
          const history = agos.map((ago) => ({ at: new Date(now - ago), connected: ago % 3 === 0 }));
          const base = input({ now: new Date(now), history, customer: { timeZone: 'Europe/London', phones: [] } });
          const globalAllows = decide({ ...base, policy: global }).kind === 'allow';
          let accepted = true;
          try {
            validateOverrides(global, o);
          } catch {
            accepted = false;
          }
          const stricter = effectivePolicy(global, o);
          if (accepted) expect(stricter).toEqual({ ...global, ...o });
          if (decide({ ...base, policy: stricter }).kind === 'allow') expect(globalAllows).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });
});
