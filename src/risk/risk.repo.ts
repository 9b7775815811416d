import type { Queryable } from '../store/db.js';
import type { FactorScore, RiskInputs, RiskTier } from './scorecard.js';

/** The only writer of risk_scores. */
export type RiskTrigger = 'nightly' | 'payment' | 'promise' | 'disposition' | 'manual' | 'plan';

export interface RiskScoreRow {
  id: number;
  customerId: number;
  scorecardVersion: string;
  source: 'scorecard' | 'imported';
  score: number;
  tier: RiskTier;
  computedScore: number;
  computedTier: RiskTier;
  trigger: RiskTrigger;
  factors: FactorScore[];
  inputs: RiskInputs;
  computedAt: Date;
}

const COLUMNS = `id, customer_id AS "customerId", scorecard_version AS "scorecardVersion", source, score, tier,
  computed_score AS "computedScore", computed_tier AS "computedTier", trigger, factors, inputs, computed_at AS "computedAt"`;

export async function insertRiskScore(q: Queryable, r: Omit<RiskScoreRow, 'id' | 'computedAt'> & { computedAt: Date }): Promise<RiskScoreRow> {
  const { rows } = await q.query<RiskScoreRow>(
    `INSERT INTO risk_scores (customer_id, scorecard_version, source, score, tier, computed_score, computed_tier, trigger, factors, inputs, computed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
    [
      r.customerId,
      r.scorecardVersion,
      r.source,
      r.score,
      r.tier,
      r.computedScore,
      r.computedTier,
      r.trigger,
      JSON.stringify(r.factors),
      JSON.stringify(r.inputs),
      r.computedAt,
    ],
  );
  return rows[0]!;
}

/** Newest first. */
export async function listRiskScores(q: Queryable, customerId: number, limit: number): Promise<RiskScoreRow[]> {
  const { rows } = await q.query<RiskScoreRow>(`SELECT ${COLUMNS} FROM risk_scores WHERE customer_id = $1 ORDER BY id DESC LIMIT $2`, [customerId, limit]);
  return rows;
}

/** The current tier of many customers at once (latest score each); customers never scored are absent. */
export async function selectCurrentTiers(q: Queryable, customerIds: number[]): Promise<Map<number, { score: number; tier: RiskTier }>> {
  const { rows } = await q.query<{ customerId: number; score: number; tier: RiskTier }>(
    `SELECT DISTINCT ON (customer_id) customer_id AS "customerId", score, tier
       FROM risk_scores WHERE customer_id = ANY ($1::bigint[]) ORDER BY customer_id, id DESC`,
    [customerIds],
  );
  return new Map(rows.map((r) => [r.customerId, { score: r.score, tier: r.tier }]));
}

/** Keyset pages of customer ids for the nightly recompute. */
export async function selectCustomerIdsAfter(q: Queryable, afterId: number, limit: number): Promise<number[]> {
  const { rows } = await q.query<{ id: number }>(`SELECT id FROM customers WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, limit]);
  return rows.map((r) => r.id);
}
