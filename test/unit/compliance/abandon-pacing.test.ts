import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIMIT_AT,
  DEFAULT_RECOVER_AT,
  decideAbandonPacing,
  overflow,
  projectAbandonRate,
  type AbandonPacingInput,
} from '../../../src/compliance/abandon-pacing.js';
import { PROFILE_DEFINITIONS, profileSources } from '../../../src/compliance/policy.profiles.js';
import { validateOverrides } from '../../../src/compliance/policy.merge.js';

const base: AbandonPacingInput = { abandoned: 0, liveAnswered: 1000, inFlight: 0, availableAgents: 4, ratio: 2, target: 0.03, limited: false };

const inputArb: fc.Arbitrary<AbandonPacingInput> = fc
  .record({
    live: fc.integer({ min: 0, max: 5_000 }),
    abandonedShare: fc.double({ min: 0, max: 1, noNaN: true }),
    inFlight: fc.integer({ min: 0, max: 60 }),
    availableAgents: fc.integer({ min: 0, max: 40 }),
    ratio: fc.oneof(fc.constantFrom(0.5, 1, 1.5, 2, 3), fc.double({ min: 0.1, max: 10, noNaN: true })),
    target: fc.oneof(fc.constantFrom(0, 0.01, 0.03, 0.05), fc.double({ min: 0, max: 1, noNaN: true })),
    limited: fc.boolean(),
  })
  .map(({ live, abandonedShare, ...rest }) => ({ ...rest, liveAnswered: live, abandoned: Math.floor(live * abandonedShare) }));

describe('abandon pacing: examples', () => {
  it('a clean history over-dials at the configured ratio', () => {
    expect(decideAbandonPacing(base)).toMatchObject({ rate: 0, limited: false, ratio: 2, lines: 8 });
  });

  it('a measured rate at or above the target limits to one line per available agent', () => {
    const d = decideAbandonPacing({ ...base, abandoned: 30, liveAnswered: 1000 });
    expect(d).toMatchObject({ rate: 0.03, limited: true, ratio: 1, lines: 4 });
  });

  it('the projection counts the calls beyond the free agents as abandoned: near the target it limits before the rate gets there', () => {
    // 20 abandoned of 1000 (2 %): 4 agents, 4 calls in flight, one more would be 1 over: (20 + 1) / 1005 = 2.09 % < 2.4 %.
    expect(decideAbandonPacing({ ...base, abandoned: 20, inFlight: 4 })).toMatchObject({ limited: false, lines: 8 });
    // 7 in flight: 4 over → (20 + 4) / 1008 = 2.38 %; 8: 5 over → 25 / 1009 = 2.48 % ≥ 2.4 %.
    expect(decideAbandonPacing({ ...base, abandoned: 20, inFlight: 7 }).limited).toBe(false);
    const d = decideAbandonPacing({ ...base, abandoned: 20, inFlight: 8 });
    expect(d.limited).toBe(true);
    expect(d.projected).toBeCloseTo(25 / 1009, 10);
    expect(d.lines).toBe(4);
  });

  it('recovers only once the projection is clearly below the target (hysteresis)', () => {
    // 2 % measured, nothing over the agents: projected 20/1001 ≈ 2.0 %: between 1.8 % and 2.4 %.
    const between = { ...base, abandoned: 20 };
    expect(decideAbandonPacing({ ...between, limited: false }).limited).toBe(false);
    expect(decideAbandonPacing({ ...between, limited: true }).limited).toBe(true);
    // 1.5 %: below 60 % of the target, back to the ratio.
    expect(decideAbandonPacing({ ...base, abandoned: 15, limited: true })).toMatchObject({ limited: false, ratio: 2 });
  });

  it('a new campaign may not over-dial: with no history one call over the agents is a projected 50 %', () => {
    expect(decideAbandonPacing({ ...base, liveAnswered: 0, inFlight: 0, availableAgents: 1 })).toMatchObject({ rate: null, projected: 0, limited: false });
    expect(decideAbandonPacing({ ...base, liveAnswered: 0, inFlight: 1, availableAgents: 1 })).toMatchObject({ projected: 0.5, limited: true, lines: 1 });
  });

  it('no agent: no line, limited or not; a ratio below 1 is never raised', () => {
    expect(decideAbandonPacing({ ...base, availableAgents: 0 }).lines).toBe(0);
    expect(decideAbandonPacing({ ...base, abandoned: 500, ratio: 0.5 })).toMatchObject({ limited: true, ratio: 0.5, lines: 2 });
  });

  it('target 0 never over-dials', () => {
    expect(decideAbandonPacing({ ...base, target: 0 })).toMatchObject({ limited: true, ratio: 1, lines: 4 });
  });

  it('nonsense counts (negative, NaN, fractions, abandoned above answered) are clamped, never NaN', () => {
    const d = decideAbandonPacing({ ...base, abandoned: 50, liveAnswered: 10, inFlight: -3, availableAgents: Number.NaN });
    expect(d.rate).toBe(1);
    expect(Number.isFinite(d.projected)).toBe(true);
    expect(d.lines).toBe(0);
    expect(overflow(2.7, 1.2)).toBe(2);
  });
});

describe('abandon pacing: properties', () => {
  it('lines never exceed the configured ratio, and never exceed one per agent when limited', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const d = decideAbandonPacing(i);
        expect(d.lines).toBeGreaterThanOrEqual(0);
        expect(d.lines).toBeLessThanOrEqual(Math.floor(i.availableAgents * i.ratio + 1e-9));
        if (d.limited) expect(d.lines).toBeLessThanOrEqual(i.availableAgents);
        if (!d.limited) expect(d.ratio).toBe(i.ratio);
      }),
      { numRuns: 2000 },
    );
  });

  it('a measured rate at the target always limits', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const d = decideAbandonPacing(i);
        if (d.rate !== null && d.rate >= i.target) expect(d.limited).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('not limited means one more call, even abandoned along with every call over the agents, keeps the rate under the limit threshold', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const d = decideAbandonPacing(i);
        if (d.limited) return;
        const share = i.limited ? DEFAULT_RECOVER_AT : DEFAULT_LIMIT_AT;
        const worst = (i.abandoned + overflow(i.inFlight, i.availableAgents)) / (i.liveAnswered + i.inFlight + 1);
        expect(worst).toBeLessThan(i.target * share + 1e-12);
      }),
      { numRuns: 2000 },
    );
  });

  it('monotone: more abandoned calls, more calls in flight, fewer agents or a lower target never lift a limit', () => {
    fc.assert(
      fc.property(
        inputArb,
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (i, moreAbandoned, moreInFlight, fewerAgents, targetShare) => {
          if (!decideAbandonPacing(i).limited) return;
          const worse = {
            ...i,
            abandoned: Math.min(i.liveAnswered, i.abandoned + moreAbandoned),
            inFlight: i.inFlight + moreInFlight,
            availableAgents: Math.max(0, i.availableAgents - fewerAgents),
            target: i.target * targetShare,
          };
          expect(decideAbandonPacing(worse).limited).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('hysteresis: a limited campaign stays limited at least wherever an unlimited one would be limited', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        if (decideAbandonPacing({ ...i, limited: false }).limited) expect(decideAbandonPacing({ ...i, limited: true }).limited).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('the projection is a share in [0, 1], at least the measured rate when nothing is in flight', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const p = projectAbandonRate(i);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        if (i.inFlight === 0 && i.availableAgents === 0 && i.liveAnswered > 0) expect(p).toBeGreaterThanOrEqual(i.abandoned / i.liveAnswered - 1e-12);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the abandon-rate target in the policy', () => {
  it('3 % in both profiles, each citing FCC 47 CFR 64.1200(a)(7) and Ofcom', () => {
    for (const name of ['cn-bank', 'us-regf']) {
      expect(PROFILE_DEFINITIONS[name]!.policy.maxAbandonRate).toBe(0.03);
      expect(profileSources(name).maxAbandonRate).toMatch(/47 CFR 64\.1200\(a\)\(7\).*30 days per campaign.*Ofcom.*24 hours/);
    }
  });

  it('a campaign may lower it, never raise it', () => {
    const cn = PROFILE_DEFINITIONS['cn-bank']!.policy;
    expect(() => validateOverrides(cn, { maxAbandonRate: 0.01 })).not.toThrow();
    expect(() => validateOverrides(cn, { maxAbandonRate: 0.05 })).toThrow(/maxAbandonRate/);
    expect(() => validateOverrides(cn, { maxAbandonRate: 2 })).toThrow(/maxAbandonRate/);
  });
});
