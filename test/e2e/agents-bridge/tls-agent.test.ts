import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentPool, type AgentPool } from '../../../src/agents/agent-pool.js';
import { startPresence, type Presence } from '../../../src/agents/agent.presence.js';
import type { AmiClient } from '../../../src/agents/ami.client.js';
import { createAgentsApi } from '../../../src/agents/agents.runtime.js';
import { buildApp } from '../../../src/api/app.js';
import type { ApiApp } from '../../../src/api/api.types.js';
import { createApiKey } from '../../../src/auth/keys.repo.js';
import type { AriClient } from '../../../src/dialer/ari.client.js';
import { forChannel, recordAri, sandboxAmi, sandboxAri, sandboxSh, uniqueApp, type EventLog } from '../../helpers/ari.js';
import { startBaresip, type Baresip } from '../../helpers/baresip.js';
import { sandboxEnv, slotPort } from '../../helpers/sandbox-env.js';
import { attempts, campaignState, createHarness, num, seedCampaign, setCampaignState, waitFor, type Harness } from '../dialer/dialer-harness.js';
import { attemptAgent, makeRisky, startBridgeWorker, type BridgeWorker } from './bridge-harness.js';

type AriEv = Parameters<Parameters<AriClient['onAny']>[0]>[0];

// Issue 15, finding 14: an agent created with "transport": "tls" reaches Asterisk over SIP-TLS
// with SRTP only. The softphone is baresip (Debian's SIPp has no TLS), registering with the
// credentials the API handed out and trusting the sandbox slot's CA; the customer is the SIPp
// carrier; the bridge is the real dial worker with the database-backed pool.
describe('agents e2e: an agent over SIP-TLS with SRTP (baresip)', () => {
  let h: Harness;
  let app: ApiApp;
  let agentsApi: ReturnType<typeof createAgentsApi>;
  let ami: AmiClient;
  let presence: Presence;
  let obs: AriClient;
  let obsLog: EventLog<AriEv>;
  let pool: AgentPool | undefined;
  let w: BridgeWorker | undefined;
  let phone: Baresip | undefined;
  let sup: { authorization: string };
  const agent = { id: 0, user: `rwt-tls-${randomBytes(3).toString('hex')}`, password: '', auth: { authorization: '' } };
  const env = sandboxEnv();
  const rx = (cmd: string) => sandboxSh(['rx', cmd]);
  const getAgent = async () =>
    (await app.inject({ method: 'GET', url: `/v1/agents/${agent.id}`, headers: sup })).json<{ registered: boolean; routable: boolean }>();

  beforeAll(async () => {
    if (!env['SANDBOX_SIP_TLS'] || !env['SANDBOX_SIP_TLS_CA']) throw new Error('the sandbox has no TLS transport: bash scripts/sandbox.sh up');
    h = await createHarness({ RINGWISE_WRAP_UP_SECONDS: '1' });
    agentsApi = createAgentsApi(h.config, h.tdb.db, h.redis, h.log);
    app = await buildApp({ config: h.config, log: h.log, db: h.tdb.db, readiness: {}, events: h.events, agents: agentsApi.deps });
    sup = { authorization: `Bearer ${(await createApiKey(h.tdb.db, { name: 'e2e-sup', role: 'supervisor' })).key}` };
    ami = sandboxAmi({ eventMask: 'system' });
    obs = sandboxAri(uniqueApp('tls-obs'));
    obsLog = recordAri(obs);
    await Promise.all([ami.connect({ timeoutMs: 10_000 }), obs.connect({ timeoutMs: 10_000 })]);
    presence = startPresence({ db: h.tdb.db, ami, redis: h.redis, prefix: h.config.queuePrefix, log: h.log });

    const r = await app.inject({ method: 'POST', url: '/v1/agents', headers: sup, payload: { name: 'Agent TLS', sipUsername: agent.user, transport: 'tls' } });
    expect(r.statusCode, r.body).toBe(201);
    const b = r.json<{
      agent: { id: number; sipTransport: string };
      sip: { password: string; transport: string; mediaEncryption: string };
      apiKey: { key: string };
    }>();
    expect(b.agent.sipTransport).toBe('tls');
    expect(b.sip).toMatchObject({ transport: 'tls', mediaEncryption: 'srtp' });
    Object.assign(agent, { id: b.agent.id, password: b.sip.password, auth: { authorization: `Bearer ${b.apiKey.key}` } });
  });

  afterAll(async () => {
    await phone?.stop();
    await sandboxSh(['softphone', 'stop', agent.user]).catch(() => undefined);
    await w?.stop();
    pool?.close();
    if (agent.id) {
      await h.tdb.db.query(`UPDATE agents SET state = 'offline', logged_in = false, current_attempt_id = NULL, wrap_up_until = NULL WHERE id = $1`, [agent.id]);
      const d = await app.inject({ method: 'DELETE', url: `/v1/agents/${agent.id}`, headers: sup });
      if (d.statusCode !== 204)
        for (const t of ['endpoint', 'aor', 'auth']) await agentsApi.deps.sip.deleteConfig('res_pjsip', t, agent.user).catch(() => undefined);
    }
    presence?.stop();
    await Promise.allSettled([ami?.close(), obs?.close()]);
    await agentsApi?.close();
    await app?.close();
    await h?.close();
  });

  it('registers over TLS and takes a high-risk call bridged with SRTP media', async () => {
    // What ringwise pushed: the endpoint signals over transport-tls and requires SRTP (SDES).
    const ep = await rx(`pjsip show endpoint ${agent.user}`);
    expect(ep).toMatch(/^\s*transport\s*:\s*transport-tls\s*$/m);
    expect(ep).toMatch(/^\s*media_encryption\s*:\s*sdes\s*$/m);
    expect(ep).toMatch(/^\s*media_encryption_optimistic\s*:\s*false\s*$/m);

    phone = startBaresip({
      user: agent.user,
      password: agent.password,
      server: env['SANDBOX_SIP_TLS']!,
      caFile: env['SANDBOX_SIP_TLS_CA']!,
      localPort: slotPort(5295),
    });
    await waitFor('the agent registered (AMI presence)', async () => (await getAgent()).registered, 30_000);
    // Asterisk keeps the contact as it came: over TLS.
    expect(await rx(`pjsip show aor ${agent.user}`)).toMatch(/^\s*contact\s*:\s*sip:\S+;transport=TLS\s*$/m);
    expect(phone.output()).toMatch(/\{0\/TLS\/v4\} 200 OK/);

    const login = await app.inject({ method: 'POST', url: `/v1/agents/me/login`, headers: agent.auth });
    expect(login.statusCode, login.body).toBe(200);
    expect((await getAgent()).routable).toBe(true);

    pool = createAgentPool({ db: h.tdb.db, redis: h.redis, prefix: h.config.queuePrefix, wrapUpSeconds: h.config.agents.wrapUpSeconds, log: h.log });
    w = await startBridgeWorker(h, pool);
    const c = await seedCampaign(h, { contacts: [{ phone: num('01', 7) }] });
    await makeRisky(h, { campaignId: c.campaignId, customerId: c.contacts[0]!.customerId, name: 'Zhang San', riskScore: 90, threshold: 50 });
    await setCampaignState(h, c.campaignId, 'running');
    const attemptId = await waitFor('the attempt', async () => (await attempts(h, c.campaignId))[0]?.id, 30_000);
    await waitFor(
      'the customer bridged to the agent',
      async () => (await obs.listBridges()).find((b) => b.id === `${attemptId}-bridge` && b.channels.length === 2),
      40_000,
    );

    // The agent's leg: signalling over TLS, audio over SRTP, as Asterisk itself reports it.
    const agentLeg = `${attemptId}-a1`;
    expect(await obs.getChannelVar(agentLeg, 'CHANNEL(pjsip,secure)')).toBe('1');
    expect(await obs.getChannelVar(agentLeg, 'CHANNEL(rtp,secure,audio)')).toBe('1');
    expect((await obs.getChannel(agentLeg)).name).toMatch(new RegExp(`^PJSIP/${agent.user}-`));
    // The phone's side: answered, and media flowing to it (decrypted, so SRTP keys matched).
    await waitFor('baresip receiving audio', async () => /incoming rtp for 'audio' established/.test(phone!.output()), 15_000);
    expect(phone.output()).toMatch(/Call established/);

    await obs.hangup(agentLeg);
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 30_000);
    expect(await attemptAgent(h, attemptId)).toMatchObject({ outcome: 'answered_human', agentId: agent.id });
  });

  it('the same credentials over UDP: Asterisk takes the REGISTER, but the agent is not registered for ringwise and a call to it never reaches the phone', async () => {
    await phone?.stop();
    phone = undefined;
    await waitFor('the TLS registration gone', async () => !(await getAgent()).registered, 30_000);

    // A SIPp softphone (plain UDP, plain RTP, answers every call) with the agent's password.
    await sandboxSh(['softphone', 'start', agent.user, agent.password, String(slotPort(5296)), 'answer'], 40_000);
    const aor = await rx(`pjsip show aor ${agent.user}`);
    expect(aor).toMatch(new RegExp(`^\\s*contact\\s*:\\s*sip:${agent.user}@127\\.0\\.0\\.1:${slotPort(5296)}\\s*$`, 'm'));
    // Presence reads every contact again: the UDP one does not count for a TLS agent.
    await presence.resync();
    expect(await getAgent()).toMatchObject({ registered: false, routable: false });

    // Dialing the endpoint anyway: Asterisk sends to it over TLS only (which the UDP phone
    // cannot take), so the call ends without ever being answered.
    const id = `rwt-tls-probe-${randomBytes(3).toString('hex')}`;
    await obs.originate({ endpoint: `PJSIP/${agent.user}`, app: obs.app, channelId: id, timeout: 5 });
    await obsLog.waitFor(forChannel(id)('ChannelDestroyed'), 45_000, 'the probe call ended');
    const states = obsLog.events.filter((e) => forChannel(id)('ChannelStateChange')(e)).map((e) => (e as { channel: { state: string } }).channel.state);
    expect(states).not.toContain('Up');
    expect(obsLog.events.some(forChannel(id)('StasisStart'))).toBe(false);
  });

  it('a phone over TLS but without SRTP: registered, yet a call to it is refused (488) instead of falling back to plain RTP', async () => {
    await sandboxSh(['softphone', 'stop', agent.user]);
    phone = startBaresip({
      user: agent.user,
      password: agent.password,
      server: env['SANDBOX_SIP_TLS']!,
      caFile: env['SANDBOX_SIP_TLS_CA']!,
      localPort: slotPort(5295),
      mediaenc: 'none',
    });
    await waitFor('the agent registered over TLS', async () => (await getAgent()).registered, 30_000);
    const id = `rwt-tls-plain-${randomBytes(3).toString('hex')}`;
    await obs.originate({ endpoint: `PJSIP/${agent.user}`, app: obs.app, channelId: id, timeout: 5 });
    await obsLog.waitFor(forChannel(id)('ChannelDestroyed'), 45_000, 'the call ended');
    // The offer reached the phone (over TLS) and was SRTP only: it had nothing to answer with.
    await waitFor('baresip refusing the SRTP-only offer', async () => /no common audio codecs - rejected/.test(phone!.output()), 10_000).catch((err: Error) => {
      throw new Error(`${err.message}; baresip said:\n${phone!.output()}`);
    });
    const states = obsLog.events.filter((e) => forChannel(id)('ChannelStateChange')(e)).map((e) => (e as { channel: { state: string } }).channel.state);
    expect(states).not.toContain('Up');
  });

  it('PATCH /v1/agents/:id moves a logged-out agent back to UDP: Asterisk gets a plain endpoint, the TLS registration is forgotten', async () => {
    const busy = await app.inject({ method: 'PATCH', url: `/v1/agents/${agent.id}`, headers: sup, payload: { transport: 'udp' } });
    expect(busy.statusCode, busy.body).toBe(409);
    expect((await app.inject({ method: 'POST', url: '/v1/agents/me/logout', headers: agent.auth })).statusCode).toBe(200);
    const r = await app.inject({ method: 'PATCH', url: `/v1/agents/${agent.id}`, headers: sup, payload: { transport: 'udp' } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ sipTransport: 'udp', registered: false });
    const ep = await rx(`pjsip show endpoint ${agent.user}`);
    expect(ep).toMatch(/^\s*transport\s*:\s*transport-udp\s*$/m);
    expect(ep).toMatch(/^\s*media_encryption\s*:\s*no\s*$/m);
  });
});
