import { Type } from '@sinclair/typebox';
import { getRunReport, getSchedule, listRunReports, listSchedules, type Schedule, type ScheduleSettings } from '../schedules/schedule.repo.js';
import { runReport } from '../schedules/schedule.report.js';
import { createSchedule, deleteSchedule, fireSchedule, patchSchedule } from '../schedules/schedule.service.js';
import { nextFiring } from '../schedules/schedule.time.js';
import { NotFoundError } from '../shared/errors.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { requireRole } from '../auth/auth.js';
import { decodeCursor, Page, pageOf } from './pagination.js';
import { CreateScheduleBody, ListQuery, PatchScheduleBody, RunResponse, ScheduleResponse, TriggerResponse } from './schedules.schemas.js';
import { ErrorResponses, IdParams, NoBody } from './schemas.js';

const READERS = ['operator', 'supervisor', 'viewer'] as const;
const WRITERS = ['operator'] as const;

export function scheduleJson(s: Schedule, now = new Date()) {
  return {
    ...s,
    nextRunAt: s.enabled ? (nextFiring(s.cron, s.timeZone, now)?.toISOString() ?? null) : null,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

/** Nightly batch runs: schedules (cron + zone + campaign template + segment) and their runs. */
export async function schedulesRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const opts = () => ({ policyProfile: deps.config.policyProfile, registry: deps.schedules });
  const tags = ['schedules'];

  app.post(
    '/v1/schedules',
    {
      preHandler: requireRole(...WRITERS),
      schema: {
        tags,
        summary: 'Create a schedule (422 invalid_cron / invalid_time_zone; the template passes the campaign checks)',
        body: CreateScheduleBody,
        response: { 201: ScheduleResponse, ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const body = { segment: {}, onWindowEnd: 'defer', enabled: true, ...req.body } as ScheduleSettings;
      return reply.status(201).send(scheduleJson(await createSchedule(deps.db, req.principal, body, opts())));
    },
  );

  app.get(
    '/v1/schedules',
    {
      preHandler: requireRole(...READERS),
      schema: { tags, summary: 'List schedules, newest first', querystring: ListQuery, response: { 200: Page(ScheduleResponse), ...ErrorResponses } },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const beforeId = req.query.cursor ? decodeCursor(req.query.cursor, ['number'] as const)[0] : undefined;
      const rows = await listSchedules(deps.db, { beforeId, limit: limit + 1 });
      return pageOf(
        rows,
        limit,
        (r) => [r.id],
        (r) => scheduleJson(r),
      );
    },
  );

  app.get(
    '/v1/schedules/:id',
    {
      preHandler: requireRole(...READERS),
      schema: { tags, summary: 'Get a schedule', params: IdParams, response: { 200: ScheduleResponse, ...ErrorResponses } },
    },
    async (req) => {
      const s = await getSchedule(deps.db, req.params.id);
      if (!s) throw new NotFoundError('schedule', req.params.id);
      return scheduleJson(s);
    },
  );

  app.patch(
    '/v1/schedules/:id',
    {
      preHandler: requireRole(...WRITERS),
      schema: {
        tags,
        summary: 'Change a schedule (its job scheduler is replaced under the same id)',
        params: IdParams,
        body: PatchScheduleBody,
        response: { 200: ScheduleResponse, ...ErrorResponses },
      },
    },
    async (req) => scheduleJson(await patchSchedule(deps.db, req.principal, req.params.id, req.body as Partial<ScheduleSettings>, opts())),
  );

  app.delete(
    '/v1/schedules/:id',
    {
      preHandler: requireRole(...WRITERS),
      schema: { tags, summary: 'Delete a schedule and its job scheduler (runs are kept)', params: IdParams, response: { 204: Type.Null(), ...ErrorResponses } },
    },
    async (req, reply) => {
      await deleteSchedule(deps.db, req.principal, req.params.id, opts());
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/schedules/:id/trigger',
    {
      preHandler: requireRole(...WRITERS),
      schema: {
        tags,
        summary: "Fire now: today's run (in the schedule's zone) is created, or the existing one returned (200, created: false)",
        params: IdParams,
        body: NoBody,
        response: { 200: TriggerResponse, 201: TriggerResponse, ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const r = await fireSchedule(deps.db, req.principal, req.params.id, new Date(), {
        policyProfile: deps.config.policyProfile,
        via: 'api',
        onLaunched: async (id, state) => {
          // Committed; a dialer that missed the news catches up on its next poll.
          await deps.events
            ?.campaignStateChanged(id, state)
            .catch((err: unknown) => req.log.error({ err, campaignId: id }, 'campaignStateChanged hook failed'));
        },
      });
      const report = await getRunReport(deps.db, r.run.id);
      return reply.status(r.created ? 201 : 200).send({ created: r.created, run: runReport(report!) });
    },
  );

  app.get(
    '/v1/schedules/:id/runs',
    {
      preHandler: requireRole(...READERS),
      schema: {
        tags,
        summary: "The schedule's runs, newest first, each with what its window end did",
        params: IdParams,
        querystring: ListQuery,
        response: { 200: Page(RunResponse), ...ErrorResponses },
      },
    },
    async (req) => {
      if (!(await getSchedule(deps.db, req.params.id))) throw new NotFoundError('schedule', req.params.id);
      const limit = req.query.limit ?? 50;
      const beforeId = req.query.cursor ? decodeCursor(req.query.cursor, ['number'] as const)[0] : undefined;
      const rows = await listRunReports(deps.db, req.params.id, { beforeId, limit: limit + 1 });
      return pageOf(rows, limit, (r) => [r.id], runReport);
    },
  );
}
