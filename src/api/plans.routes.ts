import { Type } from '@sinclair/typebox';
import { requireRole } from '../auth/auth.js';
import { listCampaignPlanRuns, type CampaignPlanRun } from '../plans/plan-runs.repo.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { ErrorResponses, IdParams, Nullable } from './schemas.js';

const ts = Type.String({ format: 'date-time' });
const PlanRunView = Type.Object(
  {
    contactId: Type.Integer(),
    customerId: Type.Integer(),
    tier: Type.String({ description: 'the risk tier the plan follows, fixed when it started' }),
    nextStep: Type.Integer({ description: "index of the next step in the tier's steps" }),
    startedAt: ts,
    lastRunAt: Nullable(ts),
    nextStepAt: Nullable(ts),
    waitReason: Nullable(
      Type.String({ description: "why the next step waits: spacing, call_in_progress, or the message gate's rule (calling_window, min_gap...)" }),
    ),
    waitDetail: Nullable(Type.String()),
    endedAt: Nullable(ts),
    endReason: Nullable(Type.String({ description: 'payment, promise, opt_out, done, no_plan_for_tier, campaign_<state>' })),
  },
  { additionalProperties: false },
);

const view = (r: CampaignPlanRun) => ({
  contactId: Number(r.contactId),
  customerId: Number(r.customerId),
  tier: r.tier,
  nextStep: r.nextStep,
  startedAt: r.startedAt.toISOString(),
  lastRunAt: r.lastRunAt?.toISOString() ?? null,
  nextStepAt: r.nextStepAt?.toISOString() ?? null,
  waitReason: r.waitReason,
  waitDetail: r.waitDetail,
  endedAt: r.endedAt?.toISOString() ?? null,
  endReason: r.endReason,
});

/** `GET /v1/campaigns/:id/plans`: where each contact's plan is, what it waits for, and why it ended. */
export async function plansRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  app.get(
    '/v1/campaigns/:id/plans',
    {
      preHandler: requireRole('admin', 'operator', 'supervisor', 'viewer'),
      schema: {
        tags: ['campaigns'],
        summary: "A planned campaign's contact plans: step, next step's time and reason for waiting, end and its reason (ids only)",
        params: IdParams,
        querystring: Type.Object(
          {
            afterContactId: Type.Integer({ minimum: 0, default: 0, description: 'the last contactId of the previous page' }),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(PlanRunView) }, { additionalProperties: false }), ...ErrorResponses },
      },
    },
    async (req) => ({ items: (await listCampaignPlanRuns(deps.db, req.params.id, req.query.afterContactId, req.query.limit)).map(view) }),
  );
}
