import { Type, type Static } from '@sinclair/typebox';
import { selectActiveCampaignOverrides } from '../compliance/gate.sql.js';
import { validateOverrides } from '../compliance/policy.merge.js';
import { getProfile, profileNames, PROFILES } from '../compliance/policy.profiles.js';
import { loadGlobalPolicy, saveGlobalPolicy, type GlobalPolicy } from '../compliance/policy.store.js';
import { MAKEUP_WORKDAYS, VOICEMAIL_MODES, type Policy } from '../compliance/policy.types.js';
import { withTransaction } from '../store/db.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { audit } from '../audit/audit.js';
import { requireRole } from '../auth/auth.js';
import { ErrorResponses, Nullable, StringEnum } from './schemas.js';

const Hhmm = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'local time HH:mm' });
const HhmmEnd = Type.String({
  pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$',
  description: 'local time HH:mm, 24:00 = midnight; earlier than windowStart = crosses midnight',
});
const Cap = Nullable(Type.Integer({ minimum: 1, maximum: 100_000 }));

export const PolicyFields = {
  windowStart: Hhmm,
  windowEnd: HhmmEnd,
  allowedWeekdays: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
    minItems: 1,
    maxItems: 7,
    uniqueItems: true,
    description: 'ISO weekdays, 1 = Monday',
  }),
  observeHolidays: Type.Boolean({ description: 'true = no calls on public holidays' }),
  voicemail: StringEnum(VOICEMAIL_MODES, {
    description: 'an answering machine gets a limited-content message after the beep (when the campaign says message), or a hang-up',
  }),
  makeupWorkdays: StringEnum(MAKEUP_WORKDAYS, {
    description: "make-up working days (China's 调休): call = a working day; no_call; by_weekday = as allowedWeekdays says",
  }),
  holidayCountry: Nullable(Type.String({ pattern: '^[A-Z]{2}$', description: "null = the dialed number's country" })),
  maxAttemptsPerDay: Cap,
  maxConnectedPerDay: Cap,
  maxAttemptsInRollingDays: Nullable(
    Type.Object({ count: Type.Integer({ minimum: 1, maximum: 100_000 }), days: Type.Integer({ minimum: 1, maximum: 366 }) }, { additionalProperties: false }),
  ),
  cooldownAfterConversationDays: Cap,
  minGapMinutes: Nullable(Type.Integer({ minimum: 0, maximum: 100_000 })),
  maxAttemptsPerContact: Cap,
  maxAbandonRate: Type.Number({
    minimum: 0,
    maximum: 1,
    description: 'abandoned / live-answered calls per campaign over 30 days (0.03 = 3%); agent calls slow near it',
  }),
};

export const PolicySchema = Type.Object(PolicyFields, { additionalProperties: false });

const PutPolicyBody = Type.Object(
  {
    profile: Type.Optional(StringEnum(Object.keys(PROFILES), { description: 'start from this named profile; omitted = the current policy' })),
    ...Type.Partial(Type.Object(PolicyFields)).properties,
  },
  { additionalProperties: false },
);

const PolicyResponse = Type.Object(
  {
    profile: Type.String(),
    source: StringEnum(['database', 'config'] as const, { description: 'config: nothing saved, the configured profile applies' }),
    updatedAt: Nullable(Type.String({ format: 'date-time' })),
    policy: PolicySchema,
    profiles: Type.Array(Type.String()),
    /** Campaigns whose overrides the new policy makes looser: the gate ignores those fields. */
    looseOverrides: Type.Array(Type.Object({ campaignId: Type.String(), field: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

function policyJson(g: GlobalPolicy, looseOverrides: Array<{ campaignId: string; field: string }> = []): Static<typeof PolicyResponse> {
  return {
    profile: g.profile,
    source: g.source,
    updatedAt: g.updatedAt?.toISOString() ?? null,
    policy: g.policy as Static<typeof PolicySchema>,
    profiles: profileNames(),
    looseOverrides,
  };
}

/** `GET /v1/policy` and `PUT /v1/policy`: the global compliance policy (campaigns can only tighten it). */
export async function policyRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  app.get(
    '/v1/policy',
    {
      preHandler: requireRole('supervisor', 'viewer'),
      schema: { tags: ['compliance'], summary: 'The global calling policy', response: { 200: PolicyResponse, ...ErrorResponses } },
    },
    async () => policyJson(await loadGlobalPolicy(deps.db, deps.config.policyProfile)),
  );

  app.put(
    '/v1/policy',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['compliance'],
        summary: 'Change the global calling policy: choose a profile and/or set fields (admin only)',
        body: PutPolicyBody,
        response: { 200: PolicyResponse, ...ErrorResponses },
      },
    },
    async (req) => {
      const { profile, ...fields } = req.body as { profile?: string } & Partial<Policy>;
      return withTransaction(deps.db, async (tx) => {
        const current = await loadGlobalPolicy(tx, deps.config.policyProfile);
        const name = profile ?? current.profile;
        const base = profile ? getProfile(profile) : current.policy;
        const saved = await saveGlobalPolicy(tx, name, { ...base, ...fields }, req.principal.keyId);
        const loose: Array<{ campaignId: string; field: string }> = [];
        for (const c of await selectActiveCampaignOverrides(tx)) {
          try {
            validateOverrides(saved.policy, c.overrides);
          } catch (err) {
            const problems = (err as { details?: { problems?: Array<{ field: string }> } }).details?.problems ?? [{ field: 'unknown' }];
            for (const p of problems) loose.push({ campaignId: c.id, field: p.field });
          }
        }
        await audit(
          tx,
          req.principal,
          'policy.update',
          { type: 'policy', id: 'global' },
          { profile: name, fields: Object.keys(fields), looseOverrides: loose.length },
        );
        return policyJson(saved, loose);
      });
    },
  );
}
