import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attempts,
  campaignState,
  controlApi,
  createHarness,
  num,
  seedCampaign,
  startWorker,
  waitFor,
  type Harness,
  type RunningWorker,
} from '../dialer/dialer-harness.js';
import { startMessaging, type MessagingRuntime } from '../../../src/messaging/messaging.runtime.js';
import { startPlanWorker, type PlanWorker } from '../../../src/scheduler/plan.worker.js';
import { insertRiskScore } from '../../../src/risk/risk.repo.js';
import { createApiKey } from '../../../src/auth/keys.repo.js';
import { sandboxEnv } from '../../helpers/sandbox-env.js';

// A high-risk customer's contact plan through the real sandbox: the SMS goes to the sandbox's
// SMSC over SMPP, the call through the real Asterisk to the SIPp carrier, and a payment posted
// through the API stops the plan before its next step. Spacing in seconds (afterSeconds).
const PLAN = {
  tiers: {
    low: { steps: [{ channel: 'email', afterHours: 0 }] },
    high: {
      steps: [
        { channel: 'sms', afterHours: 0 },
        { channel: 'call', afterHours: 0, afterSeconds: 2 },
        { channel: 'sms', afterHours: 0, afterSeconds: 25 },
      ],
    },
  },
  stopOn: ['payment', 'promise', 'opt_out'],
  templates: { sms: { 'en-US': { body: 'plan test: {name}, {amount} is due.' } } },
};

describe('contact plans e2e: SMS → call, stopped by a payment', () => {
  let h: Harness;
  let w: RunningWorker;
  let rt: MessagingRuntime;
  let plans: PlanWorker;
  let api: Awaited<ReturnType<typeof controlApi>>;
  const env = sandboxEnv();
  const smsc = async (): Promise<{ to: string; text: string }[]> =>
    (await (await fetch(`${env.SANDBOX_SMPP_CONTROL}/messages`)).json()) as { to: string; text: string }[];

  beforeAll(async () => {
    h = await createHarness();
    w = await startWorker(h);
    api = await controlApi(h);
    rt = startMessaging(h.config, h.tdb.db, h.log);
    await rt.smpp.ready();
    plans = startPlanWorker({ db: h.tdb.db, log: h.log, queues: h.queues, messaging: rt.deps }, { redis: h.redis, prefix: h.config.queuePrefix, log: h.log });
  });
  afterAll(async () => {
    await plans?.close();
    await rt?.close();
    await api?.app.close();
    await w?.stop();
    await h?.close();
  });

  it('runs the high tier in order with its spacing and stops at a payment before the next step', async () => {
    const phone = num('20', 40 + (Date.now() % 50));
    const c = await seedCampaign(h, { contacts: [{ phone }], retryPolicy: { busy: { delaySeconds: 600, maxRetries: 0 } } });
    const db = h.tdb.db;
    await db.query(`UPDATE campaigns SET contact_plan = $2 WHERE id = $1`, [c.campaignId, JSON.stringify(PLAN)]);
    const { contactId, customerId } = c.contacts[0]!;
    const score = {
      customerId: Number(customerId),
      scorecardVersion: 'test',
      source: 'scorecard' as const,
      score: 85,
      tier: 'high' as const,
      computedScore: 85,
      computedTier: 'high' as const,
      trigger: 'manual' as const,
      factors: [],
      inputs: {} as never,
      computedAt: new Date(),
    };
    await insertRiskScore(db, score);
    const smsBefore = (await smsc()).filter((m) => m.to.endsWith(phone.slice(1))).length;

    await api.action(c.campaignId, 'launch');
    // Step 0: the SMS, through the message gate and the ledger to the sandbox's SMSC.
    await waitFor(
      'the plan SMS at the SMSC',
      async () => (await smsc()).filter((m) => m.to.endsWith(phone.slice(1)) && m.text.includes('plan test')).length > smsBefore,
      20_000,
    );
    // Step 1: the call, ~2 s later, through the gate and the real Asterisk (the carrier answers busy).
    const call = await waitFor('the plan call ended', async () => (await attempts(h, c.campaignId)).find((a) => a.state === 'ended'), 30_000);
    expect(call.outcome).toBe('busy');
    const sms = await db.query<{ sentAt: Date; planStep: number }>(
      `SELECT queued_at AS "sentAt", plan_step AS "planStep" FROM messages WHERE contact_id = $1 ORDER BY queued_at`,
      [contactId],
    );
    expect(sms.rows.map((r) => r.planStep)).toEqual([0]);
    expect(call.reservedAt.getTime() - sms.rows[0]!.sentAt.getTime()).toBeGreaterThanOrEqual(1_900);

    // The payment arrives through the API before step 2 (due 25 s after the call was queued).
    const { key } = await createApiKey(db, { name: 'plan-e2e', role: 'operator' });
    const paid = await api.app.inject({
      method: 'POST',
      url: '/v1/payments',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ customerId: Number(customerId), amount: '3200.00', paidOn: '2026-12-07', reference: `plan-e2e-${contactId}-${Date.now()}` }),
    });
    expect(paid.statusCode).toBe(201);

    const run = await waitFor(
      'the plan stopped',
      async () => {
        const r = await db.query<{ endReason: string | null; nextStep: number }>(
          `SELECT end_reason AS "endReason", next_step AS "nextStep" FROM contact_plan_runs WHERE contact_id = $1`,
          [contactId],
        );
        return r.rows[0]?.endReason ? r.rows[0] : undefined;
      },
      45_000,
    );
    expect(run).toEqual({ endReason: 'payment', nextStep: 2 });
    // Step 2 never ran: one message, one call.
    expect((await db.query(`SELECT 1 FROM messages WHERE contact_id = $1`, [contactId])).rowCount).toBe(1);
    expect((await attempts(h, c.campaignId)).length).toBe(1);
    // The plan over and its contact settled: the campaign completes.
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 15_000);
  }, 90_000);
});
