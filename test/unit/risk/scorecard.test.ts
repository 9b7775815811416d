import { describe, expect, it } from 'vitest';
import { DEFAULT_SCORECARD, FACTORS, parseWeights, scoreCustomer, scorecardVersion, type RiskInputs } from '../../../src/risk/scorecard.js';
import { generatePortfolio } from '../../../src/risk/portfolio.generate.js';
import { inputsFromHistory, promiseState } from '../../../src/risk/risk.history.js';
import { separationReport } from '../../../src/risk/portfolio.report.js';

const clean: RiskInputs = {
  daysPastDue: 0,
  previous: null,
  amountDue: 500,
  paidLast30: 0,
  paidLast90: 0,
  promisesKept: 0,
  promisesBroken: 0,
  promisesOpen: 0,
  attempts90: 0,
  connected90: 0,
  wrongNumbers: 0,
  optedOut: false,
  disputes: 0,
  refusals: 0,
  paidDispositions: 0,
};

describe('scorecard', () => {
  it('explains every factor and adds them up to the score', () => {
    const card = scoreCustomer({ ...clean, daysPastDue: 45, amountDue: 8000, promisesBroken: 2, attempts90: 5, connected90: 0, refusals: 1 });
    expect(card.factors.map((f) => f.factor)).toEqual([...FACTORS]);
    const byName = Object.fromEntries(card.factors.map((f) => [f.factor, f]));
    expect(byName.days_past_due!.points).toBe(20);
    expect(byName.amount_due!.points).toBe(8);
    expect(byName.promises!.points).toBe(20);
    expect(byName.reachability).toMatchObject({ points: 12, reason: 'rarely answers' });
    expect(byName.payments).toMatchObject({ points: 8, reason: 'past due and no payment in 90 days' });
    expect(byName.dispositions!.points).toBe(12);
    expect(card.score).toBe(Math.min(100, DEFAULT_SCORECARD.base + card.factors.reduce((s, f) => s + f.weighted, 0)));
    expect(card.tier).toBe('high');
  });

  it('a customer who paid what was due scores low', () => {
    const card = scoreCustomer({ ...clean, daysPastDue: 10, amountDue: 1200, paidLast30: 1200, paidLast90: 1200, promisesKept: 1 });
    expect(card.tier).toBe('low');
    expect(card.factors.find((f) => f.factor === 'payments')!.points).toBe(-25);
  });

  it('weights come from configuration, change the score and the version', () => {
    const problems: string[] = [];
    const weights = parseWeights('promises=2, reachability=0', problems, 'W');
    expect(problems).toEqual([]);
    const s = { ...DEFAULT_SCORECARD, weights };
    const inputs = { ...clean, promisesBroken: 1, attempts90: 4 };
    const a = scoreCustomer(inputs);
    const b = scoreCustomer(inputs, s);
    expect(b.factors.find((f) => f.factor === 'promises')!.weighted).toBe(20);
    expect(b.factors.find((f) => f.factor === 'reachability')!.weighted).toBe(0);
    expect(b.score).toBe(a.score + 10 - 12);
    expect(scorecardVersion(s)).not.toBe(scorecardVersion(DEFAULT_SCORECARD));
    parseWeights('nope=1,payments=x', problems, 'W');
    expect(problems).toHaveLength(2);
  });

  it('a promise is kept when paid by its date plus grace, broken after, open before', () => {
    const p = { kind: 'promise_to_pay' as const, at: new Date('2026-11-01T10:00:00Z'), amount: 500, promisedDate: '2026-11-05' };
    expect(promiseState(p, [{ amount: 500, paidOn: '2026-11-08' }], new Date('2026-11-20T00:00:00Z'))).toBe('kept');
    expect(promiseState(p, [{ amount: 500, paidOn: '2026-11-09' }], new Date('2026-11-20T00:00:00Z'))).toBe('broken');
    expect(promiseState(p, [], new Date('2026-11-07T00:00:00Z'))).toBe('open');
  });
});

describe('synthetic portfolio', () => {
  const asOf = new Date('2026-12-01T00:00:00Z');
  it('is deterministic for a seed and different for another', () => {
    const a = generatePortfolio({ seed: 7, customers: 50, months: 6, asOf });
    const b = generatePortfolio({ seed: 7, customers: 50, months: 6, asOf });
    const c = generatePortfolio({ seed: 8, customers: 50, months: 6, asOf });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
    expect(a.every((x) => /^Synthetic \d{4}$/.test(x.name) && /^\+86138000000\d\d$/.test(x.phone))).toBe(true);
  });

  it('the tiers separate payers from non-payers', () => {
    const portfolio = generatePortfolio({ seed: 20261207, customers: 3000, months: 12, asOf });
    const r = separationReport(portfolio, asOf);
    const [low, medium, high] = r.tiers;
    expect(low!.customers).toBeGreaterThan(0);
    expect(high!.customers).toBeGreaterThan(0);
    expect(low!.payRate).toBeGreaterThan(medium!.payRate);
    expect(medium!.payRate).toBeGreaterThan(high!.payRate);
    expect(low!.payRate - high!.payRate).toBeGreaterThan(0.3);
    expect(r.highCatchesNonPayers).toBeGreaterThan(3 * r.highHoldsPayers);
  });

  it('history becomes inputs the scorecard can explain', () => {
    const [c] = generatePortfolio({ seed: 3, customers: 1, months: 12, asOf });
    const inputs = inputsFromHistory(c!.history, asOf);
    expect(inputs.attempts90).toBeLessThanOrEqual(c!.history.attempts.length);
    expect(scoreCustomer(inputs).factors).toHaveLength(FACTORS.length);
  });
});

describe('scorecard configuration', () => {
  it('reads weights, tiers and the nightly schedule, and lists every problem', async () => {
    const { loadConfig } = await import('../../../src/config.js');
    const c = loadConfig({ NODE_ENV: 'development', RINGWISE_SCORECARD_WEIGHTS: 'payments=2', RINGWISE_RISK_TIER_HIGH: '70' });
    expect(c.risk.scorecard.weights.payments).toBe(2);
    expect(c.risk.scorecard.tiers).toEqual({ medium: 35, high: 70 });
    expect(() =>
      loadConfig({ NODE_ENV: 'development', RINGWISE_SCORECARD_WEIGHTS: 'bogus=1', RINGWISE_RISK_TIER_MEDIUM: '80', RINGWISE_RISK_NIGHTLY_CRON: 'not a cron' }),
    ).toThrow(/unknown factor "bogus"[\s\S]*RINGWISE_RISK_NIGHTLY_CRON[\s\S]*RINGWISE_RISK_TIER_MEDIUM must be below/);
  });
});
