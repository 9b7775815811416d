import { Type } from '@sinclair/typebox';
import { requireRole } from '../auth/auth.js';
import { attemptsByLocalHour, campaignSeries } from '../calls/call-series.repo.js';
import { getCampaign } from '../campaigns/campaign.repo.js';
import { loadCampaignPolicy } from '../compliance/policy.store.js';
import { minuteInWindow, windowIntervals } from '../compliance/window.js';
import { NotFoundError } from '../shared/errors.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { ErrorResponses, IdParams, StringEnum } from './schemas.js';

const closed = { additionalProperties: false } as const;
const READERS = ['operator', 'supervisor', 'viewer'] as const;

const SeriesResponse = Type.Object(
  {
    campaignId: Type.Integer(),
    bucket: StringEnum(['minute', 'hour'] as const),
    items: Type.Array(
      Type.Object(
        {
          at: Type.String({ format: 'date-time', description: 'start of the bucket' }),
          calls: Type.Integer({ description: 'attempts placed in the bucket' }),
          outcomes: Type.Record(Type.String(), Type.Integer(), { description: 'those attempts by outcome; in_progress while not ended' }),
        },
        closed,
      ),
      { description: 'buckets with at least one attempt, oldest first (empty ones are left out)' },
    ),
  },
  closed,
);

const HourlyResponse = Type.Object(
  {
    campaignId: Type.Integer(),
    window: Type.Object(
      { start: Type.String(), end: Type.String() },
      { ...closed, description: "the campaign's calling window (HH:mm, customer's local time)" },
    ),
    items: Type.Array(
      Type.Object(
        {
          hour: Type.Integer({ minimum: 0, maximum: 23 }),
          attempts: Type.Integer(),
          inWindow: Type.Boolean({ description: 'the hour starts inside the window' }),
        },
        closed,
      ),
      { description: 'all 24 local hours' },
    ),
  },
  closed,
);

/** The series behind the console's charts: calls per minute and outcomes over time; attempts per local hour against the calling window. */
export async function campaignChartsRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const mustExist = async (id: number) => {
    if (!(await getCampaign(deps.db, id))) throw new NotFoundError('campaign', id);
  };

  app.get(
    '/v1/campaigns/:id/series',
    {
      preHandler: requireRole(...READERS),
      schema: {
        tags: ['campaigns'],
        summary: "The campaign's attempts per minute (or hour) and their outcomes over time",
        params: IdParams,
        querystring: Type.Object(
          {
            bucket: Type.Optional(StringEnum(['minute', 'hour'] as const, { default: 'minute' })),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
          },
          closed,
        ),
        response: { 200: SeriesResponse, ...ErrorResponses },
      },
    },
    async (req) => {
      await mustExist(req.params.id);
      const bucket = (req.query.bucket ?? 'minute') as 'minute' | 'hour';
      const rows = await campaignSeries(
        deps.db,
        req.params.id,
        bucket,
        req.query.from ? new Date(req.query.from) : null,
        req.query.to ? new Date(req.query.to) : null,
      );
      return { campaignId: req.params.id, bucket, items: rows.map((r) => ({ ...r, at: r.at.toISOString() })) };
    },
  );

  app.get(
    '/v1/campaigns/:id/attempts-by-hour',
    {
      preHandler: requireRole(...READERS),
      schema: {
        tags: ['campaigns'],
        summary: "The campaign's attempts per hour of the customer's local day, beside its calling window",
        params: IdParams,
        response: { 200: HourlyResponse, ...ErrorResponses },
      },
    },
    async (req) => {
      await mustExist(req.params.id);
      const policy = await loadCampaignPolicy(deps.db, req.params.id, deps.config.policyProfile);
      const intervals = windowIntervals(policy.windowStart, policy.windowEnd);
      const counts = new Map((await attemptsByLocalHour(deps.db, req.params.id)).map((r) => [r.hour, r.attempts]));
      const items = Array.from({ length: 24 }, (_, hour) => ({ hour, attempts: counts.get(hour) ?? 0, inWindow: minuteInWindow(intervals, hour * 60) }));
      return { campaignId: req.params.id, window: { start: policy.windowStart, end: policy.windowEnd }, items };
    },
  );
}
