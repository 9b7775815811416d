import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';

const OUTCOMES = ['answered_human', 'busy', 'no_answer', 'bridged', 'abandoned', 'answered_machine', null];

describe('calls API and campaign stats', () => {
  let api: TestApi;
  let campaignA: number;
  let campaignB: number;
  let customers: number[];
  const total = 23;

  beforeAll(async () => {
    api = await createTestApi();
    const db = api.t.db;
    campaignA = Number((await db.query(`INSERT INTO campaigns (name, state) VALUES ('A', 'running') RETURNING id`)).rows[0].id);
    campaignB = Number((await db.query(`INSERT INTO campaigns (name) VALUES ('B') RETURNING id`)).rows[0].id);
    customers = (
      await db.query(
        `INSERT INTO customers (external_id, name, phones) SELECT 'c' || g, 'N' || g, ARRAY['+86138001380' || lpad(g::text, 2, '0')] FROM generate_series(1, 5) g RETURNING id`,
      )
    ).rows.map((r) => Number(r.id));
    const contactStates = ['completed', 'deferred', 'blocked', 'pending', 'dialing'];
    const reasons = [null, 'quiet_hours', 'dnc', null, null];
    const contacts: number[] = [];
    for (const [i, cid] of customers.entries()) {
      const r = await db.query(`INSERT INTO campaign_contacts (campaign_id, customer_id, state, reason) VALUES ($1, $2, $3, $4) RETURNING id`, [
        campaignA,
        cid,
        contactStates[i],
        reasons[i],
      ]);
      contacts.push(Number(r.rows[0].id));
    }
    // Several attempts share one reserved_at (microseconds included) so the keyset tie-break on id matters.
    for (let i = 0; i < total; i++) {
      const k = i % customers.length;
      const outcome = OUTCOMES[i % OUTCOMES.length];
      await db.query(
        // A person answered (the abandon rate's denominator) in the last day: the rate reads a 30-day window by answer time.
        `INSERT INTO call_attempts (campaign_id, contact_id, customer_id, attempt_no, phone, state, outcome, connected, reserved_at,
                                    answered_at, live_answered, abandoned)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, timestamptz '2026-11-01 10:00:00.123456+00' + ($9 / 3) * interval '1 minute',
                 CASE WHEN $10 THEN now() - interval '1 hour' END, $10, $7 = 'abandoned')`,
        [
          i < 20 ? campaignA : campaignB,
          i < 20 ? contacts[k] : null,
          customers[k],
          Math.floor(i / customers.length) + 1,
          `+86138001380${String(k + 1).padStart(2, '0')}`,
          outcome ? 'ended' : 'ringing',
          outcome,
          outcome === 'answered_human' || outcome === 'bridged',
          i,
          outcome === 'answered_human' || outcome === 'bridged' || outcome === 'abandoned',
        ],
      );
    }
  });
  afterAll(async () => {
    await api?.close();
  });

  async function pageAll(query: string, role: 'supervisor' | 'operator' | 'viewer' = 'supervisor', limit = 4) {
    const items: { id: string; reservedAt: string; phone: string; campaignId: number; customerId: number; outcome: string | null }[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/calls?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await api.app.inject({ url, headers: api.as(role) });
      expect(res.statusCode, res.body).toBe(200);
      items.push(...res.json().items);
      cursor = res.json().nextCursor;
    } while (cursor);
    return items;
  }

  it('pages every call exactly once, newest first', async () => {
    const items = await pageAll('');
    expect(items).toHaveLength(total);
    expect(new Set(items.map((i) => i.id)).size).toBe(total);
    const times = items.map((i) => i.reservedAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(items[0]!.phone).toMatch(/^\+86138/);
  });

  it('filters by campaign, customer, outcome and time range', async () => {
    expect(await pageAll(`&campaignId=${campaignB}`)).toHaveLength(3);
    const byCustomer = await pageAll(`&customerId=${customers[0]}`);
    expect(byCustomer.length).toBeGreaterThan(0);
    expect(byCustomer.every((i) => i.customerId === customers[0])).toBe(true);
    const busy = await pageAll('&outcome=busy');
    expect(busy.length).toBeGreaterThan(0);
    expect(busy.every((i) => i.outcome === 'busy')).toBe(true);
    const ranged = await pageAll(`&from=${encodeURIComponent('2026-11-01T10:01:00Z')}&to=${encodeURIComponent('2026-11-01T10:03:00Z')}`);
    expect(ranged).toHaveLength(6);
  });

  it('masks phones for operators and viewers (as the CSV export does)', async () => {
    for (const role of ['operator', 'viewer'] as const) {
      const items = await pageAll('', role, 50);
      expect(
        items.every((i) => /^\+86\*\*\*\d\d$/.test(i.phone)),
        role,
      ).toBe(true);
    }
  });

  it('refuses bad filters and cursors with 400', async () => {
    const bad = [
      'campaignId=100000000000000000000',
      'limit=501',
      'limit=0',
      'outcome=exploded',
      'from=yesterday',
      'campaignId=x',
      'cursor=abc',
      `cursor=${Buffer.from('["x","y"]').toString('base64url')}`,
      `cursor=${Buffer.from('[1]').toString('base64url')}`,
      'sort=asc',
    ];
    for (const q of bad) {
      const res = await api.app.inject({ url: `/v1/calls?${q}`, headers: api.as('operator') });
      expect(res.statusCode, q).toBe(400);
    }
  });

  it('streams a CSV export, oldest first, masked unless admin or supervisor', async () => {
    const full = await api.app.inject({ url: '/v1/calls.csv', headers: api.as('supervisor') });
    expect(full.statusCode).toBe(200);
    expect(full.headers['content-type']).toMatch(/^text\/csv/);
    expect(full.headers['content-disposition']).toContain('calls.csv');
    const lines = full.body.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,campaign_id,contact_id,customer_id,attempt_no,phone,/);
    expect(lines).toHaveLength(total + 1);
    const phoneCol = lines[0]!.split(',').indexOf('phone');
    const atCol = lines[0]!.split(',').indexOf('reserved_at');
    expect(lines[1]!.split(',')[phoneCol]).toMatch(/^\+86138001380\d\d$/);
    const times = lines.slice(1).map((l) => l.split(',')[atCol]!);
    expect(times).toEqual([...times].sort());

    const masked = await api.app.inject({ url: `/v1/calls.csv?campaignId=${campaignB}`, headers: api.as('operator') });
    expect(masked.statusCode).toBe(200);
    const mlines = masked.body.trimEnd().split('\r\n');
    expect(mlines).toHaveLength(4);
    expect(masked.body).not.toMatch(/\+86138001380\d\d/);
    expect(mlines[1]!.split(',')[phoneCol]).toMatch(/^\+86\*\*\*\d\d$/);

    const bad = await api.app.inject({ url: '/v1/calls.csv?limit=5', headers: api.as('operator') });
    expect(bad.statusCode).toBe(400);
  });

  it('exports in batches without losing rows that share a timestamp', async () => {
    const { callsCsv } = await import('../../../src/calls/calls.csv.js');
    const { ALL_CALLS } = await import('../../../src/auth/roles.js');
    let text = '';
    for await (const chunk of callsCsv(api.t.db, {}, { scope: ALL_CALLS, maskPhones: false, batchSize: 2 })) text += chunk;
    const ids = text
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(',')[0]);
    expect(new Set(ids).size).toBe(total);
  });

  it('reports campaign stats: every state and outcome key, reasons, abandon rate and progress', async () => {
    const res = await api.app.inject({ url: `/v1/campaigns/${campaignA}/stats`, headers: api.as('viewer') });
    expect(res.statusCode).toBe(200);
    const s = res.json();
    const { rows } = await api.t.db.query(`SELECT outcome, count(*)::int AS n FROM call_attempts WHERE campaign_id = $1 GROUP BY outcome`, [campaignA]);
    const n = (o: string | null) => rows.find((r) => r.outcome === o)?.n ?? 0;
    expect(s.contacts).toEqual({
      total: 5,
      byState: { pending: 1, queued: 0, deferred: 1, dialing: 1, completed: 1, blocked: 1, failed: 0, opted_out: 0, cancelled: 0, expired: 0 },
      reasons: { deferred: { quiet_hours: 1 }, blocked: { dnc: 1 } },
    });
    expect(Object.keys(s.attempts.byOutcome)).toEqual(expect.arrayContaining(['answered_human', 'hangup_during_prompt', 'opted_out', 'invalid_number']));
    expect(s.attempts.total).toBe(20);
    expect(s.attempts.byOutcome.busy).toBe(n('busy'));
    expect(s.attempts.byOutcome.rejected).toBe(0);
    expect(s.attempts.live).toBe(n(null));
    const human = n('answered_human') + n('bridged') + n('abandoned');
    expect(s.attempts.answeredHuman).toBe(human);
    expect(s.abandonRate).toBeCloseTo(n('abandoned') / human);
    expect(s.progress).toBeCloseTo(2 / 5);

    const empty = (await api.app.inject({ url: `/v1/campaigns/${campaignB}/stats`, headers: api.as('supervisor') })).json();
    expect(empty.contacts.total).toBe(0);
    expect(empty.progress).toBeNull();
    expect(empty.attempts.total).toBe(3);
    expect((await api.app.inject({ url: '/v1/campaigns/999999/stats', headers: api.as('supervisor') })).statusCode).toBe(404);
  });

  it('counts a call an agent took as bridged (the ledger keeps answered_human and bridged_at)', async () => {
    const stats = async () => (await api.app.inject({ url: `/v1/campaigns/${campaignA}/stats`, headers: api.as('viewer') })).json().attempts;
    const before = await stats();
    const { rowCount } = await api.t.db.query(
      `UPDATE call_attempts SET bridged_at = now() WHERE id = (SELECT id FROM call_attempts WHERE campaign_id = $1 AND outcome = 'answered_human' AND bridged_at IS NULL LIMIT 1)`,
      [campaignA],
    );
    expect(rowCount).toBe(1);
    const after = await stats();
    expect(after.byOutcome.bridged).toBe(before.byOutcome.bridged + 1);
    expect(after.byOutcome.answered_human).toBe(before.byOutcome.answered_human - 1);
    expect(after.total).toBe(before.total);
    expect(after.answeredHuman).toBe(before.answeredHuman);
  });
});
