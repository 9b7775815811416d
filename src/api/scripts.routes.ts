import { Type } from '@sinclair/typebox';
import { audit } from '../audit/audit.js';
import { callScope } from '../auth/roles.js';
import { requireRole } from '../auth/auth.js';
import { getCall } from '../calls/calls.repo.js';
import { DEFAULT_SCRIPT, fillScript, validateScript, type CallScript } from '../campaigns/call-script.js';
import { getCallScript, replaceCallScript } from '../campaigns/call-script.repo.js';
import { getCampaign } from '../campaigns/campaign.repo.js';
import { pickPromptLocale } from '../prompts/prompt.render.js';
import { NotFoundError } from '../shared/errors.js';
import { withTransaction } from '../store/db.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { LOCALE_PATTERN } from './campaigns.schemas.js';
import { getCustomer } from '../contacts/customers.repo.js';
import { ErrorResponses, IdParams, Nullable } from './schemas.js';

const closed = { additionalProperties: false } as const;
const Step = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 100 }),
    text: Type.String({ minLength: 1, maxLength: 2000, description: 'may use {name} {amount} {due_date} {days_past_due} {callback_number} {bank_name}' }),
  },
  closed,
);
const Steps = Type.Array(Step, { minItems: 1, maxItems: 30 });
const Script = Type.Record(Type.String({ pattern: LOCALE_PATTERN }), Steps, {
  ...closed,
  maxProperties: 20,
  description: '{"zh-CN": [{title, text}, ...], ...}',
});

const ScriptResponse = Type.Object(
  {
    campaignId: Type.Integer(),
    script: Script,
    isDefault: Type.Boolean({ description: 'true: the campaign has no script of its own and agents get the built-in one' }),
  },
  closed,
);

const FilledResponse = Type.Object(
  {
    attemptId: Type.String({ format: 'uuid' }),
    campaignId: Nullable(Type.Integer()),
    locale: Type.String(),
    isDefault: Type.Boolean(),
    steps: Type.Array(Step),
  },
  closed,
);

/** Call scripts: a campaign's talk track per language, and the one an agent reads with the customer filled in. */
export async function scriptsRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const scriptOf = async (campaignId: number) => {
    const own = await getCallScript(deps.db, campaignId);
    const isDefault = Object.keys(own).length === 0;
    return { campaignId, script: isDefault ? { ...DEFAULT_SCRIPT } : own, isDefault };
  };

  app.get(
    '/v1/campaigns/:id/script',
    {
      preHandler: requireRole('operator', 'supervisor', 'viewer'),
      schema: {
        tags: ['campaigns'],
        summary: "The campaign's call script per language (the built-in one until it saves its own)",
        params: IdParams,
        response: { 200: ScriptResponse, ...ErrorResponses },
      },
    },
    async (req) => {
      if (!(await getCampaign(deps.db, req.params.id))) throw new NotFoundError('campaign', req.params.id);
      return scriptOf(req.params.id);
    },
  );

  app.put(
    '/v1/campaigns/:id/script',
    {
      preHandler: requireRole('operator', 'supervisor'),
      schema: {
        tags: ['campaigns'],
        summary: "Replace the campaign's call script (any state: it guides agents, it dials nothing); {} goes back to the built-in one",
        params: IdParams,
        body: Script,
        response: { 200: ScriptResponse, ...ErrorResponses },
      },
    },
    async (req) => {
      const script = req.body as CallScript;
      validateScript(script);
      await withTransaction(deps.db, async (tx) => {
        if (!(await getCampaign(tx, req.params.id))) throw new NotFoundError('campaign', req.params.id);
        await replaceCallScript(tx, req.params.id, script);
        await audit(
          tx,
          req.principal,
          'campaign.script',
          { type: 'campaign', id: req.params.id },
          { steps: Object.fromEntries(Object.entries(script).map(([l, s]) => [l, s.length])) },
        );
      });
      return scriptOf(req.params.id);
    },
  );

  app.get(
    '/v1/calls/:id/script',
    {
      preHandler: requireRole('operator', 'supervisor', 'agent'),
      schema: {
        tags: ['calls', 'agents'],
        summary: "The call's campaign script in the customer's language, filled in with the customer's values; an agent key reads only calls it took",
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }, closed),
        querystring: Type.Object({ locale: Type.Optional(Type.String({ pattern: LOCALE_PATTERN })) }, closed),
        response: { 200: FilledResponse, ...ErrorResponses },
      },
    },
    async (req) => {
      const scope = callScope(req.principal);
      const call = await getCall(deps.db, scope, req.params.id);
      if (!call) throw new NotFoundError('call', req.params.id);
      const customer = await getCustomer(deps.db, scope, call.customerId);
      if (!customer) throw new NotFoundError('call', req.params.id);
      const { script, isDefault } = call.campaignId === null ? { script: { ...DEFAULT_SCRIPT }, isDefault: true } : await scriptOf(call.campaignId);
      const locale = pickPromptLocale(Object.keys(script), req.query.locale ?? customer.locale)!;
      return { attemptId: call.id, campaignId: call.campaignId, locale, isDefault, steps: fillScript(script[locale] ?? [], customer, deps.config.bank) };
    },
  );
}
