import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AriClient } from '../../../src/dialer/ari.client.js';
import { loadStatsRows, summarizeStats } from '../../../src/campaigns/campaign.stats.js';
import { sandboxAri, uniqueApp } from '../../helpers/ari.js';
import { MemoryAgentPool } from '../../helpers/memory-agent-pool.js';
import { attempts, campaignState, contactStates, createHarness, num, seedCampaign, setCampaignState, waitFor, type Harness } from '../dialer/dialer-harness.js';
import { dialJobId } from '../../../src/scheduler/queues.js';
import { attemptAgent, makeRisky, provisionAgents, startBridgeWorker, type BridgeWorker } from './bridge-harness.js';

// No agent for the customer: the no-agent message and a callback through the compliance gate;
// a customer who gives up waiting. Real Asterisk, SIPp carrier and softphone, PostgreSQL, Redis.
describe('agents e2e: abandoned calls', () => {
  let h: Harness;
  let w: BridgeWorker;
  let obs: AriClient;
  let unprovision: () => Promise<void> = async () => undefined;
  const pool = new MemoryAgentPool();

  beforeAll(async () => {
    unprovision = await provisionAgents([{ id: 4, user: 'rwt-bridge-4', port: 5284, mode: 'noanswer' }]);
    // One callback, soon: the test sees it dialed through the gate and then stop.
    h = await createHarness({ RINGWISE_AGENT_RING_SECONDS: '4', RINGWISE_AGENT_CALLBACK_DELAY_SECONDS: '2', RINGWISE_AGENT_MAX_CALLBACKS: '1' });
    w = await startBridgeWorker(h, pool);
    obs = sandboxAri(uniqueApp('abandon-obs'));
  });
  afterAll(async () => {
    await w?.stop();
    await obs?.close();
    await h?.close();
    await unprovision();
  });

  it('digit 1 with no agent free: the callback message plays to the end, the call is abandoned, and one callback is dialed through the gate', async () => {
    // Not high-risk (those wait for agent capacity before dialing): this customer asks for a person.
    const c = await seedCampaign(h, { contacts: [{ phone: num('11') }] });
    await setCampaignState(h, c.campaignId, 'running');
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 60_000);

    const rows = await attempts(h, c.campaignId);
    expect(rows.map((r) => [r.attemptNo, r.outcome, r.endReason, r.connected])).toEqual([
      [1, 'abandoned', 'agent_requested', true],
      [2, 'abandoned', 'agent_requested', true],
    ]);
    // The callback is a new ledger row, which only the compliance gate creates, after the first call.
    expect(rows[1]!.reservedAt.getTime()).toBeGreaterThan(rows[0]!.endedAt!.getTime());
    expect((await attemptAgent(h, rows[0]!.id)).agentId).toBeNull();
    expect((await contactStates(h, c.campaignId))[num('11')]).toMatchObject({ state: 'completed', lastOutcome: 'abandoned', attempts: 2 });

    // What the customer heard: greeting, "connecting you", then the no-agent message, played to its end by Asterisk.
    const first = rows[0]!.id;
    const plays = w.plays.filter((p) => p.channelId === first);
    expect(plays).toHaveLength(3);
    expect(plays[0]!.media).toEqual(['sound:hello-world', 'sound:vm-intro']);
    expect(plays[2]!.media).toHaveLength(1);
    expect(plays[2]!.media[0]).not.toBe(plays[1]!.media[0]);
    const finished = w.events.findIndex((e) => e.type === 'PlaybackFinished' && e.playback?.id === plays[2]!.playbackId && e.playback?.state === 'done');
    const destroyed = w.events.findIndex((e) => e.type === 'ChannelDestroyed' && e.channel?.id === first);
    expect(finished).toBeGreaterThanOrEqual(0);
    expect(destroyed).toBeGreaterThan(finished);
    expect(w.events.some((e) => e.type === 'StasisStart' && e.channel?.id.startsWith(`${first}-a`))).toBe(false);
    // The second call used up the one callback (RINGWISE_AGENT_MAX_CALLBACKS=1): its no-agent
    // message is the one that promises no callback, only the number to call.
    const secondPlays = w.plays.filter((p) => p.channelId === rows[1]!.id);
    expect(secondPlays).toHaveLength(3);
    expect(secondPlays[1]!.media).toEqual(plays[1]!.media);
    expect(secondPlays[2]!.media).toHaveLength(1);
    expect(secondPlays[2]!.media[0]).not.toBe(plays[2]!.media[0]);

    // The agent key starts the abandon clock: both calls are abandoned as the rules count them.
    const facts = await h.tdb.db.query<{ sought: boolean; live: boolean; abandoned: boolean }>(
      `SELECT agent_sought_at IS NOT NULL AS sought, live_answered AS live, abandoned FROM call_attempts WHERE campaign_id = $1 ORDER BY attempt_no`,
      [c.campaignId],
    );
    expect(facts.rows).toEqual([
      { sought: true, live: true, abandoned: true },
      { sought: true, live: true, abandoned: true },
    ]);
    const stats = summarizeStats(Number(c.campaignId), await loadStatsRows(h.tdb.db, Number(c.campaignId)));
    expect(stats.attempts.byOutcome['abandoned']).toBe(2);
    expect(stats.abandonRate).toBe(1);
    expect(stats.abandonment).toMatchObject({ abandoned: 2, liveAnswered: 2 });
  });

  it('high risk waits for agent capacity before dialing; a customer who hangs up while the agent rings is abandoned, the agent released, the leg cancelled', async () => {
    // A short greeting: the carrier's 70 hangs up ~1.8 s after answering, while the agent rings (4 s).
    const prompt = {
      'en-US': {
        segments: [
          { type: 'sound', name: 'beep' },
          { type: 'sound', name: 'vm-intro' },
        ],
      },
    };
    const c = await seedCampaign(h, { contacts: [{ phone: num('70') }], prompt });
    const { contactId } = c.contacts[0]!;
    await makeRisky(h, { campaignId: c.campaignId, customerId: c.contacts[0]!.customerId, name: 'Han Meimei', riskScore: 75, threshold: 75 });
    await setCampaignState(h, c.campaignId, 'running');

    // No agent available: the worker took the job and put it back delayed, without dialing.
    const job = await waitFor('the dial job put back delayed by the worker', async () => {
      const j = await h.queues.dial.getJob(dialJobId(c.campaignId, contactId, 1));
      return j && j.processedOn && (await j.getState()) === 'delayed' ? j : undefined;
    });
    expect(job.id).toBe(dialJobId(c.campaignId, contactId, 1));
    expect(await attempts(h, c.campaignId)).toEqual([]);

    pool.add({ id: 4, sipUsername: 'rwt-bridge-4', name: 'Agent Four' });
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 60_000);

    const rows = await attempts(h, c.campaignId);
    expect(rows[0]).toMatchObject({ attemptNo: 1, outcome: 'abandoned', endReason: 'agent_routed', connected: true });
    const first = rows[0]!.id;
    expect(pool.transitions.find((t) => t.attemptId === first && t.to === 'available')).toMatchObject({ agentId: 4, from: 'ringing', reason: 'customer_gone' });
    // The agent's leg was rung and then cancelled, never answered.
    expect(w.events.some((e) => e.type === 'ChannelDestroyed' && e.channel?.id === `${first}-a1`)).toBe(true);
    expect(w.events.some((e) => e.type === 'StasisStart' && e.channel?.id === `${first}-a1`)).toBe(false);
    expect((await obs.listChannels()).some((ch) => ch.id.startsWith(first))).toBe(false);
    expect(pool.state(4)).toBe('available');
  });
});
