import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sipMd5 } from '../../../src/agents/agent.provision.js';
import { sandboxEnv, slotPort } from '../../helpers/sandbox-env.js';
import { makeRisky } from '../agents-bridge/bridge-harness.js';
import { attempts, campaignState, createHarness, num, seedCampaign, setCampaignState, waitFor, type Harness } from '../dialer/dialer-harness.js';
import { httpGet, sandboxShEnv, startWorkerProcess, twoServers, type WorkerProcess } from './worker-process.js';

// Agents across servers (README, "Agents across servers"): the agent's softphone registers to
// server 2; a high-risk customer's call is placed on server 1; the agent leg goes from server 1
// through the inter-server PJSIP trunk (ringwise-peer-asterisk-2) and server 2 rings the agent.
describe('e2e: a high-risk call on one Asterisk reaches an agent registered on the other', () => {
  let h: Harness;
  let w: WorkerProcess | undefined;
  const env = sandboxEnv();
  const user = `rwt-x-${randomBytes(3).toString('hex')}`;
  const password = randomBytes(9).toString('hex');
  const server2 = { RINGWISE_SANDBOX_SERVER: '2' };
  let agentId = 0;

  const channels = async (url: string) => {
    const res = await fetch(`${url}/ari/channels`, {
      headers: { authorization: `Basic ${Buffer.from(`${env['ARI_USER']}:${env['ARI_PASSWORD']}`).toString('base64')}` },
    });
    return (await res.json()) as Array<{ id: string; name: string; state: string }>;
  };

  beforeAll(async () => {
    h = await createHarness({ RINGWISE_ASTERISK_SERVERS: twoServers(env), RINGWISE_AGENT_WAIT_SECONDS: '20' });
    const r = await h.tdb.db.query<{ id: string }>(
      `INSERT INTO agents (name, sip_username, sip_md5, sip_realm, state, logged_in) VALUES ('Agent Far', $1, $2, 'ringwise', 'available', true) RETURNING id`,
      [user, sipMd5(user, 'ringwise', password)],
    );
    agentId = Number(r.rows[0]!.id);
  });
  afterAll(async () => {
    w?.child.kill('SIGKILL');
    await sandboxShEnv(['softphone', 'stop', user], server2).catch(() => undefined);
    await h?.close();
  });

  it('the customer is on asterisk-1, the agent answers on asterisk-2, the ledger names both', async () => {
    // The worker pushes every agent to both servers at connect, so the phone may register to either.
    w = await startWorkerProcess(h, 1);
    await waitFor('worker ready', async () => (await httpGet(w!.port, '/readyz')).status === 200, 30_000);
    await sandboxShEnv(['softphone', 'start', user, password, String(slotPort(5291) + 500), 'answer'], server2, 60_000);
    // Presence from server 2's AMI: registered there, and only there.
    await waitFor(
      'the agent registered on asterisk-2',
      async () => {
        const q = await h.tdb.db.query<{ registered: boolean; server: string | null }>(
          `SELECT registered, registered_server AS server FROM agents WHERE id = $1`,
          [agentId],
        );
        return q.rows[0]?.registered && q.rows[0].server === 'asterisk-2';
      },
      30_000,
    );

    // Idle servers tie on free capacity: the first listed (asterisk-1) takes the customer.
    const c = await seedCampaign(h, { contacts: [{ phone: num('01', 60) }] });
    await makeRisky(h, { campaignId: c.campaignId, customerId: c.contacts[0]!.customerId, name: 'Wang Xiaoming', riskScore: 90, threshold: 50 });
    await setCampaignState(h, c.campaignId, 'running');
    const attemptId = await waitFor('the attempt', async () => (await attempts(h, c.campaignId))[0]?.id);
    await waitFor(
      'the agent on the call',
      async () => {
        const q = await h.tdb.db.query<{ state: string; attempt: string | null }>(
          `SELECT state, current_attempt_id::text AS attempt FROM agents WHERE id = $1`,
          [agentId],
        );
        return q.rows[0]?.state === 'on_call' && q.rows[0].attempt === attemptId;
      },
      45_000,
    );

    // Server 1 has the customer and the agent leg, which goes out over the trunk to server 2 ...
    const on1 = await channels(env['ARI_URL']!);
    expect(on1.find((ch) => ch.id === attemptId)?.state).toBe('Up');
    const leg = on1.find((ch) => ch.id === `${attemptId}-a1`);
    expect(leg?.name).toMatch(/^PJSIP\/ringwise-peer-asterisk-2-/);
    expect(leg?.state).toBe('Up');
    // ... where the agent's own phone is up on the call; server 2 has no customer channel.
    const on2 = await channels(env['ASTERISK_2_ARI_URL']!);
    expect(on2.some((ch) => ch.name.startsWith(`PJSIP/${user}-`) && ch.state === 'Up')).toBe(true);
    expect(on2.some((ch) => ch.id === attemptId)).toBe(false);

    // The agent hangs up (through server 1, where the leg is ours): the call ends normally.
    const auth = `Basic ${Buffer.from(`${env['ARI_USER']}:${env['ARI_PASSWORD']}`).toString('base64')}`;
    await fetch(`${env['ARI_URL']}/ari/channels/${attemptId}-a1`, { method: 'DELETE', headers: { authorization: auth } });
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 45_000);
    const row = await h.tdb.db.query<{ outcome: string; agentId: string | null; server: string; bridgedAt: Date | null }>(
      `SELECT outcome, agent_id::text AS "agentId", asterisk_server AS server, bridged_at AS "bridgedAt" FROM call_attempts WHERE id = $1`,
      [attemptId],
    );
    expect(row.rows[0]).toMatchObject({ outcome: 'answered_human', agentId: String(agentId), server: 'asterisk-1' });
    expect(row.rows[0]!.bridgedAt).not.toBeNull();
    await w.stop();
  });
});
