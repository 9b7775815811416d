import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/api/app.js';
import type { ApiApp } from '../../../src/api/api.types.js';
import { createApiKey } from '../../../src/auth/keys.repo.js';
import type { AriClient } from '../../../src/dialer/ari.client.js';
import { Metrics } from '../../../src/observability/metrics.js';
import { sandboxAri, uniqueApp } from '../../helpers/ari.js';
import { MemoryAgentPool } from '../../helpers/memory-agent-pool.js';
import { campaignState, createHarness, num, seedCampaign, setCampaignState, waitFor, type Harness } from '../dialer/dialer-harness.js';
import { makeRisky, provisionAgents, startBridgeWorker, type BridgeWorker } from './bridge-harness.js';

interface Row {
  id: string;
  phone: string;
  outcome: string | null;
  originatedAt: Date | null;
  agentSoughtAt: Date | null;
  bridgedAt: Date | null;
  endedAt: Date | null;
  liveAnswered: boolean | null;
  abandoned: boolean | null;
}

// The abandon rate through the real Asterisk, SIPp carrier and agent softphone, PostgreSQL and
// Redis, with over-dialling configured (2 lines per available agent) and one agent.
describe('agents e2e: the abandon rate, measured and controlled', () => {
  let h: Harness;
  let w: BridgeWorker;
  let obs: AriClient;
  let app: ApiApp;
  let auth: { authorization: string };
  let unprovision: () => Promise<void> = async () => undefined;
  const pool = new MemoryAgentPool();

  beforeAll(async () => {
    unprovision = await provisionAgents([{ id: 1, user: 'rwt-abandon-1', port: 5281, mode: 'answer' }]);
    // No callback after an abandoned call (the campaign completes); 2 lines per available agent.
    h = await createHarness({ RINGWISE_AGENT_PACING_RATIO: '2', RINGWISE_AGENT_MAX_CALLBACKS: '0', RINGWISE_AGENT_RING_SECONDS: '4' });
    w = await startBridgeWorker(h, pool);
    obs = sandboxAri(uniqueApp('abandon-rate-obs'));
    app = await buildApp({ config: h.config, log: h.log, db: h.tdb.db, readiness: { postgres: () => h.tdb.db.query('SELECT 1') }, metrics: new Metrics() });
    await app.ready();
    auth = { authorization: `Bearer ${(await createApiKey(h.tdb.db, { name: 'abandon-sup', role: 'supervisor', agentId: null })).key}` };
    pool.add({ id: 1, sipUsername: 'rwt-abandon-1', name: 'Agent One' });
  });
  afterAll(async () => {
    await app?.close();
    await w?.stop();
    await obs?.close();
    await h?.close();
    await unprovision();
  });

  /** Earlier calls of the campaign in its 30-day window (another customer, ended two days ago). */
  async function history(campaignId: string, live: number, abandoned: number): Promise<void> {
    const cu = await h.tdb.db.query<{ id: string }>(
      `INSERT INTO customers (external_id, name, phones) VALUES ($1, 'History', ARRAY['+8613999999999']) RETURNING id::text`,
      [`history-${campaignId}`],
    );
    await h.tdb.db.query(
      `INSERT INTO call_attempts (campaign_id, customer_id, attempt_no, phone, state, outcome, connected, answered_at, ended_at, live_answered, abandoned)
       SELECT $1, $2, 1, '+8613999999999', 'ended', CASE WHEN g <= $4 THEN 'abandoned' ELSE 'completed' END, true,
              now() - interval '2 days', now() - interval '2 days', true, g <= $4
         FROM generate_series(1, $3) g`,
      [campaignId, cu.rows[0]!.id, live, abandoned],
    );
  }

  async function rows(campaignId: string): Promise<Row[]> {
    const r = await h.tdb.db.query<Row>(
      `SELECT id, phone, outcome, originated_at AS "originatedAt", agent_sought_at AS "agentSoughtAt", bridged_at AS "bridgedAt",
              ended_at AS "endedAt", live_answered AS "liveAnswered", abandoned
         FROM call_attempts WHERE campaign_id = $1 AND phone <> '+8613999999999' ORDER BY originated_at`,
      [campaignId],
    );
    return r.rows;
  }

  /** The customer on the agent's call hangs up once it is bridged; the agent is free again after wrap-up. */
  async function endBridgedCall(campaignId: string): Promise<void> {
    const bridged = await waitFor('a call bridged to the agent', async () => (await rows(campaignId)).find((r) => r.bridgedAt && !r.endedAt), 60_000);
    await obs.hangup(bridged.id);
    await waitFor('the agent in wrap-up', async () => pool.state(1) === 'wrap_up', 30_000);
    pool.makeAvailable(1);
  }

  const holds = async (campaignId: string) =>
    (
      await h.tdb.db.query<{ reasons: string[]; lowestFactor: number; endedAt: Date | null }>(
        `SELECT reasons, lowest_factor AS "lowestFactor", ended_at AS "endedAt" FROM pacing_holds WHERE campaign_id = $1`,
        [campaignId],
      )
    ).rows;

  it('clear of the target: two lines for one agent; the call that reached the agent within 2 s is not abandoned, the one nobody could take is; stats and metric show the rolling rate', async () => {
    const c = await seedCampaign(h, { contacts: [{ phone: num('01', 1) }, { phone: num('02', 1) }, { phone: num('21', 1) }] });
    await history(c.campaignId, 1000, 0);
    for (const k of c.contacts.slice(0, 2))
      await makeRisky(h, { campaignId: c.campaignId, customerId: k.customerId, name: 'Li Lei', riskScore: 90, threshold: 70 });
    await setCampaignState(h, c.campaignId, 'running');

    await waitFor('the call nobody could take ended', async () => (await rows(c.campaignId)).find((r) => r.outcome === 'abandoned'), 60_000);
    await endBridgedCall(c.campaignId);
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 60_000);

    const all = await rows(c.campaignId);
    const busy = all.find((r) => r.phone === num('21', 1))!;
    expect(busy).toMatchObject({ outcome: 'busy', agentSoughtAt: null, liveAnswered: false, abandoned: false });
    const agentBound = all.filter((r) => r.phone !== num('21', 1));
    const reached = agentBound.find((r) => r.bridgedAt !== null)!;
    const dropped = agentBound.find((r) => r.bridgedAt === null)!;
    expect(reached).toMatchObject({ outcome: 'answered_human', liveAnswered: true, abandoned: false });
    expect(reached.bridgedAt!.getTime() - reached.agentSoughtAt!.getTime()).toBeLessThanOrEqual(2_000);
    expect(dropped).toMatchObject({ outcome: 'abandoned', liveAnswered: true, abandoned: true });
    expect(dropped.agentSoughtAt).not.toBeNull();
    // Over-dialled: the second call was placed while the first was still looking for its agent.
    const [first, second] = agentBound;
    expect(second!.originatedAt!.getTime()).toBeLessThan((first!.bridgedAt ?? first!.endedAt)!.getTime());
    expect(await holds(c.campaignId)).toEqual([]);

    const stats = (await app.inject({ url: `/v1/campaigns/${c.campaignId}/stats`, headers: auth })).json();
    expect(stats.abandonRate).toBeCloseTo(1 / 1002, 12);
    expect(stats.abandonment).toMatchObject({ rate: stats.abandonRate, abandoned: 1, liveAnswered: 1002, windowDays: 30, target: 0.03 });
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(new RegExp(`^ringwise_abandon_rate\\{campaign="${c.campaignId}"\\} 0\\.000998`, 'm'));
    expect(metrics).toContain(`ringwise_abandon_window_calls{campaign="${c.campaignId}",kind="abandoned"} 1`);
    expect(metrics).toContain(`ringwise_abandon_window_calls{campaign="${c.campaignId}",kind="live_answered"} 1002`);
  });

  it('over the target: one line per available agent, each call placed only once the agent is free again, and the pacing hold says why', async () => {
    const c = await seedCampaign(h, { contacts: [{ phone: num('03', 2) }, { phone: num('04', 2) }] });
    await history(c.campaignId, 100, 10);
    for (const k of c.contacts) await makeRisky(h, { campaignId: c.campaignId, customerId: k.customerId, name: 'Han Meimei', riskScore: 90, threshold: 70 });
    await setCampaignState(h, c.campaignId, 'running');

    await endBridgedCall(c.campaignId);
    await waitFor('the second call placed', async () => (await rows(c.campaignId)).length === 2, 60_000);
    await endBridgedCall(c.campaignId);
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 60_000);

    const [first, second] = await rows(c.campaignId);
    // Never two agent-bound lines for the one agent: the second was dialled after the first reached it.
    expect(second!.originatedAt!.getTime()).toBeGreaterThan(first!.bridgedAt!.getTime());
    for (const r of [first!, second!]) expect(r).toMatchObject({ outcome: 'answered_human', liveAnswered: true, abandoned: false });
    const [hold, ...more] = await holds(c.campaignId);
    expect(more).toEqual([]);
    expect(hold).toMatchObject({ reasons: ['abandon_rate'], lowestFactor: 0.5 });

    const stats = (await app.inject({ url: `/v1/campaigns/${c.campaignId}/stats`, headers: auth })).json();
    expect(stats.abandonment).toMatchObject({ abandoned: 10, liveAnswered: 102 });
    expect(stats.pacingHolds.recent[0]).toMatchObject({ reasons: ['abandon_rate'], lowestFactor: 0.5 });
  });
});
