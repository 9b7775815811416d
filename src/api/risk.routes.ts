import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../shared/errors.js';
import { recomputeRisk, riskHistory } from '../risk/risk.service.js';
import type { RiskScoreRow } from '../risk/risk.repo.js';
import { FACTORS } from '../risk/scorecard.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { audit } from '../audit/audit.js';
import { requireRole } from '../auth/auth.js';
import { withTransaction } from '../store/db.js';
import { ErrorResponses, IdParams, Nullable } from './schemas.js';

const Factor = Type.Object(
  {
    factor: Type.String({ enum: [...FACTORS] }),
    value: Type.String({ description: 'what the band was chosen from' }),
    points: Type.Number(),
    weight: Type.Number(),
    weighted: Type.Number({ description: 'points × weight: what the factor adds to the score' }),
    reason: Type.String(),
  },
  { additionalProperties: false },
);
const Score = Type.Object(
  {
    id: Type.Integer(),
    scorecardVersion: Type.String(),
    source: Type.String({ description: 'scorecard, or imported when an imported score overrode it' }),
    score: Type.Integer(),
    tier: Type.String(),
    computedScore: Type.Integer({ description: "the scorecard's own score, also when an imported one overrode it" }),
    computedTier: Type.String(),
    trigger: Type.String(),
    computedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
const Explained = Type.Composite([Score, Type.Object({ base: Type.Number(), factors: Type.Array(Factor), inputs: Type.Unknown() })]);

const summary = (r: RiskScoreRow) => ({
  id: r.id,
  scorecardVersion: r.scorecardVersion,
  source: r.source,
  score: r.score,
  tier: r.tier,
  computedScore: r.computedScore,
  computedTier: r.computedTier,
  trigger: r.trigger,
  computedAt: r.computedAt.toISOString(),
});

/** `GET /v1/customers/:id/risk`: the current score factor by factor, and its history. */
export async function riskRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const riskDeps = { db: deps.db, log: deps.log, scorecard: deps.config.risk.scorecard };
  const explained = (r: RiskScoreRow) => ({ ...summary(r), base: deps.config.risk.scorecard.base, factors: r.factors, inputs: r.inputs });

  app.get(
    '/v1/customers/:id/risk',
    {
      preHandler: requireRole('admin', 'operator', 'supervisor'),
      schema: {
        tags: ['customers'],
        summary: "A customer's risk: the latest score explained factor by factor (score = base + Σ weighted, clamped to 0–100), and the history",
        params: IdParams,
        querystring: Type.Object({ history: Type.Integer({ minimum: 0, maximum: 500, default: 30 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ customerId: Type.Integer(), current: Nullable(Explained), history: Type.Array(Score) }), ...ErrorResponses },
      },
    },
    async (req) => {
      const rows = await riskHistory(deps.db, req.params.id, req.query.history + 1);
      if (rows.length === 0) {
        // Never scored yet (e.g. imported before the scorecard existed): score it now.
        const fresh = await recomputeRisk(riskDeps, deps.db, req.params.id, 'manual');
        if (!fresh) throw new NotFoundError('customer', req.params.id);
        rows.push(fresh);
      }
      return { customerId: req.params.id, current: explained(rows[0]!), history: rows.slice(0, req.query.history).map(summary) };
    },
  );

  app.post(
    '/v1/customers/:id/risk/recompute',
    {
      preHandler: requireRole('admin', 'supervisor'),
      schema: {
        tags: ['customers'],
        summary: 'Score the customer now (the worker also does it nightly and on each payment, promise or disposition)',
        params: IdParams,
        response: { 200: Explained, ...ErrorResponses },
      },
    },
    async (req) => {
      const row = await withTransaction(deps.db, async (c) => {
        const r = await recomputeRisk(riskDeps, c, req.params.id, 'manual');
        if (r) await audit(c, req.principal, 'customer.risk.recompute', { type: 'customer', id: req.params.id }, { score: r.score, source: r.source });
        return r;
      });
      if (!row) throw new NotFoundError('customer', req.params.id);
      return explained(row);
    },
  );
}
