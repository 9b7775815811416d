import { Type } from '@sinclair/typebox';
import { RISK_TIERS } from '../contacts/customer.fields.js';
import { CreateCampaignBody } from './campaigns.schemas.js';
import { Nullable, StringEnum } from './schemas.js';
import { PageQuery } from './pagination.js';

const closed = { additionalProperties: false } as const;

/** A campaign as POST /v1/campaigns takes it, without its name (each run names its campaign). */
export const ScheduleTemplate = Type.Omit(CreateCampaignBody, ['name'], {
  ...closed,
  description: 'campaign settings as POST /v1/campaigns takes them, without name',
});

export const Segment = Type.Object(
  {
    daysPastDueMin: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    daysPastDueMax: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    dueWithinDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_650, description: 'due date from the run date to this many days after it' })),
    riskTiers: Type.Optional(Type.Array(StringEnum(RISK_TIERS), { minItems: 1, maxItems: 3 })),
    minAmount: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
    minRiskScore: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  },
  { ...closed, description: 'which customers each run calls; absent bounds do not filter' },
);

const fields = {
  name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$', description: 'letters, digits, . _ -; the CLI names schedules by it' }),
  cron: Type.String({ minLength: 1, maxLength: 120, description: 'cron pattern, 5 fields or 6 (seconds first), in timeZone' }),
  timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. Asia/Shanghai' }),
  template: ScheduleTemplate,
  segment: Segment,
  onWindowEnd: StringEnum(['defer', 'expire'] as const, { description: 'what happens to contacts left when the calling window closes' }),
  enabled: Type.Boolean(),
};

export const CreateScheduleBody = Type.Object(
  {
    name: fields.name,
    cron: fields.cron,
    timeZone: fields.timeZone,
    template: fields.template,
    segment: Type.Optional(fields.segment),
    onWindowEnd: Type.Optional(fields.onWindowEnd),
    enabled: Type.Optional(fields.enabled),
  },
  closed,
);

export const PatchScheduleBody = Type.Partial(Type.Object(fields, closed), { ...closed, minProperties: 1 });

export const ScheduleResponse = Type.Object(
  {
    id: Type.Integer(),
    ...fields,
    template: Type.Record(Type.String(), Type.Unknown()),
    nextRunAt: Nullable(Type.String({ format: 'date-time' })),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  closed,
);

export const RunResponse = Type.Object(
  {
    id: Type.Integer(),
    scheduleId: Type.Integer(),
    scheduleName: Type.String(),
    localDate: Type.String({ format: 'date' }),
    campaignId: Nullable(Type.Integer()),
    campaignState: Nullable(Type.String()),
    source: StringEnum(['schedule', 'file'] as const),
    via: Type.String(),
    onWindowEnd: StringEnum(['defer', 'expire'] as const),
    status: StringEnum(['running', 'completed', 'cancelled', 'expired', 'deferred'] as const),
    firedAt: Type.String({ format: 'date-time' }),
    windowClosesAt: Type.String({ format: 'date-time' }),
    windowClosedAt: Nullable(Type.String({ format: 'date-time' })),
    windowAction: Nullable(StringEnum(['expired', 'deferred'] as const)),
    windowLeft: Nullable(Type.Integer()),
    contacts: Type.Object({ total: Type.Integer(), byState: Type.Record(Type.String(), Type.Integer()) }, closed),
    attempts: Type.Integer(),
  },
  closed,
);

export const TriggerResponse = Type.Object({ created: Type.Boolean(), run: RunResponse }, closed);

export const ListQuery = Type.Object(PageQuery, closed);
