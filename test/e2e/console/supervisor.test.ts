import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
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
import { createAriRest, type AriRest } from '../../../src/dialer/ari.rest.js';
import { removeAgent } from '../../../src/agents/agent.provision.js';
import type { AriClient } from '../../../src/dialer/ari.client.js';
import { sandboxAri, uniqueApp } from '../../helpers/ari.js';
import { ROOT } from '../../helpers/sandbox-env.js';
import { provisionAgents, startBridgeWorker, type BridgeWorker } from '../agents-bridge/bridge-harness.js';
import { createHarness, num, waitFor, type Harness } from '../dialer/dialer-harness.js';
import { launchChromium, newPage, pageErrors, signIn } from './browser.js';

const SHOTS = join(ROOT, 'docs', 'screenshots');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The supervisors' pages in Debian's headless Chromium: quality review of a call bridged to an
// agent's SIPp softphone and recorded by the sandbox's real Asterisk, against the API on a port,
// the real dial worker, PostgreSQL and Redis.
describe('console e2e, supervisors (Chromium)', () => {
  let h: Harness;
  let app: ApiApp;
  let base: string;
  let browser: Browser;
  let w: BridgeWorker;
  let pool: AgentPool;
  let obs: AriClient;
  let agentId: number;
  let campaignId: number;
  let attemptId: string;
  let unprovision: () => Promise<void> = async () => undefined;
  let sip: AriRest | undefined;
  const keys = {} as Record<Role, string>;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-console.mjs')], { stdio: 'ignore' });
    await mkdir(SHOTS, { recursive: true });
    unprovision = await provisionAgents([{ id: 8, user: 'rwt-console-8', port: 5298, mode: 'answer' }]);
    h = await createHarness({ RINGWISE_WRAP_UP_SECONDS: '1' });
    // Open all day, so the calls go out whatever the time of the run.
    await saveGlobalPolicy(
      h.tdb.db,
      'cn-bank',
      { ...getProfile('cn-bank'), windowStart: '00:00', windowEnd: '23:59', maxAttemptsPerDay: 100, maxConnectedPerDay: 100 },
      null,
    );
    const r = await h.tdb.db.query<{ id: number }>(
      `INSERT INTO agents (name, sip_username, sip_md5, sip_realm, state, logged_in, registered, registered_at)
       VALUES ('Agent Eight', 'rwt-console-8', $1, 'ringwise', 'offline', false, true, now()) RETURNING id`,
      [createHash('md5').update('unused').digest('hex')],
    );
    agentId = Number(r.rows[0]!.id);
    for (const role of ROLES) keys[role] = (await createApiKey(h.tdb.db, { name: `sup-${role}`, role, agentId: role === 'agent' ? agentId : null })).key;
    const env = h.env;
    sip = createAriRest(
      createAriHttp({ url: env['ARI_URL']!, user: env['ARI_USER']!, password: env['ARI_PASSWORD']!, timeoutMs: 5_000 }),
      uniqueApp('sup-sip'),
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
    obs = sandboxAri(uniqueApp('sup-obs'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    // The agent the page created: its PJSIP objects leave the sandbox's Asterisk.
    const made = await h?.tdb.db.query<{ user: string }>(`SELECT sip_username AS user FROM agents WHERE name = 'Agent Seven'`).catch(() => null);
    for (const r of made?.rows ?? []) if (sip) await removeAgent(sip, r.user).catch(() => undefined);
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
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  it('a high-risk call is bridged to the agent and recorded by Asterisk', { timeout: 90_000 }, async () => {
    await api('agent', 'POST', `/v1/agents/me/login`);
    const c = await api('operator', 'POST', '/v1/campaigns', {
      name: 'Quality sample',
      riskThreshold: 50,
      callerId: '+8695500',
      prompt: { 'en-US': { segments: [{ type: 'sound', name: 'hello-world' }] } },
    });
    campaignId = c.id;
    const csv = `external_id,name,phone,timezone,amount_due,currency,days_past_due,risk_score,locale\nQ-1,Lin Qing,${num('03', 44)},Asia/Shanghai,500.00,CNY,20,90,en-US\n`;
    const imp = await app.inject({
      method: 'POST',
      url: `/v1/campaigns/${campaignId}/contacts`,
      headers: { authorization: `Bearer ${keys.operator}`, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(imp.statusCode, imp.body).toBe(200);
    await api('operator', 'POST', `/v1/campaigns/${campaignId}/launch`);
    attemptId = await waitFor(
      'the call bridged to the agent',
      async () => (await h.tdb.db.query(`SELECT id FROM call_attempts WHERE campaign_id = $1 AND bridged_at IS NOT NULL`, [campaignId])).rows[0]?.id as string,
      45_000,
    );
    await sleep(1_500); // some conversation in the recording
    await obs.hangup(`${attemptId}-a1`).catch(() => undefined);
    const rec = await waitFor(
      'the recording row',
      async () =>
        (await h.tdb.db.query(`SELECT bytes::int AS bytes FROM recordings WHERE attempt_id = $1`, [attemptId])).rows[0] as { bytes: number } | undefined,
      30_000,
    );
    expect(rec.bytes).toBeGreaterThan(8_000);
  });

  it(
    "supervisor: picks a recorded call at random, listens, scores it against the checklist and sees the agent's score over time",
    { timeout: 60_000 },
    async () => {
      const { context, page } = await newPage(browser);
      await signIn(page, base, keys.supervisor);
      await page.getByRole('link', { name: 'Quality' }).click();
      await page.getByText('No reviews yet.').waitFor();
      await page.getByLabel('Campaign').fill(String(campaignId));
      await page.getByRole('button', { name: 'Pick at random' }).click();
      const review = page.getByRole('form', { name: 'Review' });
      await review.waitFor({ timeout: 10_000 });
      // The recording plays in the page: the browser fetched and decoded the real WAV.
      const audio = page.locator('audio');
      await expect
        .poll(() => audio.evaluate((a: { readyState: number; duration: number }) => (a.readyState >= 1 ? a.duration : 0)), { timeout: 15_000 })
        .toBeGreaterThan(1);
      expect(await review.getByRole('group').allTextContents()).toEqual([
        expect.stringContaining('Polite greeting'),
        expect.stringContaining('Identity checked'),
        expect.stringContaining('No threats or pressure'),
        expect.stringContaining('Plan offered'),
        expect.stringContaining('Opt-out honoured'),
      ]);
      const answer = (item: string, choice: 'Met' | 'Not met' | 'N/A') => review.getByRole('group', { name: item }).getByLabel(choice, { exact: true }).check();
      await answer('Polite greeting', 'Met');
      await answer('Identity checked', 'Not met');
      await answer('No threats or pressure', 'Met');
      await answer('Plan offered', 'Met');
      await answer('Opt-out honoured', 'N/A');
      await review.getByLabel('Comment').fill('Did not verify the last four digits.');
      await review.getByRole('button', { name: 'Save score' }).click();
      await review.getByText('Saved: score 75.').waitFor({ timeout: 10_000 });
      expect(await page.locator(`table.review-calls tr[data-attempt="${attemptId}"] td[data-col=reviews]`).textContent()).toBe('1');

      // The trend: one point for the agent today, in the table and the chart.
      const row = page.locator('table.scores tbody tr');
      await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
      expect(await row.locator('th, td').allTextContents()).toEqual(['Agent Eight', expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), '1', '75']);
      expect(await page.locator('figure.chart polyline[data-series="Agent Eight"]').count()).toBe(1);
      await shot(page, 'quality');
      const stored = await api('supervisor', 'GET', `/v1/quality/reviews?attemptId=${attemptId}`);
      expect(stored.items).toEqual([
        expect.objectContaining({
          agentId,
          campaignId,
          score: 75,
          comment: 'Did not verify the last four digits.',
          answers: { greeting: true, identity: false, no_threats: true, plan_offered: true, opt_out: null },
        }),
      ]);

      // A campaign's own checklist: a critical failure scores the call 0, and the day's average moves.
      await api('supervisor', 'PUT', `/v1/campaigns/${campaignId}/checklist`, {
        items: [
          { id: 'greeting', label: 'Polite greeting', critical: false },
          { id: 'no_threats', label: 'No threats or pressure', critical: true },
          { id: 'recap', label: 'Recapped the agreement', critical: false },
        ],
      });
      await page.reload();
      await page.getByLabel('Campaign').fill(String(campaignId));
      await page.getByRole('button', { name: 'Find' }).click();
      await page.locator('table.review-calls tbody tr').getByRole('button', { name: 'Review' }).click();
      await expect.poll(() => review.getByRole('group').count(), { timeout: 10_000 }).toBe(3);
      await answer('Polite greeting', 'Met');
      await answer('No threats or pressure', 'Not met');
      await answer('Recapped the agreement', 'Met');
      await review.getByRole('button', { name: 'Save score' }).click();
      await review.getByText('Saved: score 0.').waitFor({ timeout: 10_000 });
      await expect.poll(() => page.locator('table.scores tbody tr td').allTextContents(), { timeout: 10_000 }).toEqual([expect.any(String), '2', '37.5']);
      expect(pageErrors(page)).toEqual([]);
      await context.close();
    },
  );

  it('agent and viewer cannot score: no controls in the page, 403 from the API', async () => {
    const body = { attemptId, answers: { greeting: true, no_threats: true, recap: true } };
    for (const role of ['agent', 'viewer', 'operator'] as const) {
      const res = await app.inject({ method: 'POST', url: '/v1/quality/reviews', headers: { authorization: `Bearer ${keys[role]}` }, payload: body });
      expect(res.statusCode, role).toBe(403);
    }
    const { context, page } = await newPage(browser, { locale: 'zh-CN' });
    await signIn(page, base, keys.viewer);
    await page.getByRole('link', { name: '质检' }).click();
    await page.getByRole('heading', { name: '各坐席得分趋势' }).waitFor();
    await page.locator('table.scores tbody tr').first().waitFor();
    expect(await page.getByRole('button', { name: /随机抽取|保存评分|^质检$/ }).count()).toBe(0);
    await context.close();
    const { context: c2, page: p2 } = await newPage(browser);
    await signIn(p2, base, keys.agent);
    expect(await p2.getByRole('navigation').getByRole('link', { name: 'Quality' }).count()).toBe(0);
    await c2.close();
    const total = await h.tdb.db.query(`SELECT count(*)::int AS n FROM quality_reviews`);
    expect(total.rows[0].n).toBe(2);
  });
  it('supervisor: the agents board updates by SSE; creates an agent (credentials once), pauses and logs one out', { timeout: 60_000 }, async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, base, keys.supervisor);
    const polls: string[] = [];
    page.on('request', (r) => r.method() === 'GET' && /^\/v1\/agents(\?|$)/.test(new URL(r.url()).pathname + new URL(r.url()).search) && polls.push(r.url()));
    await page.getByRole('link', { name: 'Agents' }).click();
    const eight = page.locator('tr[data-agent="' + agentId + '"]');
    await expect.poll(() => eight.locator('[data-col=state]').textContent(), { timeout: 15_000 }).toBe('available');

    // A change made elsewhere (the agent pauses itself through the API) reaches the open page.
    await api('agent', 'POST', '/v1/agents/me/pause', { reason: 'coffee' });
    await expect.poll(() => eight.locator('[data-col=state]').textContent(), { timeout: 10_000 }).toBe('paused (coffee)');
    await api('agent', 'POST', '/v1/agents/me/resume');
    await expect.poll(() => eight.locator('[data-col=state]').textContent(), { timeout: 10_000 }).toBe('available');

    await page.getByLabel('Name', { exact: true }).fill('Agent Seven');
    await page.getByRole('button', { name: 'Create agent' }).click();
    const secret = page.locator('.secret');
    await secret.waitFor({ timeout: 15_000 });
    const created = (await h.tdb.db.query(`SELECT id, sip_username AS user FROM agents WHERE name = 'Agent Seven'`)).rows[0] as { id: string; user: string };
    expect(await secret.textContent()).toMatch(new RegExp(`^Shown once .*SIP user ${created.user}, password \\S+, API key rw_`));
    await page.getByRole('rowheader', { name: 'Agent Seven' }).waitFor({ timeout: 10_000 });
    await shot(page, 'agents-supervisor');

    await page.getByRole('button', { name: 'Pause: Agent Eight' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => eight.locator('[data-col=state]').textContent(), { timeout: 10_000 }).toBe('paused (supervisor)');
    await page.getByRole('button', { name: 'Log out: Agent Eight' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => eight.locator('[data-col=state]').textContent(), { timeout: 10_000 }).toBe('offline');
    expect((await h.tdb.db.query(`SELECT state, logged_in FROM agents WHERE id = $1`, [agentId])).rows[0]).toEqual({ state: 'offline', logged_in: false });
    // The board was never polled: every change above came down the one stream.
    expect(polls).toEqual([]);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });
  it(
    'operator: the schedules page shows when each fires and its last report; "run now" starts today\'s run once; a viewer has no button',
    { timeout: 60_000 },
    async () => {
      const s = await api('operator', 'POST', '/v1/schedules', {
        name: 'nightly-reminders',
        cron: '0 2 * * *',
        timeZone: 'Asia/Shanghai',
        template: { prompt: { 'en-US': { segments: [{ type: 'sound', name: 'hello-world' }] } }, callerId: '+8695500' },
        segment: { minRiskScore: 80 },
      });
      const { context, page } = await newPage(browser);
      await signIn(page, base, keys.operator);
      await page.getByRole('link', { name: 'Schedules' }).click();
      const row = page.locator(`tr[data-schedule="${s.id}"]`);
      await expect.poll(() => row.locator('th').textContent(), { timeout: 10_000 }).toBe('nightly-reminders');
      expect(await row.textContent()).toContain('0 2 * * * Asia/Shanghai');
      expect(await row.locator('[data-col=last]').textContent()).toBe('–');
      await page.getByRole('button', { name: 'Run now: nightly-reminders' }).click();
      const dialog = page.getByRole('dialog');
      await expect.poll(() => dialog.textContent()).toContain("Today's campaign is created from its template and segment and launched");
      await dialog.getByRole('button', { name: 'Run now' }).click();
      await page.getByText(/^Started the run of \d{4}-\d{2}-\d{2}: 1 contacts\.$/).waitFor({ timeout: 15_000 });
      await expect.poll(() => row.locator('[data-col=last]').textContent(), { timeout: 10_000 }).toMatch(/^\d{4}-\d{2}-\d{2} \w+ · Contacts 1 · Attempts \d+$/);
      const runs = page.locator('table.runs tbody tr');
      await expect.poll(() => runs.count()).toBe(1);
      expect(await runs.locator('[data-col=contacts]').textContent()).toMatch(/^1 \(/);
      await shot(page, 'schedules');
      // Once a day: a second "run now" shows today's run and starts nothing.
      await page.getByRole('button', { name: 'Run now: nightly-reminders' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Run now' }).click();
      await page.getByText(/already exists \(1 contacts\); nothing new was started/).waitFor({ timeout: 15_000 });
      expect((await h.tdb.db.query(`SELECT count(*)::int AS n FROM schedule_runs WHERE schedule_id = $1`, [s.id])).rows[0].n).toBe(1);
      expect(pageErrors(page)).toEqual([]);
      await context.close();

      const { context: c2, page: p2 } = await newPage(browser);
      await signIn(p2, base, keys.viewer);
      await p2.getByRole('link', { name: 'Schedules' }).click();
      await p2.locator(`tr[data-schedule="${s.id}"] [data-col=last]`).filter({ hasText: 'Contacts 1' }).waitFor({ timeout: 10_000 });
      expect(await p2.getByRole('button', { name: /Run now/ }).count()).toBe(0);
      await c2.close();
    },
  );

  it('charts: calls per minute, outcomes over time and attempts per hour against the calling window, drawn from the ledger', { timeout: 60_000 }, async () => {
    const ledger = (await h.tdb.db.query(`SELECT outcome, reserved_at AS at FROM call_attempts WHERE campaign_id = $1`, [campaignId])).rows as {
      outcome: string;
      at: Date;
    }[];
    expect(ledger).toHaveLength(1);
    // A two-hour window starting at the hour the customer (in Shanghai) was called: the call sits inside it.
    const hour = Number(ledger[0]!.at.toLocaleString('en-US', { timeZone: 'Asia/Shanghai', hour: '2-digit', hourCycle: 'h23' }));
    const hh = (n: number) => String(n % 24).padStart(2, '0');
    await saveGlobalPolicy(
      h.tdb.db,
      'cn-bank',
      { ...getProfile('cn-bank'), windowStart: `${hh(hour)}:00`, windowEnd: `${hh(hour + 2)}:00`, maxAttemptsPerDay: 100, maxConnectedPerDay: 100 },
      null,
    );
    const { context, page } = await newPage(browser, { timezoneId: 'Asia/Shanghai' });
    // Every other campaign's chart data answers late: the page first draws the first campaign of
    // the list, and that slow answer must not overwrite the chosen campaign's charts.
    const otherCharts = (u: URL) => /\/v1\/campaigns\/\d+\/(series|attempts-by-hour)$/.test(u.pathname) && !u.pathname.includes(`/campaigns/${campaignId}/`);
    await page.route(otherCharts, async (route) => {
      await new Promise((r) => setTimeout(r, 1_500));
      await route.continue().catch(() => undefined);
    });
    await signIn(page, base, keys.supervisor);
    await page.getByRole('link', { name: 'Charts' }).click();
    await page.getByLabel('Campaign').selectOption({ label: `Quality sample (#${campaignId})` });
    // The page draws the first campaign at once: wait for the chosen one's charts.
    const figures = page.locator(`[data-campaign="${campaignId}"] figure.chart`);
    await expect.poll(() => figures.count(), { timeout: 10_000 }).toBe(3);
    const at = ledger[0]!.at.toLocaleTimeString('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit' });
    expect(await figures.nth(0).locator('figcaption').textContent()).toBe('Calls per minute');
    expect(await figures.nth(0).locator('circle title').allTextContents()).toEqual([`Calls ${at}: 1`]);
    expect(await figures.nth(1).locator(`rect[data-series="${ledger[0]!.outcome}"] title`).allTextContents()).toEqual([`${ledger[0]!.outcome} ${at}: 1`]);
    const hourly = figures.nth(2);
    expect(await hourly.locator('figcaption').textContent()).toContain(`calling window ${hh(hour)}:00–${hh(hour + 2)}:00`);
    expect(await hourly.locator('rect.band').count()).toBe(2);
    const bars = await hourly.locator('rect.series title').allTextContents();
    expect(bars).toHaveLength(24);
    expect(bars.filter((b) => !b.endsWith(': 0'))).toEqual([`Attempts ${hh(hour)}: 1`]);
    // Past the late answers: still the chosen campaign.
    await page.waitForTimeout(2_000);
    expect(await page.locator('figure.chart').count()).toBe(3);
    expect(await figures.count()).toBe(3);
    await shot(page, 'charts');
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });
});
