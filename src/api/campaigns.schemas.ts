import { MESSAGE_STATUSES } from '../messaging/messages.repo.js';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { PromptSegmentSchema, TTS_TEXT_MAX } from '../prompts/prompt.template.js';
import { CAMPAIGN_STATES } from '../campaigns/campaign.state.js';
import { CALL_OUTCOMES } from '../campaigns/campaign.stats.js';
import { CONTACT_STATES } from '../contacts/contact.states.js';
import { Nullable, StringEnum } from './schemas.js';
import { MENU_ACTIONS } from '../dialer/menu.js';
import { ContactPlanSchema } from '../plans/contact-plan.js';

const closed = { additionalProperties: false } as const;

const HHMM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
/** BCP 47-ish: zh-CN, en-US, en. */
export const LOCALE_PATTERN = '^[a-z]{2,3}(-[A-Z]{2})?$';

/**
 * A prompt segment as the API takes it: the typed form the dialer stores and renders
 * (`{type: 'tts'|'audio'|'sound', ...}`, src/prompts/prompt.template.ts), or the shorthand
 * `{text}` / `{promptId}`, which is stored typed. Responses always carry the typed form.
 */
export const PromptSegment = Type.Union([
  ...PromptSegmentSchema.anyOf,
  Type.Object({ promptId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'shorthand for {type: "audio", promptId}' }) }, closed),
  Type.Object(
    { text: Type.String({ minLength: 1, maxLength: TTS_TEXT_MAX, description: 'shorthand for {type: "tts", text}: an inline TTS template' }) },
    closed,
  ),
]);

const promptRecord = (segment: TSchema) =>
  Type.Record(Type.String({ pattern: LOCALE_PATTERN }), Type.Object({ segments: Type.Array(segment, { minItems: 1, maxItems: 50 }) }, closed), {
    ...closed,
    maxProperties: 20,
    description: 'what each customer hears, by locale: {"zh-CN": {"segments": [...]}}',
  });

export const CampaignPrompt = promptRecord(PromptSegment);

export const PolicyOverrides = Type.Object(
  {
    windowStart: Type.Optional(Type.String({ pattern: HHMM, description: 'local time HH:mm the calling window opens' })),
    windowEnd: Type.Optional(Type.String({ pattern: HHMM, description: 'local time HH:mm the calling window closes' })),
    maxAttemptsPerDay: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    maxConnectedPerDay: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    maxAttemptsPerContact: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    minGapMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_080 })),
    allowedWeekdays: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7, description: 'ISO weekdays, 1 = Monday' })),
    maxAbandonRate: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'abandon-rate target for this campaign (0.03 = 3%), at most the global one' }),
    ),
  },
  { ...closed, description: 'only ever stricter than the global policy' },
);

const RetryRule = Type.Object(
  { delaySeconds: Type.Integer({ minimum: 60, maximum: 7 * 86_400 }), maxRetries: Type.Integer({ minimum: 0, maximum: 10 }) },
  closed,
);

export const RetryPolicy = Type.Object(
  {
    busy: Type.Optional(RetryRule),
    no_answer: Type.Optional(RetryRule),
    machine: Type.Optional(RetryRule),
    failed: Type.Optional(RetryRule),
    lost: Type.Optional(
      Type.Object(
        { ...RetryRule.properties, delaySeconds: Type.Integer({ minimum: 0, maximum: 7 * 86_400 }) },
        { ...closed, description: 'calls lost by a fault on our side (crash, outage); default one retry after 600 s' },
      ),
    ),
  },
  closed,
);

const settings = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  prompt: CampaignPrompt,
  callerId: Nullable(Type.String({ pattern: '^\\+?[0-9]{3,20}$', description: 'E.164 or digits' })),
  policyOverrides: PolicyOverrides,
  riskThreshold: Nullable(Type.Integer({ minimum: 0, maximum: 100, description: 'risk score at or above which answered calls go to an agent' })),
  maxConcurrent: Type.Integer({ minimum: 1, maximum: 10_000 }),
  callsPerSecond: Type.Number({ minimum: 0.01, maximum: 1000, description: 'stored to two decimals' }),
  retryPolicy: RetryPolicy,
  amdEnabled: Type.Boolean(),
  amdMachineAction: Type.Union([Type.Literal('hangup'), Type.Literal('message')]),
  defaultTimeZone: Nullable(Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. Asia/Shanghai' })),
  nextNumberOn: Type.Array(StringEnum(['no_answer', 'busy', 'invalid_number', 'rejected', 'congestion', 'failed'] as const), {
    uniqueItems: true,
    maxItems: 6,
    description: "outcomes after which the customer's next number is dialed at once (in the customer's order); [] = the first number only",
  }),
  menu: Nullable(
    Type.Record(Type.String({ pattern: '^[0-9*#]$' }), StringEnum(MENU_ACTIONS), {
      description:
        'DTMF key → action, announced after the prompt in the customer language; null = 1 agent, 2 promise_to_pay, 9 opt_out, 0 repeat (the prompt announces them). An opt_out key is required.',
    }),
  ),
  contactPlan: Nullable(ContactPlanSchema),
};

export const CreateCampaignBody = Type.Object(
  {
    name: settings.name,
    prompt: Type.Optional(settings.prompt),
    callerId: Type.Optional(settings.callerId),
    policyOverrides: Type.Optional(settings.policyOverrides),
    riskThreshold: Type.Optional(settings.riskThreshold),
    maxConcurrent: Type.Optional(settings.maxConcurrent),
    callsPerSecond: Type.Optional(settings.callsPerSecond),
    retryPolicy: Type.Optional(settings.retryPolicy),
    amdEnabled: Type.Optional(settings.amdEnabled),
    amdMachineAction: Type.Optional(settings.amdMachineAction),
    defaultTimeZone: Type.Optional(settings.defaultTimeZone),
    menu: Type.Optional(settings.menu),
    nextNumberOn: Type.Optional(settings.nextNumberOn),
    contactPlan: Type.Optional(settings.contactPlan),
  },
  closed,
);
export type CreateCampaignBody = Static<typeof CreateCampaignBody>;

export const PatchCampaignBody = Type.Partial(CreateCampaignBody, { ...closed, minProperties: 1 });
export type PatchCampaignBody = Static<typeof PatchCampaignBody>;

export const CampaignResponse = Type.Object(
  {
    id: Type.Integer(),
    state: StringEnum(CAMPAIGN_STATES),
    ...settings,
    // Rows saved before prompts were stored typed may hold the shorthand: answer what is stored.
    prompt: CampaignPrompt,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    launchedAt: Nullable(Type.String({ format: 'date-time' })),
    endedAt: Nullable(Type.String({ format: 'date-time' })),
  },
  closed,
);

const counts = (keys: readonly string[]) => Type.Object(Object.fromEntries(keys.map((k) => [k, Type.Integer()])), { additionalProperties: Type.Integer() });

export const CampaignStatsResponse = Type.Object(
  {
    campaignId: Type.Integer(),
    contacts: Type.Object(
      {
        total: Type.Integer(),
        byState: counts(CONTACT_STATES),
        reasons: Type.Object({ deferred: Type.Record(Type.String(), Type.Integer()), blocked: Type.Record(Type.String(), Type.Integer()) }, closed),
      },
      closed,
    ),
    attempts: Type.Object({ total: Type.Integer(), live: Type.Integer(), answeredHuman: Type.Integer(), byOutcome: counts(CALL_OUTCOMES) }, closed),
    abandonRate: Nullable(Type.Number({ description: 'abandoned / live-answered calls over the rolling window (abandonment)' })),
    abandonment: Type.Object(
      {
        rate: Nullable(Type.Number()),
        abandoned: Type.Integer({ description: 'agent-bound calls not connected to an agent within 2 s of the hand-off' }),
        liveAnswered: Type.Integer({ description: 'calls a person answered' }),
        windowDays: Type.Integer(),
        since: Type.String({ format: 'date-time' }),
        target: Type.Number({ description: "the campaign's maxAbandonRate" }),
      },
      { ...closed, description: 'the abandon rate as FCC 47 CFR 64.1200(a)(7) measures it: per campaign, rolling 30 days' },
    ),
    progress: Nullable(Type.Number()),
    pacingHolds: Type.Object(
      {
        count: Type.Integer(),
        heldSeconds: Type.Number(),
        recent: Type.Array(
          Type.Object(
            {
              startedAt: Type.String({ format: 'date-time' }),
              endedAt: Nullable(Type.String({ format: 'date-time' })),
              reasons: Type.Array(Type.String()),
              lowestFactor: Type.Number(),
            },
            closed,
          ),
        ),
      },
      closed,
    ),
    messages: Type.Object(
      { sms: counts(MESSAGE_STATUSES), email: counts(MESSAGE_STATUSES) },
      { ...closed, description: "the campaign's SMS and emails by status (the message ledger)" },
    ),
  },
  closed,
);

export const ListCampaignsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 400 })),
    state: Type.Optional(StringEnum(CAMPAIGN_STATES)),
  },
  closed,
);
