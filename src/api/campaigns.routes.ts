import { getCampaign, listCampaigns, type Campaign, type CampaignSettings } from '../campaigns/campaign.repo.js';
import { changeCampaignState, createCampaign, patchCampaign } from '../campaigns/campaign.service.js';
import type { CampaignAction, CampaignState } from '../campaigns/campaign.state.js';
import { loadStatsRows, summarizeStats } from '../campaigns/campaign.stats.js';
import { countCampaignMessages, summarizeMessages } from '../messaging/messages.repo.js';
import { registerDbGauges } from '../observability/db-gauges.js';
import { NotFoundError } from '../shared/errors.js';
import { validateContactPlan, type ContactPlan } from '../plans/contact-plan.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { requireRole } from '../auth/auth.js';
import { CampaignResponse, CampaignStatsResponse, CreateCampaignBody, ListCampaignsQuery, PatchCampaignBody } from './campaigns.schemas.js';
import { decodeCursor, Page, pageOf } from './pagination.js';
import { ErrorResponses, IdParams, NoBody } from './schemas.js';

// Agents read no campaigns: what they need of one comes with the customer card of their call.
const READERS = ['operator', 'supervisor', 'viewer'] as const;
const WRITERS = ['operator'] as const;
const CONTROLLERS = ['operator', 'supervisor'] as const;

/** What the schema cannot check of a contact plan (422 plan_empty, plan_must_stop_on_opt_out, templates). */
function checkPlan<T extends { contactPlan?: unknown }>(body: T): T {
  if (body.contactPlan) validateContactPlan(body.contactPlan as ContactPlan);
  return body;
}

export function campaignJson(c: Campaign) {
  return {
    ...c,
    contactPlan: c.contactPlan as ContactPlan | null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    launchedAt: c.launchedAt?.toISOString() ?? null,
    endedAt: c.endedAt?.toISOString() ?? null,
  };
}

/** Campaign CRUD (edits only while draft), the state machine, and stats. */
export async function campaignsRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  if (deps.metrics) registerDbGauges(deps.metrics, deps.db);

  app.post(
    '/v1/campaigns',
    {
      preHandler: requireRole(...WRITERS),
      schema: { tags: ['campaigns'], summary: 'Create a draft campaign', body: CreateCampaignBody, response: { 201: CampaignResponse, ...ErrorResponses } },
    },
    async (req, reply) => {
      const c = await createCampaign(deps.db, req.principal, checkPlan(req.body) as Partial<CampaignSettings> & { name: string }, {
        policyProfile: deps.config.policyProfile,
      });
      return reply.status(201).send(campaignJson(c));
    },
  );

  app.get(
    '/v1/campaigns',
    {
      preHandler: requireRole(...READERS),
      schema: {
        tags: ['campaigns'],
        summary: 'List campaigns, newest first',
        querystring: ListCampaignsQuery,
        response: { 200: Page(CampaignResponse), ...ErrorResponses },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const beforeId = req.query.cursor ? decodeCursor(req.query.cursor, ['number'] as const)[0] : undefined;
      const rows = await listCampaigns(deps.db, { state: req.query.state as CampaignState | undefined, beforeId, limit: limit + 1 });
      return pageOf(rows, limit, (r) => [r.id], campaignJson);
    },
  );

  app.get(
    '/v1/campaigns/:id',
    {
      preHandler: requireRole(...READERS),
      schema: { tags: ['campaigns'], summary: 'Get a campaign', params: IdParams, response: { 200: CampaignResponse, ...ErrorResponses } },
    },
    async (req) => {
      const c = await getCampaign(deps.db, req.params.id);
      if (!c) throw new NotFoundError('campaign', req.params.id);
      return campaignJson(c);
    },
  );

  app.patch(
    '/v1/campaigns/:id',
    {
      preHandler: requireRole(...WRITERS),
      schema: {
        tags: ['campaigns'],
        summary: 'Change a draft campaign (409 campaign_not_editable after launch)',
        params: IdParams,
        body: PatchCampaignBody,
        response: { 200: CampaignResponse, ...ErrorResponses },
      },
    },
    async (req) =>
      campaignJson(
        await patchCampaign(deps.db, req.principal, req.params.id, checkPlan(req.body) as Partial<CampaignSettings>, {
          policyProfile: deps.config.policyProfile,
        }),
      ),
  );

  const actions: { action: CampaignAction; summary: string }[] = [
    { action: 'launch', summary: 'draft → running' },
    { action: 'pause', summary: 'running → paused' },
    { action: 'resume', summary: 'paused → running' },
    { action: 'cancel', summary: 'draft | running | paused → cancelled (waiting contacts are cancelled)' },
  ];
  for (const { action, summary } of actions) {
    app.post(
      `/v1/campaigns/:id/${action}`,
      {
        preHandler: requireRole(...CONTROLLERS),
        schema: {
          tags: ['campaigns'],
          summary: `${action}: ${summary} (409 invalid_transition otherwise)`,
          params: IdParams,
          body: NoBody,
          response: { 200: CampaignResponse, ...ErrorResponses },
        },
      },
      async (req) => {
        const c = await changeCampaignState(deps.db, req.principal, req.params.id, action);
        if (deps.events) {
          // The change is committed; a dialer that missed the news catches up on its next poll.
          await deps.events
            .campaignStateChanged(c.id, c.state)
            .catch((err: unknown) => req.log.error({ err, campaignId: c.id }, 'campaignStateChanged hook failed'));
        }
        return campaignJson(c);
      },
    );
  }

  app.get(
    '/v1/campaigns/:id/stats',
    {
      preHandler: requireRole(...READERS),
      schema: {
        tags: ['campaigns'],
        summary: 'Contacts by state, attempts by outcome, abandon rate and progress',
        params: IdParams,
        response: { 200: CampaignStatsResponse, ...ErrorResponses },
      },
    },
    async (req) => {
      const c = await getCampaign(deps.db, req.params.id);
      if (!c) throw new NotFoundError('campaign', req.params.id);
      return {
        ...summarizeStats(c.id, await loadStatsRows(deps.db, c.id, deps.config.policyProfile)),
        messages: summarizeMessages(await countCampaignMessages(deps.db, c.id)),
      };
    },
  );
}
