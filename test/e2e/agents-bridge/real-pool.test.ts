import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentPool, type AgentPool } from '../../../src/agents/agent-pool.js';
import { agentEventsChannel } from '../../../src/agents/agent.service.js';
import { listRecordings } from '../../../src/agents/recordings.repo.js';
import type { AriClient } from '../../../src/dialer/ari.client.js';
import { sandboxAri, uniqueApp } from '../../helpers/ari.js';
import { buildApp } from '../../../src/api/app.js';
import { createApiKey } from '../../../src/auth/keys.repo.js';
import { attempts, campaignState, contactStates, createHarness, num, seedCampaign, setCampaignState, waitFor, type Harness } from '../dialer/dialer-harness.js';
import { attemptAgent, makeRisky, provisionAgents, startBridgeWorker, type BridgeWorker } from './bridge-harness.js';

// The same bridge on the database-backed AgentPool (part A): the agent's state as its SSE
// stream sees it (Redis pub/sub) goes ringing → on_call → wrap_up → available.
describe('agents e2e: bridging with the real agent pool', () => {
  let h: Harness;
  let w: BridgeWorker;
  let obs: AriClient;
  let pool: AgentPool;
  let sub: Redis;
  let agentId: number;
  const events: Array<{ type: string; state?: string; attemptId?: string }> = [];
  let unprovision: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    unprovision = await provisionAgents([{ id: 5, user: 'rwt-bridge-5', port: 5285, mode: 'answer' }]);
    h = await createHarness({ RINGWISE_WRAP_UP_SECONDS: '1' });
    const r = await h.tdb.db.query<{ id: number }>(
      `INSERT INTO agents (name, sip_username, sip_md5, sip_realm, state, logged_in, registered, registered_at)
       VALUES ('Agent Five', 'rwt-bridge-5', $1, 'ringwise', 'available', true, true, now()) RETURNING id`,
      [createHash('md5').update('unused').digest('hex')],
    );
    agentId = Number(r.rows[0]!.id);
    sub = new Redis(h.config.redisUrl);
    await sub.subscribe(agentEventsChannel(h.config.queuePrefix, agentId));
    sub.on('message', (_ch, msg: string) => events.push(JSON.parse(msg) as (typeof events)[number]));
    pool = createAgentPool({ db: h.tdb.db, redis: h.redis, prefix: h.config.queuePrefix, wrapUpSeconds: h.config.agents.wrapUpSeconds, log: h.log });
    w = await startBridgeWorker(h, pool);
    obs = sandboxAri(uniqueApp('pool-obs'));
  });
  afterAll(async () => {
    await w?.stop();
    pool?.close();
    await sub?.quit();
    await obs?.close();
    await h?.close();
    await unprovision();
  });

  it('digit 1 → the longest-idle agent rings, talks, wraps up; ledger and recording row point at the agent', async () => {
    const c = await seedCampaign(h, { contacts: [{ phone: num('11', 3) }] });
    await setCampaignState(h, c.campaignId, 'running');
    const attemptId = await waitFor('the attempt', async () => (await attempts(h, c.campaignId))[0]?.id);
    await waitFor(
      'a bridge holding both channels',
      async () => (await obs.listBridges()).find((b) => b.id === `${attemptId}-bridge` && b.channels.length === 2),
      30_000,
    );
    // The pool hears of the answer just after the bridge is made.
    const row = await waitFor('the agent on the call in the database', async () => {
      const r = await h.tdb.db.query<{ state: string; attempt: string }>(`SELECT state, current_attempt_id::text AS attempt FROM agents WHERE id = $1`, [
        agentId,
      ]);
      return r.rows[0]?.state === 'on_call' ? r.rows[0] : undefined;
    });
    expect(row.attempt).toBe(attemptId);

    // Some conversation reaches the recording before the agent hangs up.
    const file = join(h.config.paths.recordingDir, `${attemptId}.wav`);
    await waitFor('audio in the recording', async () => ((await stat(file).catch(() => null))?.size ?? 0) > 1_000);
    await obs.hangup(`${attemptId}-a1`); // the agent hangs up
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 30_000);
    await waitFor('the agent available again after wrap-up', async () => events.some((e) => e.type === 'state' && e.state === 'available'), 15_000);

    const states = events.filter((e) => e.type === 'state').map((e) => e.state);
    expect(states).toEqual(['ringing', 'on_call', 'wrap_up', 'available']);
    expect(events.find((e) => e.type === 'customer_card')).toMatchObject({
      attemptId,
      name: 'Test Customer',
      amountDue: '3200.00',
      currency: 'CNY',
      daysPastDue: 27,
    });
    expect(await attemptAgent(h, attemptId)).toMatchObject({ outcome: 'answered_human', agentId, digits: '1' });
    const recs = await waitFor('the recording row', async () => {
      const list = await listRecordings(h.tdb.db, { attemptId, limit: 10 });
      return list.length > 0 ? list : undefined;
    });
    expect(recs[0]).toMatchObject({ attemptId, agentId, fileName: `${attemptId}.wav` });
    expect(Number(recs[0]!.bytes)).toBe((await stat(file)).size);
    expect(Number(recs[0]!.bytes)).toBeGreaterThan(1_000);
  });

  it("the agent's callback disposition dials the customer again at that time, through the gate; the completed campaign runs until then", async () => {
    const c = await seedCampaign(h, { contacts: [{ phone: num('11', 6) }] });
    await setCampaignState(h, c.campaignId, 'running');
    const first = await waitFor('the attempt', async () => (await attempts(h, c.campaignId))[0]?.id);
    await waitFor('bridged', async () => (await obs.listBridges()).find((b) => b.id === `${first}-bridge` && b.channels.length === 2), 30_000);
    await obs.hangup(`${first}-a1`);
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 30_000);

    const app = await buildApp({ config: h.config, log: h.log, db: h.tdb.db, readiness: {}, events: h.events });
    try {
      const { key } = await createApiKey(h.tdb.db, { name: 'e2e-agent-5', role: 'agent', agentId });
      // Far enough ahead that a loaded machine still posts it before it passes (seen: 4 s was
      // already in the past at load 32), near enough to keep the test short.
      const callbackAt = new Date(Date.now() + 10_000);
      const res = await app.inject({
        method: 'POST',
        url: `/v1/calls/${first}/disposition`,
        headers: { authorization: `Bearer ${key}` },
        payload: { kind: 'callback', callbackAt: callbackAt.toISOString(), note: 'after payday' },
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ kind: 'callback', callbackQueued: true });
      expect(await campaignState(h, c.campaignId)).toBe('running');
      expect((await contactStates(h, c.campaignId))[c.contacts[0]!.phone]).toMatchObject({ state: 'queued' });

      // Attempt 2 is placed at the callback time (not before), answered, and taken by the agent again.
      const second = await waitFor(
        'the callback attempt',
        async () => (await attempts(h, c.campaignId)).find((a) => a.attemptNo === 2 && a.originatedAt),
        30_000,
      );
      expect(second.originatedAt!.getTime()).toBeGreaterThanOrEqual(callbackAt.getTime() - 50);
      await waitFor(
        'the callback bridged',
        async () => (await obs.listBridges()).find((b) => b.id === `${second.id}-bridge` && b.channels.length === 2),
        30_000,
      );
      await obs.hangup(`${second.id}-a1`);
      await waitFor('campaign completed again', async () => (await campaignState(h, c.campaignId)) === 'completed', 30_000);
      expect((await attempts(h, c.campaignId)).map((a) => [a.attemptNo, a.outcome])).toEqual([
        [1, 'answered_human'],
        [2, 'answered_human'],
      ]);
      // A second disposition for the same call changes nothing.
      const again = await app.inject({
        method: 'POST',
        url: `/v1/calls/${first}/disposition`,
        headers: { authorization: `Bearer ${key}` },
        payload: { kind: 'callback', callbackAt: new Date(Date.now() + 60_000).toISOString() },
      });
      expect(again.statusCode).toBe(409);
    } finally {
      await app.close();
    }
  });

  it('progressive pacing: with one agent, the second high-risk customer is dialed only after the first call has ended', async () => {
    const c = await seedCampaign(h, { contacts: [{ phone: num('01', 4) }, { phone: num('02', 4) }] });
    for (const k of c.contacts) await makeRisky(h, { campaignId: c.campaignId, customerId: k.customerId, name: 'Zhang San', riskScore: 90, threshold: 50 });
    await setCampaignState(h, c.campaignId, 'running');
    // Each call: wait for the agent to be bridged, then the agent hangs up.
    const done = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const bridge = await waitFor(
        'the next call bridged',
        async () => (await obs.listBridges()).find((b) => b.id.endsWith('-bridge') && b.channels.length === 2 && !done.has(b.id)),
        40_000,
      );
      done.add(bridge.id);
      await obs.hangup(`${bridge.id.slice(0, -'-bridge'.length)}-a1`);
    }
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 30_000);

    const rows = (await attempts(h, c.campaignId)).sort((a, b) => a.originatedAt!.getTime() - b.originatedAt!.getTime());
    expect(rows.map((r) => r.outcome)).toEqual(['answered_human', 'answered_human']);
    for (const r of rows) expect((await attemptAgent(h, r.id)).agentId).toBe(agentId);
    // Never a high-risk call without an agent to take it: the second waited for the first to end.
    expect(rows[1]!.originatedAt!.getTime()).toBeGreaterThan(rows[0]!.endedAt!.getTime());
  });
});
