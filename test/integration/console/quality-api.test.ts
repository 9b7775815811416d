import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';

// Quality review, checklists and the chart series through Fastify and a real PostgreSQL (the
// browser test test/e2e/console/supervisor.test.ts drives the same routes on a real recorded call).
describe('quality and chart API', () => {
  let api: TestApi;
  let campaignId: number;
  let agentId: number;
  let recorded: string;
  let unrecorded: string;

  const call = async (role: Parameters<TestApi['as']>[0], method: string, url: string, payload?: unknown) =>
    api.app.inject({ method: method as 'GET', url, headers: api.as(role), ...(payload === undefined ? {} : { payload: payload as object }) });

  beforeAll(async () => {
    api = await createTestApi();
    const c = await call('operator', 'POST', '/v1/campaigns', {
      name: 'QA',
      callerId: '+8695500',
      prompt: { 'en-US': { segments: [{ type: 'sound', name: 'hello-world' }] } },
    });
    expect(c.statusCode, c.body).toBe(201);
    campaignId = c.json().id;
    const db = api.t.db;
    agentId = Number(
      (
        await db.query(`INSERT INTO agents (name, sip_username, sip_md5, sip_realm) VALUES ('QA Agent', 'rwt-qa-1', $1, 'ringwise') RETURNING id`, [
          '0'.repeat(32),
        ])
      ).rows[0].id,
    );
    const cust = (
      await db.query(
        `INSERT INTO customers (external_id, name, phones, time_zone) VALUES ('QA-1', 'Q A', ARRAY['+8613800000001'], 'Asia/Shanghai') RETURNING id`,
      )
    ).rows[0].id;
    recorded = randomUUID();
    unrecorded = randomUUID();
    // Two calls at 10:00:20 and 10:00:40 Shanghai time, one at 10:02 that was never recorded.
    await db.query(
      `INSERT INTO call_attempts (id, customer_id, campaign_id, attempt_no, phone, state, outcome, agent_id, reserved_at) VALUES
         ($1, $3, $4, 1, '+8613800000001', 'ended', 'answered_human', $5, '2026-12-07T02:00:20Z'),
         ($2, $3, $4, 2, '+8613800000001', 'ended', 'busy', $5, '2026-12-07T02:00:40Z'),
         ($6, $3, $4, 3, '+8613800000001', 'ended', 'answered_human', NULL, '2026-12-07T02:02:00Z')`,
      [recorded, unrecorded, cust, campaignId, agentId, randomUUID()],
    );
    await db.query(`INSERT INTO recordings (attempt_id, file_name, bytes) VALUES ($1, 'x.wav', 100)`, [recorded]);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('a campaign starts with the built-in checklist; supervisors replace it; duplicates are refused; viewers only read', async () => {
    const got = await call('viewer', 'GET', `/v1/campaigns/${campaignId}/checklist`);
    expect(got.json()).toMatchObject({
      isDefault: true,
      items: [{ id: 'greeting' }, { id: 'identity' }, { id: 'no_threats', critical: true }, { id: 'plan_offered' }, { id: 'opt_out', critical: true }],
    });
    const items = [
      { id: 'greeting', label: 'Polite greeting', critical: false },
      { id: 'no_threats', label: 'No threats', critical: true },
    ];
    expect((await call('viewer', 'PUT', `/v1/campaigns/${campaignId}/checklist`, { items })).statusCode).toBe(403);
    const dup = await call('supervisor', 'PUT', `/v1/campaigns/${campaignId}/checklist`, { items: [...items, items[0]] });
    expect(dup.statusCode).toBe(422);
    expect(dup.json().error.code).toBe('checklist_duplicate_item');
    expect((await call('supervisor', 'PUT', `/v1/campaigns/${campaignId}/checklist`, { items })).json()).toMatchObject({ isDefault: false, items });
    expect((await call('supervisor', 'PUT', `/v1/campaigns/${campaignId}/checklist`, { items: [{ id: 'Bad Id', label: 'x' }] })).statusCode).toBe(400);
    expect((await call('supervisor', 'GET', `/v1/campaigns/999999/checklist`)).statusCode).toBe(404);
  });

  it('reviews: every item answered, only recorded agent calls, the score kept with the checklist it used', async () => {
    const mismatch = await call('supervisor', 'POST', '/v1/quality/reviews', { attemptId: recorded, answers: { greeting: true } });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.json().error).toMatchObject({ code: 'review_answers_mismatch', details: { missing: ['no_threats'], unknown: [] } });
    const notRecorded = await call('supervisor', 'POST', '/v1/quality/reviews', { attemptId: unrecorded, answers: { greeting: true, no_threats: true } });
    expect(notRecorded.json().error.code).toBe('call_not_reviewable');
    expect((await call('supervisor', 'POST', '/v1/quality/reviews', { attemptId: randomUUID(), answers: {} })).statusCode).toBe(404);
    expect((await call('agent', 'POST', '/v1/quality/reviews', { attemptId: recorded, answers: { greeting: true, no_threats: true } })).statusCode).toBe(403);

    const ok = await call('supervisor', 'POST', '/v1/quality/reviews', {
      attemptId: recorded,
      answers: { greeting: true, no_threats: false },
      comment: '  terse  ',
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ agentId, campaignId, score: 0, comment: 'terse', items: [{ id: 'greeting' }, { id: 'no_threats' }] });
    // Back to the built-in checklist: the stored review keeps the two items it was scored on.
    await call('supervisor', 'PUT', `/v1/campaigns/${campaignId}/checklist`, { items: null });
    const list = await call('viewer', 'GET', `/v1/quality/reviews?agentId=${agentId}`);
    expect(list.json().items.map((r: { items: unknown[] }) => r.items.length)).toEqual([2]);
    const audit = await api.t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'quality.review' AND target_id = $1`, [recorded]);
    expect(audit.rows[0].n).toBe(1);
  });

  it('calls to review: recorded agent calls only, unreviewed on request; scores per agent per day in a zone', async () => {
    const all = await call('supervisor', 'GET', `/v1/quality/calls?campaignId=${campaignId}`);
    expect(all.json().items).toEqual([expect.objectContaining({ attemptId: recorded, agentId, agentName: 'QA Agent', reviews: 1 })]);
    expect((await call('supervisor', 'GET', `/v1/quality/calls?campaignId=${campaignId}&unreviewed=true&random=true`)).json().items).toEqual([]);
    expect((await call('viewer', 'GET', '/v1/quality/calls')).statusCode).toBe(403);
    const scores = await call('viewer', 'GET', `/v1/quality/scores?agentId=${agentId}&timeZone=Asia/Shanghai`);
    expect(scores.json().items).toEqual([{ agentId, agentName: 'QA Agent', day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), reviews: 1, score: 0 }]);
    expect((await call('viewer', 'GET', '/v1/quality/scores?timeZone=Mars/Olympus')).json().error.code).toBe('invalid_time_zone');
    expect((await call('viewer', 'GET', '/v1/quality/scores?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z')).json().error.code).toBe('invalid_range');
  });

  it('chart series: attempts per minute with outcomes, and per local hour beside the calling window', async () => {
    const s = await call('viewer', 'GET', `/v1/campaigns/${campaignId}/series`);
    expect(s.json()).toEqual({
      campaignId,
      bucket: 'minute',
      items: [
        { at: '2026-12-07T02:00:00.000Z', calls: 2, outcomes: { answered_human: 1, busy: 1 } },
        { at: '2026-12-07T02:02:00.000Z', calls: 1, outcomes: { answered_human: 1 } },
      ],
    });
    expect((await call('viewer', 'GET', `/v1/campaigns/${campaignId}/series?bucket=hour`)).json().items).toEqual([
      { at: '2026-12-07T02:00:00.000Z', calls: 3, outcomes: { answered_human: 2, busy: 1 } },
    ]);
    const hourly = (await call('operator', 'GET', `/v1/campaigns/${campaignId}/attempts-by-hour`)).json();
    expect(hourly.items).toHaveLength(24);
    expect(hourly.items[10]).toEqual({ hour: 10, attempts: 3, inWindow: true }); // 02:00Z is 10:00 in Shanghai
    expect(hourly.items.filter((i: { attempts: number }) => i.attempts > 0)).toHaveLength(1);
    const start = Number(hourly.window.start.slice(0, 2));
    expect(hourly.items[(start + 23) % 24].inWindow).toBe(false);
    expect((await call('agent', 'GET', `/v1/campaigns/${campaignId}/series`)).statusCode).toBe(403);
  });
  it('GET /v1/agents/live: the board first, then an update when an agent changes; for agent readers only', async () => {
    expect((await call('agent', 'GET', '/v1/agents/live')).statusCode).toBe(403);
    expect((await api.app.inject({ url: '/v1/agents/live' })).statusCode).toBe(401);
    const address = await api.app.listen({ port: 0, host: '127.0.0.1' });
    const ctrl = new AbortController();
    const res = await fetch(`${address}/v1/agents/live?intervalMs=250`, { headers: api.as('viewer'), signal: ctrl.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const updates = () => [...text.matchAll(/event: update\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]!) as { agents: { id: number; state: string }[] });
    while (updates().length < 1) text += new TextDecoder().decode((await reader.read()).value);
    expect(updates()[0]!.agents.find((a) => a.id === agentId)).toMatchObject({ name: 'QA Agent', state: 'offline' });
    await api.t.db.query(`UPDATE agents SET state = 'paused', pause_reason = 'lunch', state_since = now() WHERE id = $1`, [agentId]);
    while (updates().length < 2) text += new TextDecoder().decode((await reader.read()).value);
    ctrl.abort();
    expect(updates()[1]!.agents.find((a) => a.id === agentId)).toMatchObject({ state: 'paused', pauseReason: 'lunch' });
  });
});
