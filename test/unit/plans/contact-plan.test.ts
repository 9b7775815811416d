import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { ContactPlanSchema, nextPlanAction, validateContactPlan, type ContactPlan } from '../../../src/plans/contact-plan.js';

const plan: ContactPlan = {
  tiers: {
    low: {
      steps: [
        { channel: 'sms', afterHours: 0, dueDateOffsetDays: -3 },
        { channel: 'email', afterHours: 0, dueDateOffsetDays: 0 },
      ],
    },
    medium: {
      steps: [
        { channel: 'sms', afterHours: 0 },
        { channel: 'call', afterHours: 48 },
      ],
    },
    high: {
      steps: [
        { channel: 'sms', afterHours: 0 },
        { channel: 'call', afterHours: 1 },
        { channel: 'agent_call', afterHours: 2 },
      ],
    },
  },
  stopOn: ['payment', 'promise', 'opt_out'],
};
const start = new Date('2026-12-01T02:00:00Z');
const none = { paid: false, promised: false, optedOut: false };
const h = (n: number) => new Date(start.getTime() + n * 3_600_000);

describe('contact plan', () => {
  it('is a valid schema document; a plan without steps or without the opt-out stop is refused', () => {
    expect(Value.Check(ContactPlanSchema, plan)).toBe(true);
    expect(Value.Check(ContactPlanSchema, { tiers: { high: { steps: [{ channel: 'fax', afterHours: 0 }] } }, stopOn: [] })).toBe(false);
    expect(() => validateContactPlan({ tiers: {}, stopOn: ['opt_out'] })).toThrow(/at least one risk tier/);
    expect(() => validateContactPlan({ ...plan, stopOn: ['payment'] })).toThrow(/opt-out/);
    expect(() => validateContactPlan({ ...plan, templates: { sms: { 'zh-CN': { body: '{nope}' } } } })).toThrow(/unknown placeholder/);
  });

  it('runs a high-risk plan SMS → call → agent with its spacing', () => {
    expect(nextPlanAction(plan, 'high', { nextStep: 0, startedAt: start, lastRunAt: null }, none, null, start)).toEqual({
      kind: 'run',
      step: 0,
      channel: 'sms',
    });
    expect(nextPlanAction(plan, 'high', { nextStep: 1, startedAt: start, lastRunAt: start }, none, null, h(0.5))).toEqual({
      kind: 'wait',
      until: h(1),
      step: 1,
    });
    expect(nextPlanAction(plan, 'high', { nextStep: 1, startedAt: start, lastRunAt: start }, none, null, h(1))).toEqual({
      kind: 'run',
      step: 1,
      channel: 'call',
    });
    expect(nextPlanAction(plan, 'high', { nextStep: 2, startedAt: start, lastRunAt: h(1) }, none, null, h(3))).toEqual({
      kind: 'run',
      step: 2,
      channel: 'agent_call',
    });
    expect(nextPlanAction(plan, 'high', { nextStep: 3, startedAt: start, lastRunAt: h(3) }, none, null, h(9))).toEqual({ kind: 'done' });
  });

  it('stops at a payment, a promise or an opt-out before any step', () => {
    const p = { nextStep: 1, startedAt: start, lastRunAt: start };
    expect(nextPlanAction(plan, 'high', p, { ...none, paid: true }, null, h(5))).toEqual({ kind: 'stop', reason: 'payment' });
    expect(nextPlanAction(plan, 'high', p, { ...none, promised: true }, null, h(5))).toEqual({ kind: 'stop', reason: 'promise' });
    expect(nextPlanAction({ ...plan, stopOn: ['opt_out'] }, 'high', p, { ...none, paid: true }, null, h(5))).toMatchObject({ kind: 'run' });
    expect(nextPlanAction(plan, 'high', p, { ...none, optedOut: true, paid: true }, null, h(5))).toEqual({ kind: 'stop', reason: 'opt_out' });
  });

  it("a step after a call waits for that call to settle, then counts its spacing from the call's end; a stop still wins", () => {
    const afterCall = { nextStep: 2, startedAt: start, lastRunAt: h(1) };
    expect(nextPlanAction(plan, 'high', { ...afterCall, callPending: true }, none, null, h(9))).toEqual({ kind: 'await_call', step: 2 });
    expect(nextPlanAction(plan, 'high', { ...afterCall, callPending: true }, { ...none, paid: true }, null, h(9))).toEqual({ kind: 'stop', reason: 'payment' });
    // Queued at 1 h, ended at 2.5 h: the agent call (2 h later) is due at 4.5 h, not 3 h.
    expect(nextPlanAction(plan, 'high', { ...afterCall, callEndedAt: h(2.5) }, none, null, h(3))).toEqual({ kind: 'wait', until: h(4.5), step: 2 });
    // The last step's call still under way: the plan is done (the call settles its contact).
    expect(nextPlanAction(plan, 'high', { nextStep: 3, startedAt: start, lastRunAt: h(3), callPending: true }, none, null, h(9))).toEqual({ kind: 'done' });
  });

  it('places steps against the due date (an SMS three days before, an email on the day)', () => {
    const p0 = { nextStep: 0, startedAt: start, lastRunAt: null };
    expect(nextPlanAction(plan, 'low', p0, none, '2026-12-10', start)).toEqual({ kind: 'wait', until: new Date('2026-12-07T00:00:00Z'), step: 0 });
    expect(
      nextPlanAction(
        plan,
        'low',
        { nextStep: 1, startedAt: start, lastRunAt: new Date('2026-12-07T02:00:00Z') },
        none,
        '2026-12-10',
        new Date('2026-12-08T00:00:00Z'),
      ),
    ).toEqual({
      kind: 'wait',
      until: new Date('2026-12-10T00:00:00Z'),
      step: 1,
    });
    expect(nextPlanAction({ ...plan, tiers: { high: plan.tiers.high } }, 'low', p0, none, null, start)).toEqual({ kind: 'stop', reason: 'no_plan_for_tier' });
  });
});
