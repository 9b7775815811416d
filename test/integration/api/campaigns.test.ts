import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';

const FULL = {
  name: 'October reminders',
  prompt: {
    'zh-CN': {
      segments: [
        { type: 'sound', name: 'hello-world' },
        { type: 'tts', text: '您好 {name}' },
      ],
    },
    'en-US': { segments: [{ type: 'tts', text: 'Hello {name}' }] },
  },
  callerId: '+8695500',
  policyOverrides: {
    windowStart: '09:00',
    windowEnd: '20:00',
    maxAttemptsPerDay: 3,
    maxConnectedPerDay: 1,
    maxAttemptsPerContact: 5,
    minGapMinutes: 60,
    allowedWeekdays: [1, 2, 3, 4, 5],
  },
  riskThreshold: 70,
  maxConcurrent: 20,
  callsPerSecond: 2.5,
  retryPolicy: {
    busy: { delaySeconds: 600, maxRetries: 2 },
    no_answer: { delaySeconds: 1800, maxRetries: 3 },
    machine: { delaySeconds: 3600, maxRetries: 1 },
    failed: { delaySeconds: 60, maxRetries: 0 },
  },
  amdEnabled: true,
  amdMachineAction: 'message',
  defaultTimeZone: 'Asia/Shanghai',
};

describe('campaigns API', () => {
  let api: TestApi;
  const events: [number, string][] = [];
  beforeAll(async () => {
    api = await createTestApi({
      deps: {
        events: {
          async campaignStateChanged(id, state) {
            events.push([id, state]);
          },
        },
      },
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  const create = (body: unknown, role: 'operator' | 'admin' = 'operator') =>
    api.app.inject({ method: 'POST', url: '/v1/campaigns', headers: { ...api.as(role), 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  const count = async (table: string) => (await api.t.db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

  it('creates a campaign with every field, reads it back, audits it', async () => {
    const res = await create(FULL);
    expect(res.statusCode).toBe(201);
    const c = res.json();
    expect(c).toMatchObject({ ...FULL, state: 'draft', launchedAt: null, endedAt: null });
    expect(typeof c.id).toBe('number');
    const got = await api.app.inject({ url: `/v1/campaigns/${c.id}`, headers: api.as('viewer') });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(c);
    const { rows } = await api.t.db.query(`SELECT key_id, role, action, target_type, target_id, details FROM audit_log WHERE action = 'campaign.create'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ key_id: api.keyIds.operator, role: 'operator', target_type: 'campaign', target_id: String(c.id) });
    expect(JSON.stringify(rows[0].details)).not.toContain('8695500');
  });

  it('stores shorthand prompt segments typed, and checks a patch the same way', async () => {
    const res = await create({ name: 'shorthand', prompt: { 'en-US': { segments: [{ text: 'Hello {name}' }] } } });
    expect(res.statusCode).toBe(201);
    expect(res.json().prompt).toEqual({ 'en-US': { segments: [{ type: 'tts', text: 'Hello {name}' }] } });
    const patch = (body: unknown) =>
      api.app.inject({
        method: 'PATCH',
        url: `/v1/campaigns/${res.json().id}`,
        headers: { ...api.as('operator'), 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
    const looser = await patch({ policyOverrides: { windowStart: '06:00', windowEnd: '21:00' } });
    expect(looser.statusCode).toBe(422);
    expect(looser.json().error).toMatchObject({ code: 'override_not_stricter', details: { field: 'windowStart' } });
    const stricter = await patch({ policyOverrides: { windowStart: '10:00', windowEnd: '18:00', maxAttemptsPerDay: 2 } });
    expect(stricter.statusCode).toBe(200);
    expect(stricter.json().policyOverrides).toEqual({ windowStart: '10:00', windowEnd: '18:00', maxAttemptsPerDay: 2 });
  });

  it('fills database defaults for a minimal campaign', async () => {
    const res = await create({ name: 'minimal' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      name: 'minimal',
      prompt: {},
      callerId: null,
      policyOverrides: {},
      maxConcurrent: 10,
      callsPerSecond: 2,
      retryPolicy: {},
      amdEnabled: false,
      amdMachineAction: 'hangup',
      defaultTimeZone: null,
      riskThreshold: null,
    });
  });

  describe('rejects bad input without touching the database', () => {
    const bad: [string, unknown, number, string][] = [
      ['missing name', { callerId: '123' }, 400, 'invalid_request'],
      ['empty name', { name: '' }, 400, 'invalid_request'],
      ['unknown top-level field', { name: 'x', colour: 'red' }, 400, 'invalid_request'],
      ['unknown override key', { name: 'x', policyOverrides: { maxCallsPerHour: 3 } }, 400, 'invalid_request'],
      ['bad window format', { name: 'x', policyOverrides: { windowStart: '9am' } }, 400, 'invalid_request'],
      ['weekday 8', { name: 'x', policyOverrides: { allowedWeekdays: [8] } }, 400, 'invalid_request'],
      ['empty window', { name: 'x', policyOverrides: { windowStart: '09:00', windowEnd: '09:00' } }, 422, 'empty_window'],
      ['window past the global one', { name: 'x', policyOverrides: { windowStart: '07:00', windowEnd: '20:00' } }, 422, 'override_not_stricter'],
      ['night window across midnight', { name: 'x', policyOverrides: { windowStart: '20:00', windowEnd: '09:00' } }, 422, 'override_not_stricter'],
      ['looser daily cap', { name: 'x', policyOverrides: { maxAttemptsPerDay: 7 } }, 422, 'override_not_stricter'],
      ['audio prompt that does not exist', { name: 'x', prompt: { 'zh-CN': { segments: [{ promptId: 424242 }] } } }, 422, 'prompt_not_found'],
      ['unknown placeholder', { name: 'x', prompt: { 'en-US': { segments: [{ text: 'Hello {first_name}' }] } } }, 422, 'prompt_unknown_field'],
      ['unbalanced brace', { name: 'x', prompt: { 'en-US': { segments: [{ text: 'Hello {name' }] } } }, 422, 'prompt_invalid_template'],
      ['language without a voice', { name: 'x', prompt: { 'xx-YY': { segments: [{ text: 'Hello' }] } } }, 422, 'prompt_unsupported_locale'],
      ['sound name with a path', { name: 'x', prompt: { 'en-US': { segments: [{ type: 'sound', name: '../etc/passwd' }] } } }, 400, 'invalid_request'],
      ['duplicate weekday', { name: 'x', policyOverrides: { allowedWeekdays: [1, 1] } }, 422, 'duplicate_weekday'],
      ['string for number', { name: 'x', maxConcurrent: '5' }, 400, 'invalid_request'],
      ['number for string', { name: 123 }, 400, 'invalid_request'],
      ['null for boolean', { name: 'x', amdEnabled: null }, 400, 'invalid_request'],
      ['zero concurrency', { name: 'x', maxConcurrent: 0 }, 400, 'invalid_request'],
      ['zero cps', { name: 'x', callsPerSecond: 0 }, 400, 'invalid_request'],
      ['risk over 100', { name: 'x', riskThreshold: 101 }, 400, 'invalid_request'],
      ['retry delay under a minute', { name: 'x', retryPolicy: { busy: { delaySeconds: 59, maxRetries: 1 } } }, 400, 'invalid_request'],
      ['too many retries', { name: 'x', retryPolicy: { busy: { delaySeconds: 60, maxRetries: 11 } } }, 400, 'invalid_request'],
      ['unknown retry outcome', { name: 'x', retryPolicy: { rejected: { delaySeconds: 60, maxRetries: 1 } } }, 400, 'invalid_request'],
      ['bad machine action', { name: 'x', amdMachineAction: 'voicemail' }, 400, 'invalid_request'],
      ['bad caller id', { name: 'x', callerId: 'BANK' }, 400, 'invalid_request'],
      ['bad locale key', { name: 'x', prompt: { chinese: { segments: [{ text: 'hi' }] } } }, 400, 'invalid_request'],
      ['unknown segment field', { name: 'x', prompt: { 'zh-CN': { segments: [{ text: 'hi', voice: 'x' }] } } }, 400, 'invalid_request'],
      ['unknown time zone', { name: 'x', defaultTimeZone: 'Mars/Olympus' }, 422, 'invalid_time_zone'],
      ['array body', [{ name: 'x' }], 400, 'invalid_request'],
      ['null body', null, 400, 'invalid_request'],
      ['NUL in name', { name: 'a\u0000b' }, 400, 'invalid_request'],
      ['NUL in a prompt', { name: 'x', prompt: { 'zh-CN': { segments: [{ text: 'a\u0000' }] } } }, 400, 'invalid_request'],
      ['cps below two decimals', { name: 'x', callsPerSecond: 0.001 }, 400, 'invalid_request'],
      ['fractional risk', { name: 'x', riskThreshold: 50.5 }, 400, 'invalid_request'],
    ];
    it.each(bad)('%s → %i %s', async (_label, body, status, code) => {
      const before = await count('campaigns');
      const auditBefore = await count('audit_log');
      const res = await create(body);
      expect(res.statusCode).toBe(status);
      expect(res.json().error.code).toBe(code);
      expect(await count('campaigns')).toBe(before);
      expect(await count('audit_log')).toBe(auditBefore);
    });

    it('malformed JSON → 400 malformed_json', async () => {
      const res = await api.app.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: { ...api.as('operator'), 'content-type': 'application/json' },
        payload: '{"name": "x",',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('malformed_json');
    });

    it('wrong content type → 415', async () => {
      const res = await api.app.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: { ...api.as('operator'), 'content-type': 'application/xml' },
        payload: '<name/>',
      });
      expect(res.statusCode).toBe(415);
      expect(res.json().error.code).toBe('unsupported_media_type');
    });

    it('oversize body → 413 body_too_large', async () => {
      const payload = JSON.stringify({ name: 'x'.repeat(api.deps.config.api.bodyLimitBytes + 10) });
      const res = await api.app.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: { ...api.as('operator'), 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('body_too_large');
    });

    it('bad ids and cursors → 400', async () => {
      for (const url of [
        '/v1/campaigns/abc',
        '/v1/campaigns/0',
        '/v1/campaigns/-1',
        '/v1/campaigns/99999999999999999999',
        '/v1/campaigns?cursor=zzz',
        '/v1/campaigns?limit=0',
        '/v1/campaigns?limit=501',
        '/v1/campaigns?state=archived',
        '/v1/campaigns?foo=1',
      ]) {
        const res = await api.app.inject({ url, headers: api.as('viewer') });
        expect(res.statusCode, url).toBe(400);
      }
      const missing = await api.app.inject({ url: '/v1/campaigns/424242', headers: api.as('viewer') });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.code).toBe('not_found');
    });
  });

  it('stores time zones in their canonical spelling', async () => {
    const res = await create({ name: 'tz', defaultTimeZone: 'asia/shanghai' });
    expect(res.statusCode).toBe(201);
    expect(res.json().defaultTimeZone).toBe('Asia/Shanghai');
  });

  it('refuses NUL characters in query strings too', async () => {
    const res = await api.app.inject({ url: '/v1/audit?action=%00', headers: api.as('admin') });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
  });

  it('patches only while draft', async () => {
    const c = (await create({ name: 'to edit' })).json();
    const res = await api.app.inject({
      method: 'PATCH',
      url: `/v1/campaigns/${c.id}`,
      headers: api.as('operator'),
      payload: { name: 'edited', maxConcurrent: 5, defaultTimeZone: null },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'edited', maxConcurrent: 5, defaultTimeZone: null });
    expect((await api.app.inject({ method: 'PATCH', url: `/v1/campaigns/${c.id}`, headers: api.as('operator'), payload: {} })).statusCode).toBe(400);
    expect(
      (await api.app.inject({ method: 'PATCH', url: `/v1/campaigns/${c.id}`, headers: api.as('operator'), payload: { defaultTimeZone: 'Nowhere/City' } }))
        .statusCode,
    ).toBe(422);

    expect((await api.app.inject({ method: 'POST', url: `/v1/campaigns/${c.id}/launch`, headers: api.as('operator') })).statusCode).toBe(200);
    const late = await api.app.inject({ method: 'PATCH', url: `/v1/campaigns/${c.id}`, headers: api.as('operator'), payload: { name: 'too late' } });
    expect(late.statusCode).toBe(409);
    expect(late.json().error).toMatchObject({ code: 'campaign_not_editable', details: { state: 'running' } });
    const row = (await api.t.db.query('SELECT name FROM campaigns WHERE id = $1', [c.id])).rows[0];
    expect(row.name).toBe('edited');
    expect((await api.app.inject({ method: 'PATCH', url: '/v1/campaigns/424242', headers: api.as('operator'), payload: { name: 'x' } })).statusCode).toBe(404);
  });

  it('walks the state machine, refuses invalid transitions, audits and notifies', async () => {
    const c = (await create({ name: 'lifecycle' })).json();
    const act = (a: string, role: 'operator' | 'supervisor' = 'operator') =>
      api.app.inject({ method: 'POST', url: `/v1/campaigns/${c.id}/${a}`, headers: api.as(role) });
    events.length = 0;

    let res = await act('pause');
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'invalid_transition', details: { from: 'draft', to: 'paused', action: 'pause' } });

    const withBody = await api.app.inject({ method: 'POST', url: `/v1/campaigns/${c.id}/launch`, headers: api.as('operator'), payload: { force: true } });
    expect(withBody.statusCode).toBe(400);
    expect(withBody.json().error.code).toBe('invalid_request');
    const emptyBody = await api.app.inject({ method: 'POST', url: `/v1/campaigns/${c.id}/pause`, headers: api.as('operator'), payload: {} });
    expect(emptyBody.json().error.code).toBe('invalid_transition');

    res = await act('launch');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'running' });
    expect(res.json().launchedAt).not.toBeNull();
    expect((await act('launch')).json().error.details).toMatchObject({ from: 'running', to: 'running' });
    expect((await act('resume')).statusCode).toBe(409);
    expect((await act('pause', 'supervisor')).json().state).toBe('paused');
    expect((await act('resume')).json().state).toBe('running');
    res = await act('cancel');
    expect(res.json()).toMatchObject({ state: 'cancelled' });
    expect(res.json().endedAt).not.toBeNull();
    for (const a of ['launch', 'pause', 'resume', 'cancel']) {
      const r = await act(a);
      expect(r.statusCode).toBe(409);
      expect(r.json().error.details.from).toBe('cancelled');
    }
    expect(events).toEqual([
      [c.id, 'running'],
      [c.id, 'paused'],
      [c.id, 'running'],
      [c.id, 'cancelled'],
    ]);
    const { rows } = await api.t.db.query(`SELECT action, role FROM audit_log WHERE target_type = 'campaign' AND target_id = $1 ORDER BY id`, [String(c.id)]);
    expect(rows.map((r) => r.action)).toEqual(['campaign.create', 'campaign.launch', 'campaign.pause', 'campaign.resume', 'campaign.cancel']);
    expect((await act('launch')).statusCode).toBe(409);
    expect((await api.app.inject({ method: 'POST', url: '/v1/campaigns/424242/launch', headers: api.as('operator') })).statusCode).toBe(404);
  });

  it('lets exactly one of many racing launches win', async () => {
    const c = (await create({ name: 'race' })).json();
    const results = await Promise.all(
      Array.from({ length: 12 }, () => api.app.inject({ method: 'POST', url: `/v1/campaigns/${c.id}/launch`, headers: api.as('operator') })),
    );
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(11);
    const { rows } = await api.t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'campaign.launch' AND target_id = $1`, [String(c.id)]);
    expect(rows[0].n).toBe(1);
  });

  it('cancelling a campaign cancels its waiting contacts but not finished ones', async () => {
    const c = (await create({ name: 'with contacts' })).json();
    const cust = await api.t.db.query(
      `INSERT INTO customers (external_id, name, phones) SELECT 'cc-' || g, 'Name ' || g, ARRAY['+86138001380' || lpad(g::text, 2, '0')] FROM generate_series(1, 4) g RETURNING id`,
    );
    const states = ['pending', 'deferred', 'dialing', 'completed'];
    for (const [i, r] of cust.rows.entries()) {
      await api.t.db.query(`INSERT INTO campaign_contacts (campaign_id, customer_id, state) VALUES ($1, $2, $3)`, [c.id, r.id, states[i]]);
    }
    await api.app.inject({ method: 'POST', url: `/v1/campaigns/${c.id}/launch`, headers: api.as('operator') });
    await api.app.inject({ method: 'POST', url: `/v1/campaigns/${c.id}/cancel`, headers: api.as('operator') });
    const { rows } = await api.t.db.query(`SELECT state FROM campaign_contacts WHERE campaign_id = $1 ORDER BY id`, [c.id]);
    expect(rows.map((r) => r.state)).toEqual(['cancelled', 'cancelled', 'dialing', 'completed']);
  });

  it('lists campaigns newest first with a cursor and a state filter', async () => {
    const all: number[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/campaigns?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await api.app.inject({ url, headers: api.as('supervisor') });
      expect(res.statusCode).toBe(200);
      const page = res.json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      all.push(...page.items.map((i: { id: number }) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    const { rows } = await api.t.db.query('SELECT id FROM campaigns ORDER BY id DESC');
    expect(all).toEqual(rows.map((r) => Number(r.id)));
    const drafts = (await api.app.inject({ url: '/v1/campaigns?state=draft&limit=500', headers: api.as('viewer') })).json();
    expect(drafts.items.length).toBeGreaterThan(0);
    expect(drafts.items.every((i: { state: string }) => i.state === 'draft')).toBe(true);
  });
});
