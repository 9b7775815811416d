import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attempts, campaignState, createHarness, num, seedCampaign, waitFor, type Harness, type SeededCampaign } from '../dialer/dialer-harness.js';
import { provisionAgents, startBridgeWorker, type BridgeWorker } from '../agents-bridge/bridge-harness.js';
import { createAgentPool, type AgentPool } from '../../../src/agents/agent-pool.js';
import type { AriClient } from '../../../src/dialer/ari.client.js';
import { buildApp } from '../../../src/api/app.js';
import type { ApiApp } from '../../../src/api/api.types.js';
import { createApiKey } from '../../../src/auth/keys.repo.js';
import { startMessaging, type MessagingRuntime } from '../../../src/messaging/messaging.runtime.js';
import { startPlanWorker, type PlanWorker } from '../../../src/scheduler/plan.worker.js';
import { insertRiskScore } from '../../../src/risk/risk.repo.js';
import type { RiskTier } from '../../../src/risk/scorecard.js';
import { sandboxAri, uniqueApp } from '../../helpers/ari.js';
import { sandboxEnv } from '../../helpers/sandbox-env.js';

// Contact plans through the real sandbox: SMS over SMPP to the sandbox's SMSC, email over SMTP
// to its mailbox, calls through the real Asterisk to the SIPp carrier, and the agent call
// bridged to an agent's SIPp softphone. Spacing in seconds (afterSeconds). One harness, one
// dial worker, one agent and one plan worker serve every case; each case is its own campaign.
const HIGH = {
  tiers: {
    high: {
      steps: [
        { channel: 'sms', afterHours: 0 },
        { channel: 'call', afterHours: 0, afterSeconds: 1 },
        { channel: 'agent_call', afterHours: 0, afterSeconds: 1 },
        { channel: 'email', afterHours: 0, afterSeconds: 8 },
      ],
    },
    // A customer who already spoke with the bank: straight to an agent, an SMS to follow up.
    medium: {
      steps: [
        { channel: 'agent_call', afterHours: 0 },
        { channel: 'sms', afterHours: 0, afterSeconds: 8 },
      ],
    },
    // An automated call first; the SMS after it only if no promise was made.
    low: {
      steps: [
        { channel: 'call', afterHours: 0 },
        { channel: 'sms', afterHours: 0, afterSeconds: 8 },
      ],
    },
  },
  stopOn: ['payment', 'promise', 'opt_out'],
  templates: {
    sms: { 'en-US': { body: 'plan e2e: {name}, {amount} is due.' } },
    email: { 'en-US': { subject: 'plan e2e reminder', body: 'Dear {name}, {amount} is due.' } },
  },
};

interface RunView {
  endReason: string | null;
  nextStep: number;
  waitReason: string | null;
}

describe('contact plans e2e: SMS → call → agent call, stopped by a payment or a promise', () => {
  let h: Harness;
  let w: BridgeWorker<AgentPool>;
  let pool: AgentPool;
  let obs: AriClient;
  let rt: MessagingRuntime;
  let plans: PlanWorker;
  let app: ApiApp;
  let agentId: number;
  let operatorKey: string;
  let agentKey: string;
  let unprovision: () => Promise<void> = async () => undefined;
  const env = sandboxEnv();
  const tag = Date.now().toString().slice(-6);
  const smsc = async (): Promise<{ to: string; text: string }[]> =>
    (await (await fetch(`${env.SANDBOX_SMPP_CONTROL}/messages`)).json()) as { to: string; text: string }[];
  const mailbox = async (): Promise<{ to: string[]; raw: string }[]> =>
    (await (await fetch(`${env.SANDBOX_SMTP_CONTROL}/messages`)).json()) as { to: string[]; raw: string }[];

  beforeAll(async () => {
    unprovision = await provisionAgents([{ id: 7, user: 'rwt-plan-7', port: 5297, mode: 'answer' }]);
    h = await createHarness({ RINGWISE_WRAP_UP_SECONDS: '1' });
    const r = await h.tdb.db.query<{ id: number }>(
      `INSERT INTO agents (name, sip_username, sip_md5, sip_realm, state, logged_in, registered, registered_at)
       VALUES ('Agent Seven', 'rwt-plan-7', $1, 'ringwise', 'available', true, true, now()) RETURNING id`,
      [createHash('md5').update('unused').digest('hex')],
    );
    agentId = Number(r.rows[0]!.id);
    pool = createAgentPool({ db: h.tdb.db, redis: h.redis, prefix: h.config.queuePrefix, wrapUpSeconds: h.config.agents.wrapUpSeconds, log: h.log });
    w = await startBridgeWorker(h, pool);
    obs = sandboxAri(uniqueApp('plan-obs'));
    app = await buildApp({ config: h.config, log: h.log, db: h.tdb.db, readiness: {}, events: h.events });
    await app.ready();
    operatorKey = (await createApiKey(h.tdb.db, { name: 'plan-e2e-operator', role: 'operator' })).key;
    agentKey = (await createApiKey(h.tdb.db, { name: 'plan-e2e-agent', role: 'agent', agentId })).key;
    rt = startMessaging(h.config, h.tdb.db, h.log);
    await rt.smpp.ready();
    plans = startPlanWorker(
      { db: h.tdb.db, log: h.log, queues: h.queues, messaging: rt.deps, scorecard: h.config.risk.scorecard },
      { redis: h.redis, prefix: h.config.queuePrefix, log: h.log },
    );
  });
  afterAll(async () => {
    await plans?.close();
    await rt?.close();
    await app?.close();
    await w?.stop();
    pool?.close();
    await obs?.close();
    await h?.close();
    await unprovision();
  });

  const post = (url: string, key: string, body: unknown) =>
    app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });

  /** A planned campaign of one customer in `tier` (a scorecard score), with an email address, launched through the API. */
  /** `imported`: the tier comes from the contact's imported score, which the plan scores when it starts. */
  async function launchPlanned(
    phone: string,
    tier: RiskTier,
    o: { imported?: boolean } = {},
  ): Promise<SeededCampaign['contacts'][number] & { campaignId: string; email: string }> {
    const c = await seedCampaign(h, { contacts: [{ phone }], retryPolicy: { busy: { delaySeconds: 600, maxRetries: 0 } } });
    const db = h.tdb.db;
    const contact = c.contacts[0]!;
    const email = `plan-${tier}-${tag}@example.test`;
    await db.query(`UPDATE campaigns SET contact_plan = $2 WHERE id = $1`, [c.campaignId, JSON.stringify(HIGH)]);
    await db.query(`UPDATE customers SET email = $2 WHERE id = $1`, [contact.customerId, email]);
    const score = { high: 85, medium: 55, low: 20 }[tier];
    if (o.imported) await db.query(`UPDATE customers SET risk_score = $2 WHERE id = $1`, [contact.customerId, score]);
    else
      await insertRiskScore(db, {
        customerId: Number(contact.customerId),
        scorecardVersion: 'test',
        source: 'scorecard',
        score,
        tier,
        computedScore: score,
        computedTier: tier,
        trigger: 'manual',
        factors: [],
        inputs: {} as never,
        computedAt: new Date(),
      });
    const res = await post(`/v1/campaigns/${c.campaignId}/launch`, operatorKey, {});
    expect(res.statusCode, res.body).toBe(200);
    return { ...contact, campaignId: c.campaignId, email };
  }

  const planRun = async (contactId: string): Promise<RunView | undefined> =>
    (
      await h.tdb.db.query<RunView>(
        `SELECT end_reason AS "endReason", next_step AS "nextStep", wait_reason AS "waitReason" FROM contact_plan_runs WHERE contact_id = $1`,
        [contactId],
      )
    ).rows[0];
  const ended = (contactId: string) =>
    waitFor(
      'the plan ended',
      async () => {
        const r = await planRun(contactId);
        return r?.endReason ? r : undefined;
      },
      60_000,
    );
  const messagesOf = async (contactId: string) =>
    (
      await h.tdb.db.query<{ channel: string; planStep: number; queuedAt: Date }>(
        `SELECT channel, plan_step AS "planStep", queued_at AS "queuedAt" FROM messages WHERE contact_id = $1 ORDER BY queued_at`,
        [contactId],
      )
    ).rows;
  const bridged = (attemptId: string) =>
    waitFor(
      'a bridge holding the customer and the agent',
      async () => (await obs.listBridges()).find((b) => b.id === `${attemptId}-bridge` && b.channels.length === 2),
      40_000,
    );

  it('high risk: SMS, an automated call, then an agent call once that call is over; a payment during the agent call stops the plan before its email', async () => {
    const k = await launchPlanned(num('01', 41), 'high');
    // Step 0: the SMS at the SMSC.
    await waitFor('the plan SMS at the SMSC', async () => (await smsc()).some((m) => m.to.endsWith(k.phone.slice(1)) && m.text.includes('plan e2e')), 20_000);
    // Step 1: the automated call (no agent: the campaign has no risk threshold): prompt, menu, no key, hung up.
    const first = await waitFor(
      'the automated call ended',
      async () => (await attempts(h, k.campaignId)).find((a) => a.attemptNo === 1 && a.state === 'ended'),
      40_000,
    );
    expect(first.outcome).toBe('completed');
    // Step 2: the agent call, only after the first call ended; answered, the greeting, then the agent.
    const second = await waitFor('the agent call', async () => (await attempts(h, k.campaignId)).find((a) => a.attemptNo === 2));
    await bridged(second.id);
    expect(second.reservedAt.getTime()).toBeGreaterThan(first.endedAt!.getTime());
    expect((await planRun(k.contactId))?.waitReason).toBe('call_in_progress');

    // The customer pays while talking to the agent (the payments feed, through the API).
    const paid = await post('/v1/payments', operatorKey, {
      customerId: Number(k.customerId),
      amount: '3200.00',
      paidOn: new Date().toISOString().slice(0, 10),
      reference: `plan-e2e-${k.contactId}-${tag}`,
    });
    expect(paid.statusCode, paid.body).toBe(201);
    // The plan stops at once, the agent call still up; the email (step 3) is never taken.
    expect(await ended(k.contactId)).toMatchObject({ endReason: 'payment', nextStep: 3 });
    await obs.hangup(`${second.id}-a1`); // the agent hangs up
    await waitFor('campaign completed', async () => (await campaignState(h, k.campaignId)) === 'completed', 30_000);

    const [a1, a2] = await attempts(h, k.campaignId);
    expect(a2).toMatchObject({ outcome: 'answered_human', endReason: 'agent_routed' });
    expect((await h.tdb.db.query(`SELECT agent_id::int AS "agentId" FROM call_attempts WHERE id = $1`, [a2!.id])).rows[0].agentId).toBe(agentId);
    const msgs = await messagesOf(k.contactId);
    expect(msgs.map((m) => [m.channel, m.planStep])).toEqual([['sms', 0]]);
    expect(a1!.reservedAt.getTime()).toBeGreaterThan(msgs[0]!.queuedAt.getTime());
    expect((await mailbox()).some((m) => m.to.includes(k.email))).toBe(false);
    expect(await attempts(h, k.campaignId)).toHaveLength(2);
  }, 150_000);

  it('a promise the agent records during the agent call stops the plan before its follow-up SMS', async () => {
    await waitFor('the agent available again', async () => (await pool.availableCount()) > 0, 20_000);
    const k = await launchPlanned(num('02', 42), 'medium');
    const call = await waitFor('the agent call', async () => (await attempts(h, k.campaignId))[0]);
    await bridged(call.id);
    const promised = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const d = await post(`/v1/calls/${call.id}/disposition`, agentKey, { kind: 'promise_to_pay', amount: '1000.00', date: promised });
    expect(d.statusCode, d.body).toBe(201);
    expect(await ended(k.contactId)).toMatchObject({ endReason: 'promise', nextStep: 1 });
    await obs.hangup(`${call.id}-a1`);
    await waitFor('campaign completed', async () => (await campaignState(h, k.campaignId)) === 'completed', 30_000);
    expect(await messagesOf(k.contactId)).toEqual([]);
  }, 90_000);

  it('a promise pressed in the automated call (key 2) stops the plan before its SMS', async () => {
    // Never scored: the plan scores the customer when it starts; the imported score (20: low) wins, recorded as such.
    const k = await launchPlanned(num('12', 43), 'low', { imported: true });
    expect(await ended(k.contactId)).toMatchObject({ endReason: 'promise', nextStep: 1 });
    const scores = await h.tdb.db.query(`SELECT source, score, tier, trigger FROM risk_scores WHERE customer_id = $1`, [k.customerId]);
    expect(scores.rows[0]).toEqual({ source: 'imported', score: 20, tier: 'low', trigger: 'plan' });
    expect((await h.tdb.db.query(`SELECT tier FROM contact_plan_runs WHERE contact_id = $1`, [k.contactId])).rows[0].tier).toBe('low');
    const [a] = await attempts(h, k.campaignId);
    expect(a).toMatchObject({ digits: '2', endReason: 'promise_to_pay' });
    await waitFor('campaign completed', async () => (await campaignState(h, k.campaignId)) === 'completed', 30_000);
    expect(await messagesOf(k.contactId)).toEqual([]);
  }, 60_000);
});
