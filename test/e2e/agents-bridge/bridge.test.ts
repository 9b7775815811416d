import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AriClient } from '../../../src/dialer/ari.client.js';
import { sandboxAri, sandboxSh, uniqueApp } from '../../helpers/ari.js';
import { sandboxEnv, slotPort } from '../../helpers/sandbox-env.js';
import { MemoryAgentPool } from '../../helpers/memory-agent-pool.js';
import { attempts, campaignState, createHarness, num, seedCampaign, setCampaignState, waitFor, type Harness } from '../dialer/dialer-harness.js';
import { attemptAgent, makeRisky, provisionAgents, startBridgeWorker, type BridgeWorker } from './bridge-harness.js';

// Real Asterisk, SIPp carrier and SIPp agent softphones, PostgreSQL and Redis; an in-memory pool
// decides which agents are free (real-pool.test.ts runs the same flow on the database-backed pool).
describe('agents e2e: answered calls bridged to live agents', () => {
  let h: Harness;
  let w: BridgeWorker;
  let obs: AriClient;
  let unprovision: () => Promise<void> = async () => undefined;
  const pool = new MemoryAgentPool();

  beforeAll(async () => {
    unprovision = await provisionAgents([
      { id: 1, user: 'rwt-bridge-1', port: 5281, mode: 'answer' },
      { id: 2, user: 'rwt-bridge-2', port: 5282, mode: 'noanswer' },
      { id: 3, user: 'rwt-bridge-3', port: 5283, mode: 'answer' },
    ]);
    h = await createHarness({ RINGWISE_AGENT_RING_SECONDS: '4' });
    w = await startBridgeWorker(h, pool);
    obs = sandboxAri(uniqueApp('bridge-obs'));
  });
  afterAll(async () => {
    await w?.stop();
    await obs?.close();
    await h?.close();
    await unprovision();
  });

  it('a high-risk customer goes to the agent after the greeting: one mixing bridge, caller-id name on the agent leg, recorded; the agent hangs up → both end, wrap-up', async () => {
    pool.add({ id: 1, sipUsername: 'rwt-bridge-1', name: 'Agent One' });
    const c = await seedCampaign(h, { contacts: [{ phone: num('01') }] });
    const { customerId } = c.contacts[0]!;
    await makeRisky(h, { campaignId: c.campaignId, customerId, name: 'Wang Xiaoming', riskScore: 85, threshold: 70 });
    // What the agent's phone receives: Asterisk's SIP log of messages to this softphone only,
    // into a log channel of this test's own (the sandbox's messages.log takes no verbose lines:
    // they name the dialled numbers).
    const channel = `rwt-sip-trace-${process.pid}.log`;
    const sipLog = `${sandboxEnv()['SANDBOX_ASTERISK_LOG_DIR']}/${channel}`;
    await sandboxSh(['rx', `logger add channel ${channel} verbose(3)`]);
    const logFrom = 0;
    await sandboxSh(['rx', `pjsip set logger host 127.0.0.1:${slotPort(5281)}`]);
    await setCampaignState(h, c.campaignId, 'running');

    const attemptId = await waitFor('the attempt', async () => (await attempts(h, c.campaignId))[0]?.id);
    const leg = `${attemptId}-a1`;
    try {
      await waitFor('agent 1 on the call', async () => pool.state(1) === 'on_call', 30_000);
    } finally {
      await sandboxSh(['rx', 'pjsip set logger off']);
      await sandboxSh(['rx', `logger remove channel ${channel}`]);
    }
    const fh = await open(sipLog);
    const { buffer, bytesRead } = await fh.read({ buffer: Buffer.alloc(256 * 1024), position: logFrom });
    await fh.close();
    await rm(sipLog, { force: true });
    const invite = buffer.toString('utf8', 0, bytesRead).split(/INVITE sip:rwt-bridge-1@/)[1] ?? '';
    expect(invite).toMatch(/^From: "Wang Xiaoming 3200CNY 27d" <sip:\+8695500@/m);
    const bridge = await waitFor('a bridge holding both channels', async () =>
      (await obs.listBridges()).find((b) => b.id === `${attemptId}-bridge` && b.channels.length === 2),
    );
    expect(bridge.bridge_type).toBe('mixing');
    expect([...bridge.channels].sort()).toEqual([attemptId, leg].sort());
    const agentChannel = await obs.getChannel(leg);
    expect(agentChannel.name).toMatch(/^PJSIP\/rwt-bridge-1-/);
    expect(agentChannel.caller.name).toBe('Wang Xiaoming 3200CNY 27d');
    // The greeting (first segment) only, no menu, then "connecting you".
    expect(w.plays[0]).toMatchObject({ channelId: attemptId, media: ['sound:hello-world'] });
    expect(w.plays[1]!.media[0]).toMatch(/^sound:\/.+\/[0-9a-f]{64}$/);
    await waitFor('the customer card', async () => pool.published.length > 0);
    expect(pool.published).toEqual([
      {
        agentId: 1,
        event: expect.objectContaining({ type: 'customer_card', attemptId, customerId: Number(customerId), name: 'Wang Xiaoming', riskScore: 85 }),
      },
    ]);

    await sleep(1_500); // some conversation in the recording
    await obs.hangup(leg); // the agent hangs up
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 30_000);
    expect((await obs.listChannels()).map((ch) => ch.id)).not.toContain(attemptId);

    const a = await attemptAgent(h, attemptId);
    expect(a).toMatchObject({ outcome: 'answered_human', agentId: 1, endReason: 'agent_routed', connected: true, digits: '' });
    expect(a.bridgedAt!.getTime()).toBeGreaterThanOrEqual(a.answeredAt!.getTime());
    expect(a.talkMs).toBeGreaterThan(0);
    expect(pool.transitions.filter((t) => t.agentId === 1).map((t) => t.to)).toEqual(['ringing', 'on_call', 'wrap_up']);

    // The recording ended with the bridge and we heard of it (the bridge's events reach our app).
    expect(w.events.some((e) => e.type === 'RecordingFinished' && e.recording?.target_uri === `bridge:${attemptId}-bridge`)).toBe(true);
    const rec = await waitFor(
      'the recording row',
      async () =>
        (
          await h.tdb.db.query<{ fileName: string; bytes: string }>(`SELECT file_name AS "fileName", bytes::text FROM recordings WHERE attempt_id = $1`, [
            attemptId,
          ])
        ).rows[0],
    );
    expect(rec.fileName).toBe(`${attemptId}.wav`);
    const file = await stat(join(h.config.paths.recordingDir, rec.fileName));
    expect(Number(rec.bytes)).toBe(file.size);
    // More than a wav header: audio from both sides was mixed in.
    expect(file.size).toBeGreaterThan(8_000);
  });

  it('digit 1: the first agent does not answer, the next one does; the customer hanging up ends the agent leg', async () => {
    pool.add({ id: 2, sipUsername: 'rwt-bridge-2', name: 'Agent Two' });
    pool.add({ id: 3, sipUsername: 'rwt-bridge-3', name: 'Agent Three' });
    const c = await seedCampaign(h, { contacts: [{ phone: num('11', 1) }] });
    await setCampaignState(h, c.campaignId, 'running');

    const attemptId = await waitFor('the attempt', async () => (await attempts(h, c.campaignId))[0]?.id);
    await waitFor('agent 3 on the call', async () => pool.state(3) === 'on_call', 40_000);
    expect(pool.transitions.filter((t) => t.agentId === 2).map((t) => (t.reason ? `${t.to}:${t.reason}` : t.to))).toEqual(['ringing', 'available:no_answer']);
    const bridge = await waitFor('a bridge holding both channels', async () =>
      (await obs.listBridges()).find((b) => b.id === `${attemptId}-bridge` && b.channels.length === 2),
    );
    expect([...bridge.channels].sort()).toEqual([attemptId, `${attemptId}-a2`].sort());
    expect((await obs.getChannel(`${attemptId}-a2`)).name).toMatch(/^PJSIP\/rwt-bridge-3-/);

    await obs.hangup(attemptId); // the customer's side ends
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 30_000);
    await waitFor('the agent leg gone', async () => !(await obs.listChannels()).some((ch) => ch.id.startsWith(attemptId)));
    expect(await attemptAgent(h, attemptId)).toMatchObject({ outcome: 'answered_human', agentId: 3, digits: '1', endReason: 'agent_requested' });
    // Agent 2 rang for 4 s first: the customer reached a person, but not within 2 s of pressing 1, so the rules count it abandoned.
    const facts = await h.tdb.db.query<{ waitedMs: number; live: boolean; abandoned: boolean }>(
      `SELECT (extract(epoch FROM bridged_at - agent_sought_at) * 1000)::int AS "waitedMs", live_answered AS live, abandoned FROM call_attempts WHERE id = $1`,
      [attemptId],
    );
    expect(facts.rows[0]!.waitedMs).toBeGreaterThan(2_000);
    expect(facts.rows[0]).toMatchObject({ live: true, abandoned: true });
    expect(pool.state(3)).toBe('wrap_up');
    expect(pool.state(2)).toBe('available');
  });

  it('with AMD: a high-risk answering machine never reaches an agent; a high-risk human does, after AMD and the greeting', async () => {
    if (pool.state(1) === undefined) pool.add({ id: 1, sipUsername: 'rwt-bridge-1', name: 'Agent One' });
    else pool.makeAvailable(1); // back from the first test's wrap-up
    const machine = await seedCampaign(h, { amd: true, contacts: [{ phone: num('60', 2) }] });
    await makeRisky(h, { campaignId: machine.campaignId, customerId: machine.contacts[0]!.customerId, name: 'Machine Owner', riskScore: 99, threshold: 10 });
    await setCampaignState(h, machine.campaignId, 'running');
    await waitFor('machine campaign completed', async () => (await campaignState(h, machine.campaignId)) === 'completed', 40_000);
    const [m] = await attempts(h, machine.campaignId);
    expect(m).toMatchObject({ outcome: 'answered_machine', amdStatus: 'MACHINE' });
    expect(pool.transitions.some((t) => t.attemptId === m!.id)).toBe(false);

    const human = await seedCampaign(h, { amd: true, contacts: [{ phone: num('03', 2) }] });
    await makeRisky(h, { campaignId: human.campaignId, customerId: human.contacts[0]!.customerId, name: 'Zhao Liu', riskScore: 99, threshold: 10 });
    await setCampaignState(h, human.campaignId, 'running');
    const attemptId = await waitFor('the attempt', async () => (await attempts(h, human.campaignId))[0]?.id);
    const bridge = await waitFor(
      'a bridge holding both channels',
      async () => (await obs.listBridges()).find((b) => b.id === `${attemptId}-bridge` && b.channels.length === 2),
      40_000,
    );
    await obs.hangup(bridge.channels.find((id) => id !== attemptId)!); // the agent hangs up
    await waitFor('human campaign completed', async () => (await campaignState(h, human.campaignId)) === 'completed', 30_000);
    const [a] = await attempts(h, human.campaignId);
    expect(a).toMatchObject({ outcome: 'answered_human', amdStatus: 'HUMAN', endReason: 'agent_routed' });
    expect((await attemptAgent(h, attemptId)).agentId).toBe(1);
  });
});
