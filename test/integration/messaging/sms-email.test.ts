import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { sandboxEnv } from '../../helpers/sandbox-env.js';
import { startMessaging, type MessagingRuntime } from '../../../src/messaging/messaging.runtime.js';
import { sendMessage } from '../../../src/messaging/messaging.service.js';
import { getMessage } from '../../../src/messaging/messages.repo.js';
import { checkEligibility } from '../../../src/compliance/eligibility.js';

// SMS and email through the sandbox's own SMPP and SMTP servers (scripts/sandbox.sh up):
// real binds, submit_sm, delivery receipts, a customer's 退订 reply, real SMTP.
const env = sandboxEnv();
let api: TestApi;
let rt: MessagingRuntime;
const ids: Record<string, number> = {};
const tag = Date.now().toString().slice(-6);

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const smsc = async (): Promise<{ id: string; to: string; dataCoding: number; udh: string[]; text: string }[]> =>
  (await (await fetch(`${env.SANDBOX_SMPP_CONTROL}/messages`)).json()) as { id: string; to: string; dataCoding: number; udh: string[]; text: string }[];
const mailbox = async (): Promise<{ to: string[]; raw: string }[]> =>
  (await (await fetch(`${env.SANDBOX_SMTP_CONTROL}/messages`)).json()) as { to: string[]; raw: string }[];

beforeAll(async () => {
  api = await createTestApi();
  const add = async (key: string, phone: string, tz: string, locale: string, email: string) => {
    const { rows } = await api.t.db.query<{ id: number }>(
      `INSERT INTO customers (external_id, name, phones, time_zone, locale, amount_due, currency, due_date, days_past_due, email)
       VALUES ($1, $2, $3, $4, $5, 3200, 'CNY', '2026-11-25', 12, $6) RETURNING id`,
      [`MSG-${key}-${tag}`, locale === 'zh-CN' ? '王小明' : 'Alex Smith', [phone], tz, locale, email],
    );
    ids[key] = rows[0]!.id;
  };
  // Always daytime somewhere: pick a zone where it is 12:00-13:59 now and one where it is 02:00-03:59.
  const zoneAt = (hours: number[]) => {
    for (let off = -11; off <= 14; off++) {
      const h = (new Date().getUTCHours() + off + 24) % 24;
      if (hours.includes(h)) return `Etc/GMT${off <= 0 ? '+' : '-'}${Math.abs(off)}`;
    }
    throw new Error('no zone');
  };
  const day = zoneAt([11, 12, 13, 14]);
  const night = zoneAt([2, 3, 4]);
  await add('zh', `+86138${tag}01`, day, 'zh-CN', `zh-${tag}@example.test`);
  await add('en', `+86138${tag}02`, day, 'en-US', `en-${tag}@example.test`);
  await add('night', `+86138${tag}03`, night, 'zh-CN', `night-${tag}@example.test`);
  await add('stats', `+86138${tag}04`, day, 'en-US', `stats-${tag}@example.test`);
  rt = startMessaging(api.deps.config, api.t.db, api.deps.log);
  await rt.smpp.ready();
});
afterAll(async () => {
  await rt?.close();
  await api?.close();
});

describe('SMS over SMPP', () => {
  it('a long Chinese reminder goes as UCS-2 parts and is delivered by receipt', async () => {
    const r = await sendMessage(rt.deps, {
      customerId: ids.zh!,
      channel: 'sms',
      templates: {
        sms: {
          'zh-CN': {
            body: '【{bank_name}】{name}您好，您的欠款{amount}已逾期{days_past_due}天，请尽快还款，以免影响您的信用记录。咨询请致电{callback_number}。回复TD退订',
          },
        },
      },
    });
    expect(r.kind).toBe('sent');
    if (r.kind !== 'sent') return;
    expect(r.message.parts).toBe(2);
    const parts = (await smsc()).filter((m) => r.message.providerIds.includes(m.id));
    expect(parts).toHaveLength(2);
    expect(parts.every((p) => p.dataCoding === 8 && p.to === `86138${tag}01`)).toBe(true);
    expect(parts.map((p) => p.udh[0]!.slice(-4))).toEqual(['0201', '0202']);
    expect(parts.map((p) => p.text).join('')).toBe(r.message.body);
    const delivered = await waitFor('delivered', async () => {
      const m = await getMessage(api.t.db, r.message.id);
      return m?.status === 'delivered' ? m : null;
    });
    expect(delivered.deliveredParts).toBe(2);
  });

  it('quiet hours defer a message to the morning', async () => {
    const r = await sendMessage(rt.deps, { customerId: ids.night!, channel: 'sms' });
    expect(r).toMatchObject({ kind: 'defer', rule: 'calling_window' });
    if (r.kind === 'defer') expect(r.until.getTime()).toBeGreaterThan(Date.now() + 3600_000);
  });

  it('caps count messages apart from calls', async () => {
    const second = await sendMessage(rt.deps, { customerId: ids.zh!, channel: 'sms' });
    expect(second).toMatchObject({ kind: 'defer', rule: 'min_gap' });
  });

  it('an inbound 退订 stops every channel at once and is confirmed', async () => {
    const res = await fetch(`${env.SANDBOX_SMPP_CONTROL}/inbound`, {
      method: 'POST',
      body: JSON.stringify({ from: `+86138${tag}01`, to: '95500', text: '退订' }),
    });
    expect(((await res.json()) as { delivered: number }).delivered).toBeGreaterThan(0);
    await waitFor('confirmation', async () => (await smsc()).find((m) => m.to === `86138${tag}01` && m.text.startsWith('您已成功退订')));
    const { rows } = await api.t.db.query(`SELECT channel, source FROM dnc_entries WHERE customer_id = $1`, [ids.zh]);
    expect(rows).toEqual([{ channel: null, source: 'sms' }]);
    expect(await sendMessage(rt.deps, { customerId: ids.zh!, channel: 'email' })).toMatchObject({ kind: 'block', rule: 'dnc' });
    const call = await checkEligibility(api.t.db, { customerId: ids.zh!, at: new Date() });
    expect(call.decision).toMatchObject({ kind: 'block', rule: 'dnc' });
    const inbound = await api.app.inject({ method: 'GET', url: `/v1/messages?customerId=${ids.zh}&status=received`, headers: api.as('viewer') });
    expect(inbound.json().items).toEqual([expect.objectContaining({ direction: 'inbound', body: '退订', address: expect.stringMatching(/\*/) })]);
  });
});

describe('email over SMTP', () => {
  it('carries an unsubscribe link and List-Unsubscribe; the link opts out of email only', async () => {
    const r = await sendMessage(rt.deps, { customerId: ids.en!, channel: 'email' });
    expect(r.kind).toBe('sent');
    const mail = await waitFor('mail', async () => (await mailbox()).find((m) => m.to.includes(`en-${tag}@example.test`)));
    expect(mail.raw).toMatch(/^Subject: Ringwise Demo Bank: payment reminder/m);
    const header = /^List-Unsubscribe:\s*<([^>]+)>/m.exec(mail.raw);
    expect(header).not.toBeNull();
    expect(mail.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    const path = new URL(header![1]!).pathname;
    expect(mail.raw.replace(/=\r?\n/g, '')).toContain(path);
    expect((await api.app.inject({ method: 'GET', url: path })).statusCode).toBe(200);
    const forged = await api.app.inject({ method: 'POST', url: path.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) });
    expect(forged.statusCode).toBe(404);
    const post = await api.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(post.statusCode).toBe(200);
    expect(await sendMessage(rt.deps, { customerId: ids.en!, channel: 'email' })).toMatchObject({ kind: 'block', rule: 'dnc' });
    expect((await sendMessage(rt.deps, { customerId: ids.en!, channel: 'sms' })).kind).toBe('sent');
    expect((await checkEligibility(api.t.db, { customerId: ids.en!, at: new Date() })).decision.kind).not.toBe('block');
  });

  it('previews a template with the prompt fields', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/messages/preview',
      headers: api.as('operator'),
      payload: { channel: 'sms', customerId: ids.en },
    });
    expect(res.json()).toMatchObject({ locale: 'en-US', sms: { encoding: 'ascii', parts: 1 } });
    expect(res.json().body).toContain('3,200 CNY is 12 days past due');
    const bad = await api.app.inject({
      method: 'POST',
      url: '/v1/messages/preview',
      headers: api.as('operator'),
      payload: { channel: 'sms', templates: { sms: { 'zh-CN': { body: '{nope}' } } } },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.code).toBe('prompt_unknown_field');
  });
});

describe('stats and exports', () => {
  it('the ledger exports as CSV with masked addresses for viewers and full ones for supervisors', async () => {
    const viewer = await api.app.inject({ method: 'GET', url: `/v1/messages.csv?customerId=${ids.zh}`, headers: api.as('viewer') });
    expect(viewer.statusCode).toBe(200);
    const lines = viewer.body.trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,customer_id,campaign_id,plan_step,channel,direction,address,/);
    // The long SMS, the inbound 退订 and its confirmation.
    expect(lines.length - 1).toBeGreaterThanOrEqual(3);
    expect(viewer.body).not.toContain(`+86138${tag}01`);
    const sup = await api.app.inject({ method: 'GET', url: `/v1/messages.csv?customerId=${ids.zh}&channel=sms`, headers: api.as('supervisor') });
    expect(sup.body).toContain(`+86138${tag}01`);
    expect(sup.body.trim().split('\r\n').length).toBe(lines.length);
  });

  it("a campaign's stats count its messages by channel and status", async () => {
    const camp = await api.app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: api.as('operator'),
      payload: { name: 'msg stats', prompt: { 'zh-CN': { segments: [{ type: 'tts', text: '您好' }] } } },
    });
    expect(camp.statusCode).toBe(201);
    const id = camp.json().id as number;
    const r = await sendMessage(rt.deps, { customerId: ids.stats!, channel: 'sms', campaignId: id });
    expect(r.kind).toBe('sent');
    const stats = await api.app.inject({ method: 'GET', url: `/v1/campaigns/${id}/stats`, headers: api.as('viewer') });
    expect(stats.json().messages.sms).toMatchObject({ sent: expect.any(Number) });
    const m = stats.json().messages;
    expect(m.sms.sent + m.sms.delivered).toBe(1);
    expect(m.email).toEqual({ queued: 0, sent: 0, delivered: 0, failed: 0, received: 0 });
  });
});
