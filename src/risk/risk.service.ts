import type { Db, Queryable } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import { loadRiskInputs } from './risk.inputs.sql.js';
import { insertRiskScore, listRiskScores, selectCustomerIdsAfter, type RiskScoreRow, type RiskTrigger } from './risk.repo.js';
import { scoreCustomer, tierOf, type ScorecardSettings } from './scorecard.js';

export interface RiskDeps {
  db: Db;
  log: Logger;
  scorecard: ScorecardSettings;
  now?: () => Date;
}

/**
 * Scores one customer now and records it. An imported score (customers.risk_score, set by
 * the contact import) overrides the scorecard: the row says source 'imported' and keeps the
 * computed score and factors beside it, so the override is visible, never silent.
 */
export async function recomputeRisk(
  deps: RiskDeps,
  q: Queryable,
  customerId: number,
  trigger: RiskTrigger,
  asOf: Date = deps.now?.() ?? new Date(),
): Promise<RiskScoreRow | null> {
  const loaded = await loadRiskInputs(q, customerId, asOf);
  if (!loaded) return null;
  const card = scoreCustomer(loaded.inputs, deps.scorecard);
  const imported = loaded.account.importedScore;
  const override = imported !== null;
  return insertRiskScore(q, {
    customerId,
    scorecardVersion: card.version,
    source: override ? 'imported' : 'scorecard',
    score: override ? imported : card.score,
    tier: override ? (loaded.account.importedTier ?? tierOf(imported, deps.scorecard)) : card.tier,
    computedScore: card.score,
    computedTier: card.tier,
    trigger,
    factors: card.factors,
    inputs: loaded.inputs,
    computedAt: asOf,
  });
}

/** Same as recomputeRisk, but never fails its caller: a payment or disposition is already committed. */
export async function recomputeRiskQuietly(deps: RiskDeps, customerId: number, trigger: RiskTrigger): Promise<RiskScoreRow | null> {
  try {
    return await recomputeRisk(deps, deps.db, customerId, trigger);
  } catch (err) {
    deps.log.warn({ err, customerId, trigger }, 'risk recompute failed; the nightly run will catch up');
    return null;
  }
}

/** The nightly run: every customer, in id order, a page at a time. */
export async function recomputeAllRisk(deps: RiskDeps, pageSize = 500): Promise<number> {
  let after = 0;
  let n = 0;
  const asOf = deps.now?.() ?? new Date();
  for (;;) {
    const ids = await selectCustomerIdsAfter(deps.db, after, pageSize);
    if (ids.length === 0) return n;
    for (const id of ids) {
      await recomputeRisk(deps, deps.db, id, 'nightly', asOf);
      n += 1;
    }
    after = ids[ids.length - 1]!;
  }
}

export async function riskHistory(db: Queryable, customerId: number, limit = 50): Promise<RiskScoreRow[]> {
  return listRiskScores(db, customerId, limit);
}
