import { Type } from '@sinclair/typebox';
import { IANAZone } from 'luxon';
import { audit } from '../audit/audit.js';
import { requireRole } from '../auth/auth.js';
import { getCampaign } from '../campaigns/campaign.repo.js';
import { DEFAULT_CHECKLIST, scoreOf, validateAnswers, validateChecklist, type Answers, type ChecklistItem } from '../quality/quality.checklist.js';
import {
  deleteChecklist,
  getChecklist,
  getReviewTarget,
  insertReview,
  listReviewableCalls,
  listReviews,
  saveChecklist,
  scoresByAgentDay,
  type ReviewRow,
} from '../quality/quality.repo.js';
import { AppError, NotFoundError, ValidationError } from '../shared/errors.js';
import { withTransaction, type Queryable } from '../store/db.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { decodeCursor, Page, PageQuery, pageOf } from './pagination.js';
import { ErrorResponses, IdParams, Nullable } from './schemas.js';

const closed = { additionalProperties: false } as const;
const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

const Item = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'stable key the answers use' }),
    label: Type.String({ minLength: 1, maxLength: 200 }),
    critical: Type.Boolean({ default: false, description: 'a failed critical item scores the whole call 0' }),
  },
  closed,
);
const Items = Type.Array(Item, { minItems: 1, maxItems: 30 });
const ChecklistResponse = Type.Object(
  { campaignId: Type.Integer(), items: Items, isDefault: Type.Boolean({ description: 'true: the built-in checklist (the campaign has none of its own)' }) },
  closed,
);
const Answer = Nullable(Type.Boolean({ description: 'true met, false not met, null not applicable' }));

const ReviewableResponse = Type.Object(
  {
    attemptId: Type.String({ format: 'uuid' }),
    recordingId: Type.Integer(),
    campaignId: Nullable(Type.Integer()),
    agentId: Type.Integer(),
    agentName: Type.String(),
    reservedAt: Type.String({ format: 'date-time' }),
    talkMs: Nullable(Type.Integer()),
    outcome: Nullable(Type.String()),
    reviews: Type.Integer({ description: 'how many reviews the call already has' }),
  },
  closed,
);
const ReviewResponse = Type.Object(
  {
    id: Type.Integer(),
    attemptId: Type.String({ format: 'uuid' }),
    agentId: Type.Integer(),
    agentName: Type.String(),
    campaignId: Nullable(Type.Integer()),
    reviewerKeyId: Nullable(Type.Integer()),
    items: Items,
    answers: Type.Record(Type.String(), Answer),
    score: Type.Number({ minimum: 0, maximum: 100 }),
    comment: Nullable(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
  },
  closed,
);
const ScorePoint = Type.Object(
  { agentId: Type.Integer(), agentName: Type.String(), day: Type.String({ format: 'date' }), reviews: Type.Integer(), score: Type.Number() },
  closed,
);

const reviewJson = (r: ReviewRow) => ({ ...r, createdAt: r.createdAt.toISOString() });
const DAY_MS = 86_400_000;

/** Quality review: per-campaign checklists, recorded calls to review, scores and their trend per agent. */
export async function qualityRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const checklistOf = async (q: Queryable, campaignId: number) => {
    const own = await getChecklist(q, campaignId);
    return { campaignId, items: own ?? DEFAULT_CHECKLIST.map((i) => ({ ...i })), isDefault: own === null };
  };

  app.get(
    '/v1/campaigns/:id/checklist',
    {
      preHandler: requireRole('operator', 'supervisor', 'viewer', 'agent'),
      schema: {
        tags: ['quality'],
        summary: "The campaign's quality checklist (the built-in one until it saves its own)",
        params: IdParams,
        response: { 200: ChecklistResponse, ...ErrorResponses },
      },
    },
    async (req) => {
      if (!(await getCampaign(deps.db, req.params.id))) throw new NotFoundError('campaign', req.params.id);
      return checklistOf(deps.db, req.params.id);
    },
  );

  app.put(
    '/v1/campaigns/:id/checklist',
    {
      preHandler: requireRole('operator', 'supervisor'),
      schema: {
        tags: ['quality'],
        summary: "Replace the campaign's quality checklist; reviews already made keep the checklist they were scored against",
        params: IdParams,
        body: Type.Object({ items: Type.Union([Items, Type.Null()], { description: 'null: back to the built-in checklist' }) }, closed),
        response: { 200: ChecklistResponse, ...ErrorResponses },
      },
    },
    async (req) => {
      const items = req.body.items as ChecklistItem[] | null;
      if (items) validateChecklist(items);
      return withTransaction(deps.db, async (tx) => {
        if (!(await getCampaign(tx, req.params.id))) throw new NotFoundError('campaign', req.params.id);
        if (items) await saveChecklist(tx, req.params.id, items);
        else await deleteChecklist(tx, req.params.id);
        await audit(tx, req.principal, 'campaign.checklist', { type: 'campaign', id: req.params.id }, { items: items?.map((i) => i.id) ?? null });
        return checklistOf(tx, req.params.id);
      });
    },
  );

  app.get(
    '/v1/quality/calls',
    {
      preHandler: requireRole('supervisor'),
      schema: {
        tags: ['quality'],
        summary: 'Recorded agent calls to review, newest first or a random sample',
        querystring: Type.Object(
          {
            campaignId: Type.Optional(Id),
            agentId: Type.Optional(Id),
            from: Type.Optional(Type.String({ format: 'date-time', description: 'call reserved at or after' })),
            to: Type.Optional(Type.String({ format: 'date-time', description: 'call reserved before' })),
            unreviewed: Type.Optional(Type.Boolean({ default: false, description: 'only calls nobody has scored yet' })),
            random: Type.Optional(Type.Boolean({ default: false, description: 'a random sample instead of the newest' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
          },
          closed,
        ),
        response: { 200: Type.Object({ items: Type.Array(ReviewableResponse) }, closed), ...ErrorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      const rows = await listReviewableCalls(deps.db, {
        campaignId: q.campaignId ?? null,
        agentId: q.agentId ?? null,
        from: q.from ? new Date(q.from) : null,
        to: q.to ? new Date(q.to) : null,
        unreviewed: q.unreviewed ?? false,
        random: q.random ?? false,
        limit: q.limit ?? 20,
      });
      return { items: rows.map((r) => ({ ...r, reservedAt: r.reservedAt.toISOString() })) };
    },
  );

  app.post(
    '/v1/quality/reviews',
    {
      preHandler: requireRole('supervisor'),
      schema: {
        tags: ['quality'],
        summary: "Score a recorded agent call against its campaign's checklist (422 review_answers_mismatch, call_not_reviewable)",
        body: Type.Object(
          {
            attemptId: Type.String({ format: 'uuid' }),
            answers: Type.Record(Type.String({ maxLength: 40 }), Answer, { maxProperties: 30 }),
            comment: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
          },
          closed,
        ),
        response: { 201: ReviewResponse, ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const review = await withTransaction(deps.db, async (tx) => {
        const target = await getReviewTarget(tx, b.attemptId);
        if (!target) throw new NotFoundError('call', b.attemptId);
        if (target.agentId === null || !target.recorded)
          throw new ValidationError('only a recorded call an agent took can be reviewed', { attemptId: b.attemptId }, 'call_not_reviewable');
        const items = target.campaignId === null ? [...DEFAULT_CHECKLIST] : (await checklistOf(tx, target.campaignId)).items;
        const answers = b.answers as Answers;
        validateAnswers(items, answers);
        const row = await insertReview(tx, {
          attemptId: b.attemptId,
          agentId: target.agentId,
          campaignId: target.campaignId,
          reviewerKeyId: req.principal.keyId,
          items,
          answers,
          score: scoreOf(items, answers),
          comment: b.comment?.trim() || null,
        });
        await audit(tx, req.principal, 'quality.review', { type: 'call', id: b.attemptId }, { reviewId: row.id, agentId: row.agentId, score: row.score });
        return row;
      });
      return reply.code(201).send(reviewJson(review));
    },
  );

  app.get(
    '/v1/quality/reviews',
    {
      preHandler: requireRole('supervisor', 'viewer'),
      schema: {
        tags: ['quality'],
        summary: 'Reviews, newest first, by agent, campaign or call',
        querystring: Type.Object(
          { ...PageQuery, agentId: Type.Optional(Id), campaignId: Type.Optional(Id), attemptId: Type.Optional(Type.String({ format: 'uuid' })) },
          closed,
        ),
        response: { 200: Page(ReviewResponse), ...ErrorResponses },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const beforeId = req.query.cursor ? decodeCursor(req.query.cursor, ['number'] as const)[0] : null;
      const rows = await listReviews(deps.db, {
        agentId: req.query.agentId ?? null,
        campaignId: req.query.campaignId ?? null,
        attemptId: req.query.attemptId ?? null,
        beforeId,
        limit: limit + 1,
      });
      return pageOf(rows, limit, (r) => [r.id], reviewJson);
    },
  );

  app.get(
    '/v1/quality/scores',
    {
      preHandler: requireRole('supervisor', 'viewer'),
      schema: {
        tags: ['quality'],
        summary: 'Average review score per agent per day (scores over time), the last 30 days unless from/to say otherwise',
        querystring: Type.Object(
          {
            agentId: Type.Optional(Id),
            campaignId: Type.Optional(Id),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            timeZone: Type.Optional(Type.String({ maxLength: 64, default: 'UTC', description: 'IANA zone the days are counted in' })),
          },
          closed,
        ),
        response: { 200: Type.Object({ items: Type.Array(ScorePoint) }, closed), ...ErrorResponses },
      },
    },
    async (req) => {
      const zone = req.query.timeZone ?? 'UTC';
      if (!IANAZone.isValidZone(zone)) throw new ValidationError(`unknown IANA time zone "${zone}"`, { field: 'timeZone' }, 'invalid_time_zone');
      const to = req.query.to ? new Date(req.query.to) : new Date();
      const from = req.query.from ? new Date(req.query.from) : new Date(to.getTime() - 30 * DAY_MS);
      if (from >= to) throw new AppError('invalid_range', 'from must be before to', 400, { from: from.toISOString(), to: to.toISOString() });
      const items = await scoresByAgentDay(deps.db, { agentId: req.query.agentId ?? null, campaignId: req.query.campaignId ?? null, from, to, zone });
      return { items };
    },
  );
}
