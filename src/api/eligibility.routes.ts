import { Type } from '@sinclair/typebox';
import { checkEligibility } from '../compliance/eligibility.js';
import { maskPhone } from '../shared/redact.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { requireRole } from '../auth/auth.js';
import { PolicySchema } from './policy.routes.js';
import { seesContactData } from '../auth/roles.js';
import { ErrorResponses, IdParams, Nullable, StringEnum } from './schemas.js';

const RULES = [
  'dnc',
  'max_attempts_per_contact',
  'time_zone',
  'calling_window',
  'allowed_weekdays',
  'holiday',
  'max_attempts_per_day',
  'max_connected_per_day',
  'max_attempts_rolling',
  'cooldown_after_conversation',
  'min_gap',
] as const;

const EligibilityQuery = Type.Object(
  {
    at: Type.Optional(Type.String({ format: 'date-time', description: 'the instant to judge; default now' })),
    campaignId: Type.Optional(
      Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: "apply this campaign's overrides and per-contact cap" }),
    ),
    phone: Type.Optional(Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$', description: "one of the customer's numbers; default the first" })),
  },
  { additionalProperties: false },
);

const EligibilityResponse = Type.Object(
  {
    customerId: Type.Integer(),
    campaignId: Nullable(Type.Integer()),
    at: Type.String({ format: 'date-time' }),
    phone: Type.String({ description: 'masked for viewers' }),
    zones: Type.Array(Type.String()),
    zoneSource: StringEnum(['customer', 'area_code', 'phone_country', 'campaign_default', 'unknown'] as const),
    country: Nullable(Type.String()),
    decision: Type.Object(
      {
        kind: StringEnum(['allow', 'defer', 'block'] as const),
        until: Type.Optional(Type.String({ format: 'date-time', description: 'defer: the earliest instant every rule allows' })),
        rule: Type.Optional(Type.String()),
        reason: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
    rules: Type.Array(
      Type.Object(
        {
          rule: StringEnum(RULES),
          zone: Type.Optional(Type.String()),
          status: StringEnum(['ok', 'defer', 'block', 'off'] as const),
          until: Type.Optional(Type.String({ format: 'date-time', description: 'defer: when this rule alone would allow the call' })),
          detail: Type.String(),
          used: Type.Optional(Type.Number()),
          limit: Type.Optional(Type.Number()),
        },
        { additionalProperties: false },
      ),
    ),
    policy: PolicySchema,
  },
  { additionalProperties: false },
);

/** `GET /v1/customers/:id/eligibility`: would the gate let this customer be called, rule by rule. */
export async function eligibilityRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  app.get(
    '/v1/customers/:id/eligibility',
    {
      preHandler: requireRole('operator', 'supervisor', 'viewer'),
      schema: {
        tags: ['compliance'],
        summary: 'Explain, rule by rule, whether the customer may be called at an instant (nothing is reserved)',
        params: IdParams,
        querystring: EligibilityQuery,
        response: { 200: EligibilityResponse, ...ErrorResponses },
      },
    },
    async (req) => {
      const e = await checkEligibility(deps.db, {
        customerId: req.params.id,
        phone: req.query.phone,
        campaignId: req.query.campaignId,
        at: req.query.at ? new Date(req.query.at) : new Date(),
        defaultProfile: deps.config.policyProfile,
      });
      const d = e.decision;
      return {
        customerId: Number(e.customerId),
        campaignId: e.campaignId === null ? null : Number(e.campaignId),
        at: e.at.toISOString(),
        phone: seesContactData(req.principal) ? e.phone : maskPhone(e.phone),
        zones: [...e.zones],
        zoneSource: e.zoneSource,
        country: e.country,
        decision:
          d.kind === 'allow'
            ? { kind: d.kind }
            : d.kind === 'defer'
              ? { kind: d.kind, until: d.until.toISOString(), rule: d.rule, reason: d.reason }
              : { kind: d.kind, rule: d.rule, reason: d.reason },
        rules: e.rules.map((r) => ({ ...r, until: r.until?.toISOString() })).map(({ until, ...r }) => (until === undefined ? r : { ...r, until })),
        policy: e.policy as never,
      };
    },
  );
}
