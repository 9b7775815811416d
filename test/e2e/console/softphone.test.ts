import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentEventHub } from '../../../src/agents/agent.events-hub.js';
import { createAgentPool, type AgentPool } from '../../../src/agents/agent-pool.js';
import { startPresence, type Presence } from '../../../src/agents/agent.presence.js';
import type { AmiClient } from '../../../src/agents/ami.client.js';
import { buildApp } from '../../../src/api/app.js';
import type { ApiApp } from '../../../src/api/api.types.js';
import { createApiKey } from '../../../src/auth/keys.repo.js';
import type { Role } from '../../../src/auth/roles.js';
import { createAriHttp } from '../../../src/dialer/ari.http.js';
import { createAriRest } from '../../../src/dialer/ari.rest.js';
import type { AriClient } from '../../../src/dialer/ari.client.js';
import { sandboxAmi, sandboxAri, uniqueApp } from '../../helpers/ari.js';
import { ROOT } from '../../helpers/sandbox-env.js';
import { startBridgeWorker, type BridgeWorker } from '../agents-bridge/bridge-harness.js';
import { createHarness, num, waitFor, type Harness } from '../dialer/dialer-harness.js';
import { launchChromium, newPage, pageErrors, signIn } from './browser.js';
import { zoneAtHour } from '../../helpers/zones.js';

// The browser phone end to end: an agent created by a supervisor for WebRTC signs in to the console
// in Debian's Chromium (fake microphone), turns the phone on; JsSIP registers over WebSocket to the
// sandbox's Asterisk (real AMI presence sees it); a high-risk customer answered by the SIPp carrier
// is bridged to the browser, the agent answers there, the media is DTLS-SRTP, the disposition saved.
describe('console browser phone (WebRTC, Chromium)', () => {
  let h: Harness;
  let app: ApiApp;
  let base: string;
  let browser: Browser;
  let w: BridgeWorker;
  let pool: AgentPool;
  let obs: AriClient;
  let ami: AmiClient;
  let presence: Presence;
  let agent: { id: number; user: string; key: string } | null = null;
  const keys = {} as Record<Role, string>;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-console.mjs')], { stdio: 'ignore' });
    h = await createHarness({ RINGWISE_WRAP_UP_SECONDS: '30' });
    expect(h.config.agents.webrtc.wsUrl, 'the sandbox env names the WebSocket (scripts/sandbox.sh up)').toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
    for (const role of ['supervisor', 'operator'] as const) keys[role] = (await createApiKey(h.tdb.db, { name: `phone-${role}`, role, agentId: null })).key;
    const env = h.env;
    const sip = createAriRest(
      createAriHttp({ url: env['ARI_URL']!, user: env['ARI_USER']!, password: env['ARI_PASSWORD']!, timeoutMs: 5_000 }),
      uniqueApp('phone-sip'),
    );
    const hub = createAgentEventHub(h.redis, h.config.queuePrefix, h.log);
    app = await buildApp({
      config: h.config,
      log: h.log,
      db: h.tdb.db,
      readiness: {},
      events: h.events,
      agents: { sip, redis: h.redis, hub, prefix: h.config.queuePrefix },
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    pool = createAgentPool({ db: h.tdb.db, redis: h.redis, prefix: h.config.queuePrefix, wrapUpSeconds: h.config.agents.wrapUpSeconds, log: h.log });
    w = await startBridgeWorker(h, pool);
    obs = sandboxAri(uniqueApp('phone-obs'));
    ami = sandboxAmi({ eventMask: 'system' });
    await ami.connect({ timeoutMs: 10_000 });
    presence = startPresence({ db: h.tdb.db, ami, redis: h.redis, prefix: h.config.queuePrefix, log: h.log });
    // Loopback candidates too: the test does not depend on the machine having another interface.
    browser = await launchChromium(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection']);
  });
  afterAll(async () => {
    await browser?.close();
    await w?.stop();
    pool?.close();
    presence?.stop();
    await ami?.close();
    if (agent) {
      await h.tdb.db.query(`UPDATE agents SET state = 'offline', logged_in = false, current_attempt_id = NULL, wrap_up_until = NULL WHERE id = $1`, [agent.id]);
      await app.inject({ method: 'DELETE', url: `/v1/agents/${agent.id}`, headers: { authorization: `Bearer ${keys.supervisor}` } });
    }
    await obs?.close();
    await app?.close();
    await h?.close();
  });

  const ariGet = <T>(path: string, query?: Record<string, string>) => obs.http.request<T>('GET', path, { query });
  const api = async (role: Role, method: string, url: string, payload?: unknown, key = keys[role]) => {
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return { status: res.statusCode, body: res.body ? res.json() : null };
  };

  it('a supervisor creates a WebRTC agent in the console: Asterisk gets a DTLS-SRTP endpoint; only that agent gets browser credentials', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, base, keys.supervisor);
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByLabel('Name').fill('Web Agent');
    await page.getByLabel('Answers in the browser (WebRTC)').check();
    await page.getByRole('button', { name: 'Create agent' }).click();
    const secret = (await page.locator('.secret').textContent({ timeout: 10_000 }))!;
    const [, user, key] = /SIP user (\S+), password \S+, API key (\S+)/.exec(secret)!;
    await context.close();
    const row = (await h.tdb.db.query(`SELECT id::int AS id, softphone FROM agents WHERE sip_username = $1`, [user])).rows[0];
    expect(row.softphone).toBe('webrtc');
    agent = { id: row.id, user: user!, key: key! };
    const fields = (await ariGet<Array<{ attribute: string; value: string }>>(`/asterisk/config/dynamic/res_pjsip/endpoint/${agent.user}`)).reduce<
      Record<string, string>
    >((o, f) => ({ ...o, [f.attribute]: f.value }), {});
    expect(fields).toMatchObject({
      webrtc: 'yes',
      media_encryption: 'dtls',
      ice_support: 'true',
      rtcp_mux: 'true',
      use_avpf: 'true',
      dtls_verify: 'Fingerprint',
    });
    expect((await api('supervisor', 'GET', `/v1/agents/${agent.id}`)).body.softphone).toBe('webrtc');

    // Supervisors and SIP-phone agents get no browser credentials.
    expect((await api('supervisor', 'POST', `/v1/agents/${agent.id}/softphone`)).status).toBe(403);
    const sipAgent = await api('supervisor', 'POST', '/v1/agents', { name: 'Desk Phone' });
    const refused = await api('agent', 'POST', '/v1/agents/me/softphone', undefined, sipAgent.body.apiKey.key);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'not_a_webrtc_agent']);
    expect((await api('supervisor', 'DELETE', `/v1/agents/${sipAgent.body.agent.id}`)).status).toBe(204);

    // Each request makes a new password: the md5 Asterisk and the database keep changes with it.
    const md5 = async () => (await h.tdb.db.query(`SELECT sip_md5 FROM agents WHERE id = $1`, [agent!.id])).rows[0].sip_md5 as string;
    const before = await md5();
    const creds = await app.inject({ method: 'POST', url: '/v1/agents/me/softphone', headers: { authorization: `Bearer ${agent.key}` } });
    expect(creds.statusCode).toBe(200);
    expect(creds.headers['cache-control']).toBe('no-store');
    expect(creds.json()).toMatchObject({ wsUrl: h.config.agents.webrtc.wsUrl, username: agent.user, uri: `sip:${agent.user}@127.0.0.1` });
    expect(await md5()).not.toBe(before);
  });

  /** A launched campaign with one high-risk customer (`externalId,name`) whose call the carrier answers. */
  const highRiskCampaign = async (name: string, customer: string, phone: string): Promise<{ id: number }> => {
    const c = (
      await api('operator', 'POST', '/v1/campaigns', {
        name,
        riskThreshold: 50,
        callerId: '+8695500',
        prompt: { 'en-US': { segments: [{ type: 'sound', name: 'hello-world' }] } },
      })
    ).body;
    const csv = `external_id,name,phone,timezone,amount_due,currency,days_past_due,risk_score,locale\n${customer},${phone},${zoneAtHour(13)},5100.00,CNY,33,95,en-US\n`;
    const imp = await app.inject({
      method: 'POST',
      url: `/v1/campaigns/${c.id}/contacts`,
      headers: { authorization: `Bearer ${keys.operator}`, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(imp.statusCode, imp.body).toBe(200);
    expect((await api('operator', 'POST', `/v1/campaigns/${c.id}/launch`)).status).toBe(200);
    return c;
  };

  it(
    'the agent turns the browser phone on, answers a bridged high-risk call over DTLS-SRTP, saves a disposition; auto-answer; sign-out unregisters',
    { timeout: 120_000 },
    async () => {
      expect(agent).not.toBeNull();
      const a = agent!;
      const { context, page } = await newPage(browser);
      await signIn(page, base, a.key);
      // The page's CSP lets it reach the SIP WebSocket and nothing else off-origin.
      const csp = (await app.inject({ url: '/console/' })).headers['content-security-policy'] as string;
      expect(csp).toContain(`connect-src 'self' ${new URL(h.config.agents.webrtc.wsUrl).origin}`);
      const loaded: string[] = [];
      page.on('request', (r) => loaded.push(r.url()));

      const phone = page.getByRole('region', { name: 'Browser phone' });
      await phone.getByLabel('Use the browser phone').check();
      const status = phone.getByRole('status');
      await expect.poll(() => status.getAttribute('data-phone'), { timeout: 20_000 }).toBe('registered');
      // The SIP library came as its own chunk, after the switch.
      expect(loaded.some((u) => /\/console\/chunk-[A-Z0-9]{8}\.js$/.test(u))).toBe(true);
      // Real presence (AMI ContactStatus) saw the registration; Asterisk's contact is the WebSocket.
      await waitFor(
        'presence marks the agent registered',
        async () => (await h.tdb.db.query(`SELECT 1 FROM agents WHERE id = $1 AND registered`, [a.id])).rowCount,
        15_000,
      );
      const ep = await ariGet<{ state: string }>(`/endpoints/PJSIP/${a.user}`);
      expect(ep.state).toBe('online');

      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByText('My state: available').waitFor({ timeout: 10_000 });
      const c = await highRiskCampaign('Browser phone', 'W-1,Zhou Wen', num('03', 44));

      // The bridged call rings in the browser; the agent answers it there.
      await expect.poll(() => status.getAttribute('data-phone'), { timeout: 45_000 }).toBe('ringing');
      await phone.getByRole('button', { name: 'Answer' }).click();
      await expect.poll(() => status.getAttribute('data-phone'), { timeout: 15_000 }).toBe('in_call');
      const card = page.getByRole('region', { name: 'Customer on the line' });
      await card.getByRole('heading', { name: 'Customer on the line: Zhou Wen' }).waitFor({ timeout: 15_000 });
      await page.getByText('My state: on_call').waitFor({ timeout: 10_000 });

      // The browser's RTCPeerConnection: DTLS transport connected, SRTP audio flowing in.
      const media = phone.locator('.phone-media');
      await expect.poll(() => media.getAttribute('data-dtls'), { timeout: 15_000 }).toBe('connected');
      await expect.poll(async () => Number(await media.getAttribute('data-bytes')), { timeout: 15_000 }).toBeGreaterThan(1_000);
      await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'desk-phone.png') });
      // Asterisk's side of the agent leg: a PJSIP channel to the WebSocket contact, media encrypted.
      const attempt = (await h.tdb.db.query(`SELECT id FROM call_attempts WHERE campaign_id = $1`, [c.id])).rows[0].id as string;
      const leg = `${attempt}-a1`;
      const variable = async (v: string) => (await ariGet<{ value: string }>(`/channels/${leg}/variable`, { variable: v })).value;
      expect((await ariGet<{ name: string }>(`/channels/${leg}`)).name).toMatch(new RegExp(`^PJSIP/${a.user}-`));
      expect(await variable('CHANNEL(pjsip,target_uri)')).toMatch(/transport=ws/i);
      expect(await variable('CHANNEL(rtp,secure,audio)')).toBe('1');

      await phone.getByRole('button', { name: 'Mute' }).click();
      await expect.poll(() => status.textContent()).toBe('On a call (muted)');
      await card.getByLabel('Result of the call').selectOption('callback');
      await card.getByLabel('Call back at').fill('2026-12-21T10:00');
      await card.getByRole('button', { name: 'Save disposition' }).click();
      await card.getByText('Saved.').waitFor({ timeout: 10_000 });
      await phone.getByRole('button', { name: 'Hang up' }).click();
      await expect.poll(() => status.getAttribute('data-phone'), { timeout: 10_000 }).toBe('ended');
      const d = await h.tdb.db.query(`SELECT kind, agent_id::int AS agent FROM dispositions`);
      expect(d.rows).toEqual([{ kind: 'callback', agent: a.id }]);
      await waitFor(
        'the attempt ends with the agent',
        async () => (await h.tdb.db.query(`SELECT 1 FROM call_attempts WHERE id = $1 AND ended_at IS NOT NULL AND agent_id = $2`, [attempt, a.id])).rowCount,
        15_000,
      );

      // Turning the phone off unregisters it (presence takes the agent out of routing); on again
      // registers with fresh credentials; signing out of the console unregisters it too.
      const registered = async (want: boolean) =>
        waitFor(
          `presence marks the agent ${want ? '' : 'un'}registered`,
          async () => (await h.tdb.db.query(`SELECT 1 FROM agents WHERE id = $1 AND registered = $2`, [a.id, want])).rowCount,
          15_000,
        );
      await phone.getByLabel('Use the browser phone').uncheck();
      await registered(false);
      await phone.getByLabel('Use the browser phone').check();
      await expect.poll(() => status.getAttribute('data-phone'), { timeout: 20_000 }).toBe('registered');
      await registered(true);

      // "Answer automatically": the next bridged call is answered without a click.
      await phone.getByLabel('Answer automatically').check();
      await highRiskCampaign('Browser phone 2', 'W-2,Qin Ming', num('04', 44));
      await card.getByRole('heading', { name: 'Customer on the line: Qin Ming' }).waitFor({ timeout: 45_000 });
      await expect.poll(() => status.getAttribute('data-phone'), { timeout: 15_000 }).toBe('in_call');
      await expect.poll(() => media.getAttribute('data-dtls'), { timeout: 15_000 }).toBe('connected');
      await phone.getByRole('button', { name: 'Hang up' }).click();
      await expect.poll(() => status.getAttribute('data-phone'), { timeout: 10_000 }).toBe('ended');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await registered(false);
      expect(pageErrors(page)).toEqual([]);
      await context.close();
    },
  );
});
