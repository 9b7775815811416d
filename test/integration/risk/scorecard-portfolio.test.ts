import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { seedPortfolio } from '../../helpers/portfolio-seed.js';
import { generatePortfolio, type SyntheticCustomer } from '../../../src/risk/portfolio.generate.js';
import { inputsFromHistory } from '../../../src/risk/risk.history.js';
import { loadRiskInputs } from '../../../src/risk/risk.inputs.sql.js';
import { recomputeRisk, recomputeAllRisk } from '../../../src/risk/risk.service.js';
import { DEFAULT_SCORECARD, scoreCustomer, scorecardVersion } from '../../../src/risk/scorecard.js';
import { createLogger } from '../../../src/shared/logger.js';

// The scorecard through the real database: a generated portfolio is written as the ledger,
// dispositions, payments and DNC would hold it; the SQL inputs must be those the pure
// definition computes, and the API must explain each score factor by factor.
const asOf = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
let api: TestApi;
let portfolio: SyntheticCustomer[];
let ids: number[];
const deps = () => ({ db: api.t.db, log: createLogger('silent'), scorecard: DEFAULT_SCORECARD });

beforeAll(async () => {
  api = await createTestApi();
  portfolio = generatePortfolio({ seed: 42, customers: 60, months: 9, asOf });
  ids = await seedPortfolio(api.t.db, portfolio, asOf, scorecardVersion(DEFAULT_SCORECARD));
});
afterAll(() => api.close());

describe('scorecard on a generated portfolio', () => {
  it('reads from the database exactly the inputs the pure definition computes', async () => {
    for (const [i, c] of portfolio.entries()) {
      const loaded = await loadRiskInputs(api.t.db, ids[i]!, asOf);
      expect(loaded?.inputs, c.externalId).toEqual(inputsFromHistory(c.history, asOf));
    }
  });

  it('records the score with every factor, and the API explains it with the history', async () => {
    // The portfolio's worst customer by the pure scorecard, and its best.
    const cards = portfolio.map((c) => scoreCustomer(inputsFromHistory(c.history, asOf)));
    const worst = cards.reduce((w, c, i) => (c.score > cards[w]!.score ? i : w), 0);
    const best = cards.reduce((b, c, i) => (c.score < cards[b]!.score ? i : b), 0);
    for (const i of [worst, best]) {
      const row = await recomputeRisk(deps(), api.t.db, ids[i]!, 'manual', asOf);
      expect(row).toMatchObject({ source: 'scorecard', score: cards[i]!.score, tier: cards[i]!.tier, factors: cards[i]!.factors });
      const res = await api.app.inject({ method: 'GET', url: `/v1/customers/${ids[i]}/risk`, headers: api.as('operator') });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.current.score).toBe(cards[i]!.score);
      const raw = body.current.base + body.current.factors.reduce((s: number, f: { weighted: number }) => s + f.weighted, 0);
      expect(body.current.score).toBe(Math.min(100, Math.max(0, Math.round(raw))));
      expect(body.current.factors.map((f: { factor: string }) => f.factor)).toContain('promises');
      // The seeded 30-day-old score is in the history, so the trend factor had something to compare with.
      expect(body.history.length).toBe(portfolio[i]!.history.previous ? 2 : 1);
    }
    expect(cards[worst]!.tier).toBe('high');
    expect(cards[best]!.tier).toBe('low');
  });

  it('the nightly run scores everyone; tiers in the database separate next month’s payers', async () => {
    const n = await recomputeAllRisk({ ...deps(), now: () => asOf });
    expect(n).toBe(portfolio.length);
    const { rows } = await api.t.db.query<{ tier: string; customerId: number }>(
      `SELECT DISTINCT ON (customer_id) customer_id AS "customerId", tier FROM risk_scores ORDER BY customer_id, id DESC`,
    );
    const pays = new Map(ids.map((id, i) => [id, portfolio[i]!.paysNextMonth]));
    const rate = (tier: string) => {
      const inTier = rows.filter((r) => r.tier === tier);
      return inTier.filter((r) => pays.get(r.customerId)).length / Math.max(1, inTier.length);
    };
    expect(rate('low')).toBeGreaterThan(rate('high'));
  });

  it('an imported score overrides the scorecard, recorded as such', async () => {
    await api.t.db.query(`UPDATE customers SET risk_score = 95, risk_tier = 'high' WHERE id = $1`, [ids[0]]);
    const row = await recomputeRisk(deps(), api.t.db, ids[0]!, 'manual', asOf);
    const card = scoreCustomer(inputsFromHistory(portfolio[0]!.history, asOf));
    expect(row).toMatchObject({ source: 'imported', score: 95, tier: 'high', computedScore: card.score, computedTier: card.tier });
  });
});
