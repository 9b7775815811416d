import { Type, type Static } from '@sinclair/typebox';
import { ValidationError } from '../shared/errors.js';
import { MessageTemplatesSchema, validateMessageTemplates } from '../messaging/message.template.js';
import type { RiskTier } from '../risk/scorecard.js';

/**
 * A campaign's contact plan per risk tier (pure): the channels in order, the spacing between
 * steps, and what stops the plan. For example low: an SMS three days before the due date, an
 * email on the day; medium: an SMS, then an automated call two days later; high: an automated
 * call, then an agent call. This is the definition and the pure decision of what a contact's
 * plan does next; plan.processor.ts runs it.
 */
export const PLAN_CHANNELS = ['sms', 'email', 'call', 'agent_call'] as const;
export type PlanChannel = (typeof PLAN_CHANNELS)[number];
export const STOP_CONDITIONS = ['payment', 'promise', 'opt_out'] as const;
export type StopCondition = (typeof STOP_CONDITIONS)[number];

// Literal tuples (not a map over the arrays): the API's type provider needs the union's members.
const Channel = Type.Union([Type.Literal('sms'), Type.Literal('email'), Type.Literal('call'), Type.Literal('agent_call')]);
const Stop = Type.Union([Type.Literal('payment'), Type.Literal('promise'), Type.Literal('opt_out')]);

export const PlanStepSchema = Type.Object(
  {
    channel: Channel,
    /** Hours after the previous step ran (the first step: after the plan started). */
    afterHours: Type.Number({ minimum: 0, maximum: 24 * 60, default: 0 }),
    /** Seconds added to afterHours: short spacing for tests and demos (the sandbox's plan runs in seconds). */
    afterSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
    /** Not before this many days from the customer's due date (−3: three days before). */
    dueDateOffsetDays: Type.Optional(Type.Integer({ minimum: -60, maximum: 60 })),
  },
  { additionalProperties: false },
);
export type PlanStep = Static<typeof PlanStepSchema>;

const TierPlan = Type.Object({ steps: Type.Array(PlanStepSchema, { minItems: 1, maxItems: 10 }) }, { additionalProperties: false });

export const ContactPlanSchema = Type.Object(
  {
    tiers: Type.Object({ low: Type.Optional(TierPlan), medium: Type.Optional(TierPlan), high: Type.Optional(TierPlan) }, { additionalProperties: false }),
    stopOn: Type.Array(Stop, { uniqueItems: true, maxItems: 3, default: [...STOP_CONDITIONS] }),
    templates: Type.Optional(MessageTemplatesSchema),
  },
  { additionalProperties: false },
);
export type ContactPlan = Static<typeof ContactPlanSchema>;

export function validateContactPlan(p: ContactPlan): void {
  const tiers = Object.entries(p.tiers).filter(([, t]) => t !== undefined);
  if (tiers.length === 0) throw new ValidationError('a contact plan needs steps for at least one risk tier', { field: 'tiers' }, 'plan_empty');
  if (!p.stopOn.includes('opt_out')) throw new ValidationError('a contact plan always stops at an opt-out', { field: 'stopOn' }, 'plan_must_stop_on_opt_out');
  if (p.templates) validateMessageTemplates(p.templates);
}

/** What is known about the contact since its plan started. */
export interface PlanFacts {
  paid: boolean;
  promised: boolean;
  optedOut: boolean;
}

export interface PlanProgress {
  /** Index of the next step to run. */
  nextStep: number;
  startedAt: Date;
  /** When the previous step ran (null before the first). */
  lastRunAt: Date | null;
  /** The previous step was a call that has not settled yet (waiting for its turn or its gate, ringing, retried). */
  callPending?: boolean;
  /** When the previous step's call ended: the next step's spacing counts from then, not from when it was queued. */
  callEndedAt?: Date | null;
}

export type PlanAction =
  | { kind: 'stop'; reason: StopCondition | 'no_plan_for_tier' }
  | { kind: 'done' }
  | { kind: 'wait'; until: Date; step: number }
  | { kind: 'await_call'; step: number }
  | { kind: 'run'; step: number; channel: PlanChannel };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The tier a plan follows: the latest score's (scorecard or imported), else medium. */
export function planTier(current: RiskTier | null | undefined): RiskTier {
  return current ?? 'medium';
}

/** When a step is due: after the previous one by its spacing, and not before its due-date offset. */
export function stepDueAt(step: PlanStep, progress: PlanProgress, dueDate: string | null): Date {
  const base = Math.max((progress.lastRunAt ?? progress.startedAt).getTime(), progress.callEndedAt?.getTime() ?? 0);
  const after = base + step.afterHours * HOUR + (step.afterSeconds ?? 0) * 1000;
  if (step.dueDateOffsetDays === undefined || dueDate === null) return new Date(after);
  const byDueDate = Date.parse(`${dueDate}T00:00:00Z`) + step.dueDateOffsetDays * DAY;
  return new Date(Math.max(after, byDueDate));
}

/**
 * What the contact's plan does now. Stop conditions are checked before every step (and while a
 * call step's call is still under way: a payment meanwhile ends the plan); a step after a call
 * waits for that call to settle, so a customer is never called twice at once.
 */
export function nextPlanAction(plan: ContactPlan, tier: RiskTier, progress: PlanProgress, facts: PlanFacts, dueDate: string | null, now: Date): PlanAction {
  if (facts.optedOut) return { kind: 'stop', reason: 'opt_out' };
  if (facts.paid && plan.stopOn.includes('payment')) return { kind: 'stop', reason: 'payment' };
  if (facts.promised && plan.stopOn.includes('promise')) return { kind: 'stop', reason: 'promise' };
  const steps = plan.tiers[tier]?.steps;
  if (!steps) return { kind: 'stop', reason: 'no_plan_for_tier' };
  const step = steps[progress.nextStep];
  if (!step) return { kind: 'done' };
  if (progress.callPending) return { kind: 'await_call', step: progress.nextStep };
  const due = stepDueAt(step, progress, dueDate);
  if (due.getTime() > now.getTime()) return { kind: 'wait', until: due, step: progress.nextStep };
  return { kind: 'run', step: progress.nextStep, channel: step.channel };
}
