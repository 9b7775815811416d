import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../../src/prompts/wav.js';
import { createTestApi, type TestApi } from '../../helpers/api.js';

// The API the console stands on, through Fastify with a real PostgreSQL: sessions, CSRF,
// customer search, the live campaign stream, prompt previews (real espeak-ng and sox), the
// OpenAPI document and empty JSON bodies. The browser tests drive the same routes from Chromium.
describe('console API', () => {
  let api: TestApi;
  let promptDir: string;
  beforeAll(async () => {
    promptDir = await mkdtemp(join(tmpdir(), 'rw-console-prompts-'));
    api = await createTestApi({
      env: { RINGWISE_PROMPT_DIR: promptDir, RINGWISE_PROMPT_DIR_ON_ASTERISK: '/srv/prompts', RINGWISE_CONSOLE_SESSION_HOURS: '1' },
    });
    await api.t.db.query(
      `INSERT INTO customers (external_id, name, phones, time_zone) VALUES
         ('EXT-7', 'Wang Xiaoming', ARRAY['+8613800138007'], 'Asia/Shanghai'),
         ('EXT-8', 'wanda Li', ARRAY['+8613800138008'], 'Asia/Shanghai'),
         ('EXT-9', 'Zhang San', ARRAY['+8613800138009', '+8613900139009'], NULL),
         ('EXT-100%', 'Percent_Name', ARRAY['+8613800138100'], NULL)`,
    );
  });
  afterAll(async () => {
    await api?.close();
    await rm(promptDir, { recursive: true, force: true });
  });

  const signIn = async (role: 'operator' | 'viewer' | 'supervisor') => {
    const res = await api.app.inject({ method: 'POST', url: '/v1/session', payload: { apiKey: api.keys[role] } });
    expect(res.statusCode, res.body).toBe(201);
    const cookie = String(res.headers['set-cookie']);
    return { cookie: cookie.split(';')[0]!, setCookie: cookie, body: res.json() as { role: string; csrfToken: string; allowed: string[]; expiresAt: string } };
  };

  describe('sessions', () => {
    it('exchanges a key for an HttpOnly, SameSite=Strict, expiring cookie; only its hash is stored', async () => {
      const s = await signIn('operator');
      expect(s.setCookie).toMatch(/^rw_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=3600$/);
      expect(s.body.role).toBe('operator');
      expect(new Date(s.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 3500_000);
      const token = s.cookie.split('=')[1]!;
      const rows = (await api.t.db.query(`SELECT token_hash FROM console_sessions`)).rows as { token_hash: string }[];
      expect(rows.some((r) => r.token_hash.includes(token))).toBe(false);
      expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
    });

    it("marks the cookie Secure over TLS (a trusted proxy's x-forwarded-proto does not count unless configured)", async () => {
      const res = await api.app.inject({ method: 'POST', url: '/v1/session', payload: { apiKey: api.keys.viewer } });
      expect(String(res.headers['set-cookie'])).not.toMatch(/Secure/);
    });

    it('refuses an unknown key with 401 and opens no session', async () => {
      const before = (await api.t.db.query(`SELECT count(*)::int AS n FROM console_sessions`)).rows[0].n;
      const res = await api.app.inject({ method: 'POST', url: '/v1/session', payload: { apiKey: 'rw_nope' } });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
      expect((await api.t.db.query(`SELECT count(*)::int AS n FROM console_sessions`)).rows[0].n).toBe(before);
    });

    it('the cookie reads like the key; a change needs the CSRF header', async () => {
      const s = await signIn('operator');
      const list = await api.app.inject({ url: '/v1/campaigns', headers: { cookie: s.cookie } });
      expect(list.statusCode).toBe(200);
      const noCsrf = await api.app.inject({ method: 'POST', url: '/v1/campaigns', headers: { cookie: s.cookie }, payload: { name: 'x' } });
      expect(noCsrf.statusCode).toBe(403);
      expect(noCsrf.json().error.code).toBe('csrf_failed');
      const wrong = await api.app.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: { cookie: s.cookie, 'x-csrf-token': 'A'.repeat(43) },
        payload: { name: 'x' },
      });
      expect(wrong.json().error.code).toBe('csrf_failed');
      const ok = await api.app.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: { cookie: s.cookie, 'x-csrf-token': s.body.csrfToken },
        payload: { name: 'from the console' },
      });
      expect(ok.statusCode, ok.body).toBe(201);
    });

    it("a session has its key's role: a viewer's cookie changes nothing", async () => {
      const s = await signIn('viewer');
      const res = await api.app.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: { cookie: s.cookie, 'x-csrf-token': s.body.csrfToken },
        payload: { name: 'x' },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
      expect(s.body.allowed).toContain('GET /v1/campaigns');
      expect(s.body.allowed.filter((r) => !r.startsWith('GET '))).toEqual(['DELETE /v1/session']);
    });

    it('GET /v1/session lists exactly the routes the role passes (the same table the checks use)', async () => {
      const s = await signIn('supervisor');
      const me = await api.app.inject({ url: '/v1/session', headers: { cookie: s.cookie } });
      expect(me.json()).toMatchObject({ role: 'supervisor', csrfToken: s.body.csrfToken });
      const allowed = me.json().allowed as string[];
      expect(allowed).toContain('POST /v1/campaigns/:id/pause');
      expect(allowed).toContain('DELETE /v1/dnc/:id');
      expect(allowed).not.toContain('POST /v1/campaigns');
    });

    it('logout revokes the session server-side: the same cookie is refused afterwards', async () => {
      const s = await signIn('operator');
      const out = await api.app.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie: s.cookie, 'x-csrf-token': s.body.csrfToken } });
      expect(out.statusCode).toBe(204);
      expect(String(out.headers['set-cookie'])).toMatch(/^rw_session=; .*Max-Age=0/);
      const after = await api.app.inject({ url: '/v1/campaigns', headers: { cookie: s.cookie } });
      expect(after.statusCode).toBe(401);
    });

    it('an expired session or a revoked key ends the session', async () => {
      const s = await signIn('operator');
      await api.t.db.query(`UPDATE console_sessions SET expires_at = now() - interval '1 second'`);
      expect((await api.app.inject({ url: '/v1/campaigns', headers: { cookie: s.cookie } })).statusCode).toBe(401);
      const k = await api.mintKey('operator');
      const res = await api.app.inject({ method: 'POST', url: '/v1/session', payload: { apiKey: k.key } });
      const cookie = String(res.headers['set-cookie']).split(';')[0]!;
      await api.t.db.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [k.id]);
      expect((await api.app.inject({ url: '/v1/campaigns', headers: { cookie } })).statusCode).toBe(401);
    });
  });

  describe('GET /v1/customers?q=', () => {
    it('finds by phone in any format, by exact external id, and by name prefix in any case; newest first with paging', async () => {
      const q = async (s: string, extra = '') =>
        (await api.app.inject({ url: `/v1/customers?q=${encodeURIComponent(s)}${extra}`, headers: api.as('operator') })).json();
      expect((await q('138 0013 8009')).items.map((c: { externalId: string }) => c.externalId)).toEqual(['EXT-9']);
      expect((await q('+8613900139009')).items.map((c: { externalId: string }) => c.externalId)).toEqual(['EXT-9']);
      expect((await q('EXT-8')).items.map((c: { externalId: string }) => c.externalId)).toEqual(['EXT-8']);
      expect((await q('WAN')).items.map((c: { externalId: string }) => c.externalId)).toEqual(['EXT-8', 'EXT-7']);
      expect((await q('percent_')).items.map((c: { externalId: string }) => c.externalId)).toEqual(['EXT-100%']);
      expect((await q('%')).items).toEqual([]); // LIKE wildcards are literal
      const p1 = await q('wan', '&limit=1');
      expect(p1.items).toHaveLength(1);
      const p2 = await q('wan', `&limit=1&cursor=${p1.nextCursor}`);
      expect(p2.items.map((c: { externalId: string }) => c.externalId)).toEqual(['EXT-7']);
      expect(p2.nextCursor).toBeNull();
    });

    it('masks names and phones for viewers exactly as GET /v1/customers/:id does', async () => {
      const list = (await api.app.inject({ url: '/v1/customers?q=EXT-7', headers: api.as('viewer') })).json().items[0];
      const one = (await api.app.inject({ url: `/v1/customers/${list.id}`, headers: api.as('viewer') })).json();
      expect(list).toEqual(one);
      expect(list).toMatchObject({ name: 'W***', masked: true, phones: ['+86***07'] });
    });

    it('an agent key finds only customers on its own calls (none here)', async () => {
      const res = await api.app.inject({ url: '/v1/customers?q=EXT-7', headers: api.as('agent') });
      expect(res.statusCode).toBe(200);
      expect(res.json().items).toEqual([]);
    });

    it('each branch uses its own index (bench: a phone at a million customers took 4 s when the branches were one OR)', async () => {
      const plan = async (q: string) => {
        await api.t.db.query(`SET enable_seqscan = off`);
        try {
          const r = await api.t.db.query(
            `EXPLAIN SELECT id FROM customers p WHERE p.phones @> ARRAY[$1::text] UNION ALL SELECT id FROM customers n WHERE lower(n.name) LIKE $2`,
            [q, `${q}%`],
          );
          return r.rows.map((x) => x['QUERY PLAN']).join('\n');
        } finally {
          await api.t.db.query(`RESET enable_seqscan`);
        }
      };
      const p = await plan('+8613800138007');
      expect(p).toMatch(/customers_phones_idx/);
      expect(p).toMatch(/customers_name_prefix_idx/);
    });
  });

  it('GET /v1/campaigns/live is for campaign readers only', async () => {
    expect((await api.app.inject({ url: '/v1/campaigns/live?ids=1', headers: api.as('agent') })).statusCode).toBe(403);
    expect((await api.app.inject({ url: '/v1/campaigns/live?ids=1' })).statusCode).toBe(401);
    expect((await api.app.inject({ url: '/v1/campaigns/live?ids=1;DROP', headers: api.as('viewer') })).statusCode).toBe(400);
  });

  it('GET /v1/campaigns/live streams one update for every listed campaign', async () => {
    const c = (await api.app.inject({ method: 'POST', url: '/v1/campaigns', headers: api.as('operator'), payload: { name: 'live one' } })).json();
    const address = await api.app.listen({ port: 0, host: '127.0.0.1' });
    const ctrl = new AbortController();
    const res = await fetch(`${address}/v1/campaigns/live?ids=${c.id},999999&intervalMs=250`, { headers: api.as('viewer'), signal: ctrl.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    while ((text.match(/event: update/g) ?? []).length < 2) text += new TextDecoder().decode((await reader.read()).value);
    ctrl.abort();
    const first = JSON.parse(/data: (.*)/.exec(text)![1]!);
    expect(first.campaigns).toEqual([
      expect.objectContaining({ id: c.id, state: 'draft', callsPerSecond: 0, stats: expect.objectContaining({ progress: null }) }),
    ]);
  });

  it('POST /v1/prompts/preview renders the prompt for a sample customer as one playable WAV', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/prompts/preview',
      headers: api.as('operator'),
      payload: {
        prompt: {
          'zh-CN': {
            segments: [
              { type: 'sound', name: 'hello-world' },
              { type: 'tts', text: '您好{name}，您的贷款{amount}已逾期{days_past_due}天' },
            ],
          },
        },
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('audio/wav');
    expect(res.headers['x-prompt-skipped']).toBe('hello-world');
    const info = parseWav(res.rawPayload)!;
    expect(info).toMatchObject({ format: 1, sampleRate: 8000, channels: 1 });
    expect(info.durationMs).toBeGreaterThan(1000);
    const bad = await api.app.inject({
      method: 'POST',
      url: '/v1/prompts/preview',
      headers: api.as('operator'),
      payload: { prompt: { 'en-US': { segments: [{ type: 'tts', text: 'hi {nickname}' }] } } },
    });
    expect(bad.statusCode).toBe(422);
    const viewer = await api.app.inject({ method: 'POST', url: '/v1/prompts/preview', headers: api.as('viewer'), payload: { prompt: {} } });
    expect(viewer.statusCode).toBe(403);
  });

  it("call scripts: the built-in one until the campaign saves its own; unknown fields are refused; the call's script is filled in", async () => {
    const c = (await api.app.inject({ method: 'POST', url: '/v1/campaigns', headers: api.as('operator'), payload: { name: 'scripted' } })).json();
    const def = (await api.app.inject({ url: `/v1/campaigns/${c.id}/script`, headers: api.as('viewer') })).json();
    expect(def).toMatchObject({ campaignId: c.id, isDefault: true });
    expect(Object.keys(def.script).sort()).toEqual(['en-US', 'zh-CN']);
    const bad = await api.app.inject({
      method: 'PUT',
      url: `/v1/campaigns/${c.id}/script`,
      headers: api.as('operator'),
      payload: { 'en-US': [{ title: 'Greet', text: 'Hi {nickname}' }] },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toMatchObject({ code: 'script_unknown_field', details: { locale: 'en-US', step: 1, fields: ['nickname'] } });
    const script = {
      'en-US': [
        { title: 'Greet', text: 'Good morning {name}, this is {bank_name}.' },
        { title: 'Explain', text: 'You owe {amount}, {days_past_due} days late.' },
      ],
    };
    const put = await api.app.inject({ method: 'PUT', url: `/v1/campaigns/${c.id}/script`, headers: api.as('supervisor'), payload: script });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({ campaignId: c.id, script, isDefault: false });
    const cust = (
      await api.t.db.query(
        `INSERT INTO customers (external_id, name, phones, locale, amount_due, currency, days_past_due) VALUES ('S-1', 'Li Lei', ARRAY['+8613800138111'], 'en-US', 12.5, 'CNY', 9) RETURNING id`,
      )
    ).rows[0].id;
    const att = (
      await api.t.db.query(
        `INSERT INTO call_attempts (campaign_id, customer_id, attempt_no, phone, state) VALUES ($1, $2, 1, '+8613800138111', 'ended') RETURNING id`,
        [c.id, cust],
      )
    ).rows[0].id;
    const filled = (await api.app.inject({ url: `/v1/calls/${att}/script`, headers: api.as('operator') })).json();
    expect(filled).toMatchObject({ attemptId: att, campaignId: c.id, locale: 'en-US', isDefault: false });
    expect(filled.steps).toEqual([
      { title: 'Greet', text: 'Good morning Li Lei, this is Ringwise Demo Bank.' },
      { title: 'Explain', text: 'You owe 12.50 CNY, 9 days late.' },
    ]);
    // The customer's dispositions: full for staff, the note hidden from viewers; outside an agent's calls, 404.
    await api.t.db.query(
      `INSERT INTO dispositions (attempt_id, kind, amount, promised_date, note) VALUES ($1, 'promise_to_pay', 12.5, '2026-12-24', 'after payday')`,
      [att],
    );
    const staff = (await api.app.inject({ url: `/v1/customers/${cust}/dispositions`, headers: api.as('supervisor') })).json();
    expect(staff.items).toEqual([
      expect.objectContaining({ attemptId: att, kind: 'promise_to_pay', amount: '12.50', promisedDate: '2026-12-24', note: 'after payday' }),
    ]);
    expect((await api.app.inject({ url: `/v1/customers/${cust}/dispositions`, headers: api.as('viewer') })).json().items[0].note).toBeNull();
    expect((await api.app.inject({ url: `/v1/customers/${cust}/dispositions`, headers: api.as('agent') })).statusCode).toBe(404);
    const audited = (await api.t.db.query(`SELECT details FROM audit_log WHERE action = 'campaign.script'`)).rows;
    expect(audited).toEqual([{ details: { steps: { 'en-US': 2 } } }]);
  });

  it('content-type application/json with an empty body is {} (no malformed_json); bad JSON still is', async () => {
    const c = (await api.app.inject({ method: 'POST', url: '/v1/campaigns', headers: api.as('operator'), payload: { name: 'empty body' } })).json();
    const cancel = await api.app.inject({
      method: 'POST',
      url: `/v1/campaigns/${c.id}/cancel`,
      headers: { ...api.as('operator'), 'content-type': 'application/json' },
      body: '',
    });
    expect(cancel.statusCode, cancel.body).toBe(200);
    const create = await api.app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: { ...api.as('operator'), 'content-type': 'application/json' },
      body: '',
    });
    expect(create.statusCode).toBe(400);
    expect(create.json().error.code).toBe('invalid_request');
    const broken = await api.app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: { ...api.as('operator'), 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(broken.json().error.code).toBe('malformed_json');
    const poisoned = await api.app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: { ...api.as('operator'), 'content-type': 'application/json' },
      body: '{"name":"x","__proto__":{"a":1}}',
    });
    expect(poisoned.statusCode).toBe(400);
  });

  it("the OpenAPI document has what redocly's recommended rules ask: servers, and a unique operationId, a summary and a 2xx answer on every operation", async () => {
    const doc = (await api.app.inject({ url: '/docs/json' })).json() as {
      servers: unknown[];
      paths: Record<string, Record<string, { operationId?: string; summary?: string; responses: Record<string, unknown> }>>;
    };
    expect(doc.servers.length).toBeGreaterThan(0);
    const ops = Object.entries(doc.paths).flatMap(([path, m]) => Object.entries(m).map(([method, o]) => ({ at: `${method} ${path}`, ...o })));
    expect(ops.length).toBeGreaterThan(45);
    expect(ops.filter((o) => !o.operationId || !o.summary || !Object.keys(o.responses).some((c) => c.startsWith('2'))).map((o) => o.at)).toEqual([]);
    expect(new Set(ops.map((o) => o.operationId)).size).toBe(ops.length);
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/console'))).toBe(false);
  });

  it('serves /console with a strict CSP, or a clear 503 when it was not built', async () => {
    const res = await api.app.inject({ url: '/console/' });
    if (res.statusCode === 503) {
      expect(res.json().error.code).toBe('console_not_built');
      return;
    }
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'/);
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe/);
    const js = /src="\.\/(app-[A-Z0-9]{8}\.js)"/.exec(res.body)![1]!;
    const asset = await api.app.inject({ url: `/console/${js}` });
    expect(asset.headers['cache-control']).toMatch(/immutable/);
    expect((await api.app.inject({ url: '/console/..%2Fpackage.json' })).statusCode).toBe(400);
  });
});
