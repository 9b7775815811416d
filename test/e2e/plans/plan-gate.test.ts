import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attempts, controlApi, createHarness, num, seedCampaign, startWorker, waitFor, type Harness, type RunningWorker } from '../dialer/dialer-harness.js';
import { startMessaging, type MessagingRuntime } from '../../../src/messaging/messaging.runtime.js';
import { sendMessage } from '../../../src/messaging/messaging.service.js';
import { checkEligibility } from '../../../src/compliance/eligibility.js';
import { startPlanWorker, type PlanWorker } from '../../../src/scheduler/plan.worker.js';
import { planJobId } from '../../../src/scheduler/queues.js';
import { createApiKey } from '../../../src/auth/keys.repo.js';
import { sandboxEnv } from '../../helpers/sandbox-env.js';
import { offsetForHour, zoneAtHour } from '../../helpers/zones.js';

// A contact plan meets the message gate and the opt-out list, through the sandbox's SMSC (SMPP)
// and mailbox (SMTP), with the real dial worker (and its reconciler) beside the plan worker:
// - an inbound 退订 stops the plan and every channel;
// - quiet hours defer a plan's email: the step waits, with its time and reason in PostgreSQL,
//   survives the loss of its Redis job (the reconciler rebuilds it from PostgreSQL) and is sent
//   when the window opens.
// The deferred campaign is launched first (beforeAll) and its email awaited last, so its wait
// runs beside the opt-out case.
const OPT_OUT_PLAN = {
  tiers: {
    medium: {
      steps: [
        { channel: 'sms', afterHours: 0 },
        { channel: 'email', afterHours: 0, afterSeconds: 6 },
        { channel: 'call', afterHours: 0, afterSeconds: 2 },
      ],
    },
  },
  stopOn: ['opt_out'],
  templates: { sms: { 'en-US': { body: 'plan gate: {name}, {amount} is due. Reply TD to opt out.' } } },
};
const QUIET_PLAN = {
  tiers: { medium: { steps: [{ channel: 'email', afterHours: 0 }] } },
  stopOn: ['payment', 'promise', 'opt_out'],
  templates: { email: { 'en-US': { subject: 'plan gate: due soon', body: 'Dear {name}, {amount} is due.' } } },
};

describe('contact plans e2e: opt-out and quiet hours', () => {
  let h: Harness;
  let w: RunningWorker;
  let rt: MessagingRuntime;
  let plans: PlanWorker;
  let api: Awaited<ReturnType<typeof controlApi>>;
  const env = sandboxEnv();
  const tag = Date.now().toString().slice(-6);
  const smsc = async (): Promise<{ to: string; text: string }[]> =>
    (await (await fetch(`${env.SANDBOX_SMPP_CONTROL}/messages`)).json()) as { to: string; text: string }[];
  const mailbox = async (): Promise<{ to: string[]; raw: string }[]> =>
    (await (await fetch(`${env.SANDBOX_SMTP_CONTROL}/messages`)).json()) as { to: string[]; raw: string }[];
  // The deferred campaign: its window opens at the next minute boundary at least 20 s away.
  let quiet: { campaignId: string; contactId: string; email: string; opensAt: Date };

  async function planned(phone: string, plan: object, email: string, o: { zone?: string; policyOverrides?: object } = {}) {
    const c = await seedCampaign(h, { contacts: [{ phone }], policyOverrides: o.policyOverrides });
    const k = c.contacts[0]!;
    await h.tdb.db.query(`UPDATE campaigns SET contact_plan = $2 WHERE id = $1`, [c.campaignId, JSON.stringify(plan)]);
    await h.tdb.db.query(`UPDATE customers SET email = $2, time_zone = COALESCE($3, time_zone) WHERE id = $1`, [k.customerId, email, o.zone ?? null]);
    await api.action(c.campaignId, 'launch');
    return { ...k, campaignId: c.campaignId, email };
  }
  const planRun = async (contactId: string) =>
    (
      await h.tdb.db.query<{ endReason: string | null; nextStep: number; nextStepAt: Date | null; waitReason: string | null; waitDetail: string | null }>(
        `SELECT end_reason AS "endReason", next_step AS "nextStep", next_step_at AS "nextStepAt", wait_reason AS "waitReason", wait_detail AS "waitDetail"
           FROM contact_plan_runs WHERE contact_id = $1`,
        [contactId],
      )
    ).rows[0];

  beforeAll(async () => {
    h = await createHarness();
    w = await startWorker(h);
    api = await controlApi(h);
    rt = startMessaging(h.config, h.tdb.db, h.log);
    await rt.smpp.ready();
    plans = startPlanWorker({ db: h.tdb.db, log: h.log, queues: h.queues, messaging: rt.deps }, { redis: h.redis, prefix: h.config.queuePrefix, log: h.log });
    const minute = 60_000;
    // Far enough for the deferral to be seen and its job lost and rebuilt before it opens.
    const opensAt = new Date(Math.ceil((Date.now() + 10_000) / minute) * minute);
    // A zone where it is now around noon, x hours east of UTC.
    const x = offsetForHour(12);
    const zone = zoneAtHour(12);
    const windowStart = new Date(opensAt.getTime() + x * 3_600_000).toISOString().slice(11, 16);
    const k = await planned(num('01', 44), QUIET_PLAN, `quiet-${tag}@example.test`, { zone, policyOverrides: { windowStart, windowEnd: '24:00' } });
    quiet = { campaignId: k.campaignId, contactId: k.contactId, email: k.email, opensAt };
  });
  afterAll(async () => {
    await plans?.close();
    await rt?.close();
    await api?.app.close();
    await w?.stop();
    await h?.close();
  });

  it("quiet hours defer the plan's email to the window's opening, recorded in PostgreSQL; Redis losing the job, the reconciler rebuilds it due then", async () => {
    const deferred = await waitFor('the step deferred', async () => {
      const r = await planRun(quiet.contactId);
      return r?.waitReason ? r : undefined;
    });
    expect(deferred).toMatchObject({ endReason: null, nextStep: 0, waitReason: 'calling_window', nextStepAt: quiet.opensAt });
    expect(deferred.waitDetail).toMatch(/calls allowed \d\d:\d\d-24:00/);
    // The same through the API, for a viewer.
    const { key } = await createApiKey(h.tdb.db, { name: 'plan-gate-viewer', role: 'viewer' });
    const res = await api.app.inject({ method: 'GET', url: `/v1/campaigns/${quiet.campaignId}/plans`, headers: { authorization: `Bearer ${key}` } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items).toEqual([
      expect.objectContaining({
        contactId: Number(quiet.contactId),
        tier: 'medium',
        nextStep: 0,
        nextStepAt: quiet.opensAt.toISOString(),
        waitReason: 'calling_window',
        endReason: null,
      }),
    ]);
    const id = planJobId(quiet.campaignId, quiet.contactId);
    expect(await h.queues.plan.getJobState(id)).toBe('delayed');

    // Queued, not pending: a launch's expand has nothing left to add for it, only the reconciler can.
    expect((await h.tdb.db.query(`SELECT state FROM campaign_contacts WHERE id = $1`, [quiet.contactId])).rows[0].state).toBe('queued');
    // Redis loses everything of this test's prefix; the worker's reconciler rebuilds the plan job from PostgreSQL.
    const keys = await h.redis.keys(`${h.config.queuePrefix}:*`);
    await h.redis.del(...keys);
    expect(await h.queues.plan.getJob(id)).toBeUndefined();
    // This pass (or a periodic one that started just before it) sees the loss and rebuilds.
    await w.worker.reconciler.runOnce();
    const job = (await h.queues.plan.getJob(id))!;
    expect(await job.getState()).toBe('delayed');
    expect(Math.abs(job.timestamp + (job.opts.delay ?? 0) - quiet.opensAt.getTime())).toBeLessThan(1_000);
    expect(job.data).toEqual({ campaignId: quiet.campaignId, contactId: quiet.contactId });
    expect((await mailbox()).some((m) => m.to.includes(quiet.email))).toBe(false);
  }, 60_000);

  it('an inbound 退订 through the SMSC stops the plan before its email and call, and blocks every channel', async () => {
    // The sandbox's SMSC keeps earlier runs' messages: only what arrives from now on counts.
    const seen = (await smsc()).length;
    const k = await planned(num('01', 45), OPT_OUT_PLAN, `optout-${tag}@example.test`);
    const to = k.phone.slice(1);
    const since = async () => (await smsc()).slice(seen).filter((m) => m.to === to);
    await waitFor('the plan SMS at the SMSC', async () => (await since()).some((m) => m.text.startsWith('plan gate')), 20_000);
    const res = await fetch(`${env.SANDBOX_SMPP_CONTROL}/inbound`, { method: 'POST', body: JSON.stringify({ from: k.phone, to: '95500', text: '退订' }) });
    expect(((await res.json()) as { delivered: number }).delivered).toBeGreaterThan(0);
    await waitFor('the confirmation SMS', async () => (await since()).some((m) => m.text.startsWith('You are unsubscribed')), 20_000);

    const run = await waitFor('the plan stopped', async () => ((await planRun(k.contactId))?.endReason ? planRun(k.contactId) : undefined), 30_000);
    expect(run).toMatchObject({ endReason: 'opt_out', nextStep: 1, nextStepAt: null });
    expect((await mailbox()).some((m) => m.to.includes(k.email))).toBe(false);
    expect(await attempts(h, k.campaignId)).toEqual([]);
    // Every channel, not just the plan: the gate refuses an SMS, an email and a call to this customer.
    const customerId = Number(k.customerId);
    expect(await sendMessage(rt.deps, { customerId, channel: 'sms' })).toMatchObject({ kind: 'block', rule: 'dnc' });
    expect(await sendMessage(rt.deps, { customerId, channel: 'email' })).toMatchObject({ kind: 'block', rule: 'dnc' });
    expect((await checkEligibility(h.tdb.db, { customerId, at: new Date() })).decision).toMatchObject({ kind: 'block', rule: 'dnc' });
  }, 60_000);

  // Runs after the opt-out case, so the deferred step's wait overlaps it.
  it('the deferred email goes when the window opens, and the plan is done', async () => {
    // The window opens: the plan resumes the step, the email reaches the mailbox.
    await waitFor('the email in the mailbox', async () => (await mailbox()).some((m) => m.to.includes(quiet.email)), 100_000);
    const { rows } = await h.tdb.db.query<{ queuedAt: Date; planStep: number }>(
      `SELECT queued_at AS "queuedAt", plan_step AS "planStep" FROM messages WHERE contact_id = $1`,
      [quiet.contactId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.planStep).toBe(0);
    expect(rows[0]!.queuedAt.getTime()).toBeGreaterThanOrEqual(quiet.opensAt.getTime());
    expect(await waitFor('the plan done', async () => ((await planRun(quiet.contactId))?.endReason ? planRun(quiet.contactId) : undefined))).toMatchObject({
      endReason: 'done',
      nextStep: 1,
      waitReason: null,
    });
  }, 150_000);
});
