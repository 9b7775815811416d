import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentEventHub } from '../../../src/agents/agent.events-hub.js';
import { createAgentPool, type AgentPool } from '../../../src/agents/agent-pool.js';
import { buildApp } from '../../../src/api/app.js';
import type { ApiApp } from '../../../src/api/api.types.js';
import { createApiKey } from '../../../src/auth/keys.repo.js';
import { ROLES, type Role } from '../../../src/auth/roles.js';
import { getProfile } from '../../../src/compliance/policy.profiles.js';
import { saveGlobalPolicy } from '../../../src/compliance/policy.store.js';
import { createAriHttp } from '../../../src/dialer/ari.http.js';
import { createAriRest } from '../../../src/dialer/ari.rest.js';
import type { AriClient } from '../../../src/dialer/ari.client.js';
import { sandboxAri, uniqueApp } from '../../helpers/ari.js';
import { ROOT } from '../../helpers/sandbox-env.js';
import { provisionAgents, startBridgeWorker, type BridgeWorker } from '../agents-bridge/bridge-harness.js';
import { createHarness, num, waitFor, type Harness } from '../dialer/dialer-harness.js';
import { launchChromium, newPage, pageErrors, signIn } from './browser.js';
import { zoneAtHour } from '../../helpers/zones.js';

const SHOTS = join(ROOT, 'docs', 'screenshots');

// The console in Debian's headless Chromium, against the API listening on a port, the real dial
// worker, the sandbox's Asterisk, SIPp carrier and an agent's SIPp softphone, PostgreSQL, Redis.
describe('console e2e (Chromium)', () => {
  let h: Harness;
  let app: ApiApp;
  let base: string;
  let browser: Browser;
  let w: BridgeWorker;
  let pool: AgentPool;
  let obs: AriClient;
  let agentId: number;
  let unprovision: () => Promise<void> = async () => undefined;
  const keys = {} as Record<Role, string>;
  const day = zoneAtHour(13);
  const night = zoneAtHour(3);

  beforeAll(async () => {
    // The page under test is the one built from console/ now (a fraction of a second).
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-console.mjs')], { stdio: 'ignore' });
    await mkdir(SHOTS, { recursive: true });
    unprovision = await provisionAgents([{ id: 9, user: 'rwt-console-9', port: 5291, mode: 'answer' }]);
    h = await createHarness({ RINGWISE_WRAP_UP_SECONDS: '30' });
    // A real calling window (08:00-22:00 local): the night-zone customer is deferred by it.
    await saveGlobalPolicy(
      h.tdb.db,
      'cn-bank',
      { ...getProfile('cn-bank'), windowStart: '08:00', windowEnd: '22:00', maxAttemptsPerDay: 100, maxConnectedPerDay: 100 },
      null,
    );
    const r = await h.tdb.db.query<{ id: number }>(
      `INSERT INTO agents (name, sip_username, sip_md5, sip_realm, state, logged_in, registered, registered_at)
       VALUES ('Agent Nine', 'rwt-console-9', $1, 'ringwise', 'offline', false, true, now()) RETURNING id`,
      [createHash('md5').update('unused').digest('hex')],
    );
    agentId = Number(r.rows[0]!.id);
    for (const role of ROLES) keys[role] = (await createApiKey(h.tdb.db, { name: `console-${role}`, role, agentId: role === 'agent' ? agentId : null })).key;
    const env = h.env;
    const sip = createAriRest(
      createAriHttp({ url: env['ARI_URL']!, user: env['ARI_USER']!, password: env['ARI_PASSWORD']!, timeoutMs: 5_000 }),
      uniqueApp('console-sip'),
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
    obs = sandboxAri(uniqueApp('console-obs'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await w?.stop();
    pool?.close();
    await obs?.close();
    await app?.close();
    await h?.close();
    await unprovision();
  });

  const api = async (role: Role, method: string, url: string, payload?: unknown) => {
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${keys[role]}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json();
  };
  const customerId = async (externalId: string) => Number((await h.tdb.db.query(`SELECT id FROM customers WHERE external_id = $1`, [externalId])).rows[0].id);
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });

  it('every role signs in and sees the pages its role may use; the login page is bilingual', async () => {
    const { context, page } = await newPage(browser, { locale: 'zh-CN' });
    await page.goto(`${base}/console/`);
    await expect.poll(() => page.getByRole('button', { name: '登录' }).count()).toBe(1); // the browser's language
    await shot(page, 'login');
    await context.close();
    const expected: Record<Role, string[]> = {
      admin: ['Campaigns', 'Customers', 'Calls', 'Agents', 'Quality', 'Charts', 'Schedules'],
      operator: ['Campaigns', 'Customers', 'Calls', 'Agents', 'Charts', 'Schedules'],
      supervisor: ['Campaigns', 'Customers', 'Calls', 'Agents', 'Quality', 'Charts', 'Schedules'],
      viewer: ['Campaigns', 'Customers', 'Calls', 'Agents', 'Quality', 'Charts', 'Schedules'],
      agent: ['My desk', 'Customers', 'Calls'],
    };
    for (const role of ROLES) {
      const { context: c, page: p } = await newPage(browser);
      await signIn(p, base, keys[role]);
      await expect.poll(() => p.getByRole('navigation').getByRole('link').allTextContents(), { timeout: 10_000 }).toEqual(expected[role]);
      expect(pageErrors(p), role).toEqual([]);
      await c.close();
    }
  });

  it(
    'operator: create a campaign with validation as you type, hear its preview, import a bad file then a good one, launch, watch it reach 100%',
    { timeout: 120_000 },
    async () => {
      const { context, page } = await newPage(browser);
      await signIn(page, base, keys.operator);
      await page.getByRole('button', { name: 'New campaign' }).click();
      const form = page.getByRole('form', { name: 'New campaign' });
      await form.getByLabel('Name').fill('x');
      await form.getByLabel('Name').fill('');
      await expect.poll(() => form.getByText('Required.').count()).toBe(1);
      await form.getByLabel('Name').fill('December reminders');
      await form.getByLabel('Caller id').fill('+8695500');
      await form.getByLabel('Calls per second').fill('5000');
      await expect.poll(() => form.getByText('Must be from 0.01 to 1000.').count()).toBe(1);
      await form.getByLabel('Calls per second').fill('5');
      const zh = form.getByLabel('Prompt (zh-CN)');
      await zh.fill('您好{nick}');
      await expect.poll(() => form.getByText('Unknown field {nick}.').count()).toBe(1);
      await zh.fill('您好');
      await zh.focus();
      await form.getByRole('button', { name: '{name}' }).click();
      await zh.press('End');
      await zh.pressSequentially('，您的贷款{amount}已逾期{days_past_due}天。');
      expect(await zh.inputValue()).toBe('您好{name}，您的贷款{amount}已逾期{days_past_due}天。');
      await form.getByRole('button', { name: 'Play preview' }).click();
      const audio = form.locator('audio');
      await expect
        .poll(
          () => audio.evaluate((a: { src: string; readyState: number; duration: number }) => (a.src.startsWith('blob:') && a.readyState >= 1 ? a.duration : 0)),
          { timeout: 20_000 },
        )
        .toBeGreaterThan(1);
      await form.getByLabel('Call script (en-US)').fill('Greet: Hello {name}, this is {bank_name}.\nOffer: We can split {amount} into instalments.');
      await shot(page, 'campaign-editor');
      await form.getByRole('button', { name: 'Save' }).click();
      const row = page.locator('tr', { has: page.getByRole('rowheader', { name: 'December reminders' }) });
      await row.waitFor();
      const created = (await api('operator', 'GET', '/v1/campaigns')).items.find((x: { name: string }) => x.name === 'December reminders');
      expect(created).toMatchObject({
        callerId: '+8695500',
        callsPerSecond: 5,
        prompt: { 'zh-CN': { segments: [{ type: 'tts', text: '您好{name}，您的贷款{amount}已逾期{days_past_due}天。' }] } },
      });
      expect((await api('operator', 'GET', `/v1/campaigns/${created.id}/script`)).script).toEqual({
        'en-US': [
          { title: 'Greet', text: 'Hello {name}, this is {bank_name}.' },
          { title: 'Offer', text: 'We can split {amount} into instalments.' },
        ],
      });

      // A file with bad rows: every error with its line and field, nothing imported.
      await row.getByRole('button', { name: /^Import contacts/ }).click();
      const bad = [
        'external_id,name,phone,timezone,amount_due,currency,days_past_due',
        'B-1,Li Lei,+86138000001xx,Asia/Shanghai,10,CNY,3',
        'B-2,Han Meimei,+8613800000102,Mars/Olympus,10,CNY,3',
      ].join('\n');
      await page.locator('#import-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
      const errors = page.locator('table.errors tbody tr');
      await expect.poll(() => errors.count(), { timeout: 15_000 }).toBe(2);
      expect(await errors.nth(0).locator('td').allTextContents()).toEqual(['2', 'phone', expect.any(String)]);
      expect(await errors.nth(1).locator('td').nth(1).textContent()).toBe('timezone');
      await shot(page, 'import-errors');
      const good = [
        'external_id,name,phone,timezone,amount_due,currency,days_past_due',
        `A-1,Wang Fang,${num('01', 41)},${day},3200.00,CNY,12`,
        `A-2,Zhao Lei,${num('02', 41)},${day},150.50,CNY,40`,
        `A-3,Sun Li,${num('70', 41)},${day},99.00,CNY,5`,
      ].join('\n');
      await page.locator('#import-file').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
      await page.getByText('3 imported, 0 updated, 0 duplicates.').waitFor({ timeout: 15_000 });

      // Launch with a confirmation that says what happens, then the live row reaches 100%.
      await row.getByRole('button', { name: /^Launch/ }).click();
      const dialog = page.getByRole('dialog');
      await expect.poll(() => dialog.textContent()).toContain('Its 3 contacts start being called now');
      await dialog.getByRole('button', { name: 'Launch' }).click();
      await expect.poll(() => row.locator('[data-col=state]').textContent(), { timeout: 10_000 }).toBe('running');
      await expect.poll(() => row.locator('progress').evaluate((p: { value: number }) => p.value), { timeout: 90_000, interval: 500 }).toBe(100);
      await expect.poll(() => row.locator('[data-col=state]').textContent(), { timeout: 10_000 }).toBe('completed');
      expect(await row.locator('[data-col=outcomes]').textContent()).toMatch(/answered_human|abandoned|completed/);
      // The rolling 30-day abandon rate with its counts: three people answered, nobody was meant for an agent.
      await expect.poll(() => row.locator('[data-col=abandon]').textContent(), { timeout: 5_000 }).toBe('0.0% (0/3)');
      expect(await row.locator('[data-col=abandon]').getAttribute('title')).toMatch(
        /^0 of 3 calls answered by a person in 30 days were abandoned \(target 3%\)$/,
      );
      await shot(page, 'campaigns');
      expect(pageErrors(page)).toEqual([]);
      await context.close();
    },
  );

  it('supervisor: a customer in a zone where it is night is deferred; their card says why, rule by rule, and when', { timeout: 60_000 }, async () => {
    const c = await api('operator', 'POST', '/v1/campaigns', {
      name: 'Night owls',
      prompt: { 'en-US': { segments: [{ type: 'sound', name: 'hello-world' }] } },
      callerId: '+8695500',
    });
    const csv = `external_id,name,phone,timezone\nN-1,Night Owl,${num('01', 42)},${night}\n`;
    const imp = await app.inject({
      method: 'POST',
      url: `/v1/campaigns/${c.id}/contacts`,
      headers: { authorization: `Bearer ${keys.operator}`, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(imp.statusCode, imp.body).toBe(200);
    await api('operator', 'POST', `/v1/campaigns/${c.id}/launch`);
    await waitFor(
      'the contact deferred',
      async () => (await h.tdb.db.query(`SELECT 1 FROM campaign_contacts WHERE campaign_id = $1 AND state = 'deferred'`, [c.id])).rowCount,
      30_000,
    );

    // The supervisor sits in Shanghai; the customer's 08:00 is shown in both zones. (A supervisor:
    // operators see names masked, so they find a customer by phone or external id, not by name.)
    const { context, page } = await newPage(browser, { timezoneId: 'Asia/Shanghai' });
    await signIn(page, base, keys.supervisor);
    const row = page.locator('tr', { has: page.getByRole('rowheader', { name: 'Night owls' }) });
    await expect.poll(() => row.locator('[data-col=deferred]').textContent(), { timeout: 10_000 }).toMatch(/^1 /);
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByLabel('Search', { exact: true }).fill('night o');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Night Owl' }).click();
    const decision = page.locator('.decision');
    await decision.waitFor();
    expect(await decision.getAttribute('data-decision')).toBe('defer');
    expect(await decision.textContent()).toContain('calling_window');
    expect(await page.locator('table.rules tr.defer th').allTextContents()).toContain('calling_window');
    const next = (await page.locator('.next').textContent())!;
    const until = (await api('operator', 'GET', `/v1/customers/${await customerId('N-1')}/eligibility`)).decision.until as string;
    const inZone = (zone: string) => new Date(until).toLocaleString('en-US', { timeZone: zone, dateStyle: 'short', timeStyle: 'medium' });
    expect(inZone(night)).toMatch(/8:00:00 AM/); // the window opens at 08:00 in the customer's zone
    expect(next).toContain(`${inZone(night)} (customer's time`);
    expect(next).toContain(`${inZone('Asia/Shanghai')} (your time)`);
    await shot(page, 'customer');
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('operator: the ledger filtered by campaign exports as CSV (phones masked for this role)', async () => {
    const first = (await api('operator', 'GET', '/v1/campaigns')).items.find((c: { name: string }) => c.name === 'December reminders');
    const { context, page } = await newPage(browser);
    await signIn(page, base, keys.operator);
    await page.getByRole('link', { name: 'Calls' }).click();
    await page.getByLabel('Campaign').fill(String(first.id));
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('table.calls tbody tr').count(), { timeout: 10_000 }).toBe(3);
    await shot(page, 'calls');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const text = await readFile((await download.path())!, 'utf8');
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(text).not.toContain(num('01', 41));
    expect(text).toContain('+86***01');
    await context.close();
  });

  it('agent: signs in, logs in, is bridged a high-risk call, sees the card and the script, saves a disposition', { timeout: 90_000 }, async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, base, keys.agent);
    await page.getByText('My state: offline').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('My state: available').waitFor({ timeout: 10_000 });

    const c = await api('operator', 'POST', '/v1/campaigns', {
      name: 'High risk',
      riskThreshold: 50,
      callerId: '+8695500',
      prompt: { 'en-US': { segments: [{ type: 'sound', name: 'hello-world' }] } },
    });
    const csv = `external_id,name,phone,timezone,amount_due,currency,days_past_due,risk_score,locale\nH-1,Qian Duoduo,${num('03', 43)},${day},8800.00,CNY,61,90,en-US\n`;
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/v1/campaigns/${c.id}/contacts`,
          headers: { authorization: `Bearer ${keys.operator}`, 'content-type': 'text/csv' },
          payload: csv,
        })
      ).statusCode,
    ).toBe(200);
    await api('operator', 'PUT', `/v1/campaigns/${c.id}/script`, {
      'en-US': [
        { title: 'Greet', text: 'Good morning {name}, this is {bank_name}.' },
        { title: 'Explain', text: 'Your loan has {amount} overdue for {days_past_due} days.' },
      ],
    });
    await api('operator', 'POST', `/v1/campaigns/${c.id}/launch`);

    const card = page.getByRole('region', { name: 'Customer on the line' });
    await card.getByRole('heading', { name: 'Customer on the line: Qian Duoduo' }).waitFor({ timeout: 45_000 });
    expect(await card.locator('dd').allTextContents()).toEqual(expect.arrayContaining(['8800.00 CNY', '61', '90']));
    expect(await card.getByRole('complementary', { name: 'Call script' }).textContent()).toContain('Explain Your loan has 8800.00 CNY overdue for 61 days.');
    await page.getByText('My state: on_call').waitFor({ timeout: 10_000 });
    await card.getByLabel('Result of the call').selectOption('promise_to_pay');
    await card.getByLabel('Amount').fill('8800.00');
    await card.getByLabel('Date').fill('2026-12-20');
    await card.getByLabel('Note').fill('pays after payday');
    await card.getByRole('button', { name: 'Save disposition' }).click();
    await card.getByText('Saved.').waitFor({ timeout: 10_000 });
    await shot(page, 'desk');
    const d = await h.tdb.db.query(`SELECT kind, amount::text, promised_date::text AS date, agent_id::int AS agent FROM dispositions`);
    expect(d.rows).toEqual([{ kind: 'promise_to_pay', amount: '8800.00', date: '2026-12-20', agent: agentId }]);
    const attempt = (await h.tdb.db.query(`SELECT id FROM call_attempts WHERE campaign_id = $1`, [c.id])).rows[0].id as string;
    await obs.hangup(`${attempt}-a1`).catch(() => undefined);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('viewer: sees everything read-only with personal data masked, and the API refuses its changes', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, base, keys.viewer);
    await page.getByText('Read-only: your role can look but not change.').waitFor();
    await page.getByRole('rowheader', { name: 'December reminders' }).waitFor();
    expect(await page.getByRole('button', { name: /^(Launch|Pause|Resume|Cancel campaign|Edit|Import contacts)/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'New campaign' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByLabel('Search', { exact: true }).fill('A-1');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'W***' }).click();
    await page.locator('.decision').waitFor();
    expect(await page.getByRole('button', { name: /do-not-call/ }).count()).toBe(0);
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('rowheader', { name: 'Agent Nine' }).waitFor();
    await shot(page, 'agents');
    const status = await page.evaluate(async () => {
      const s = (await (await fetch('/v1/session')).json()) as { csrfToken: string };
      const r = await fetch('/v1/campaigns', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken },
        body: JSON.stringify({ name: 'sneaky' }),
      });
      return r.status;
    });
    expect(status).toBe(403);
    await context.close();
  });

  it('on a phone the campaigns page reflows; logout ends the session on the server', async () => {
    const { context, page } = await newPage(browser, { phone: true });
    await signIn(page, base, keys.supervisor);
    await page.getByRole('rowheader', { name: 'December reminders' }).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);
    await shot(page, 'campaigns-phone');
    const cookie = (await context.cookies()).find((c) => c.name === 'rw_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    const res = await app.inject({ url: '/v1/campaigns', headers: { cookie: `rw_session=${cookie.value}` } });
    expect(res.statusCode).toBe(401);
    expect(await page.evaluate(async () => (await fetch('/v1/session')).status)).toBe(401);
    await context.close();
  });
});
