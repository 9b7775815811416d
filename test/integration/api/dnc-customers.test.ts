import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';

describe('DNC and customers API', () => {
  let api: TestApi;
  let customerId: number;
  beforeAll(async () => {
    api = await createTestApi();
    const { rows } = await api.t.db.query(
      `INSERT INTO customers (external_id, name, phones, time_zone, locale, amount_due, currency, due_date, days_past_due, risk_score, risk_tier)
       VALUES ('ext-1', '张伟', ARRAY['+8613800138000', '+8613900139000'], 'Asia/Shanghai', 'zh-CN', 1234.50, 'CNY', '2026-10-01', 58, 72, 'high') RETURNING id`,
    );
    customerId = Number(rows[0].id);
  });
  afterAll(async () => {
    await api?.close();
  });
  const count = async (table: string) => (await api.t.db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

  describe('GET /v1/customers/:id', () => {
    // Agents read only customers on their own calls: test/integration/api/agent-scope.test.ts.
    // Operators see the account fields with names and numbers masked: test/integration/security/personal-data.test.ts.
    it('shows personal data to admins and supervisors', async () => {
      for (const role of ['admin', 'supervisor'] as const) {
        const res = await api.app.inject({ url: `/v1/customers/${customerId}`, headers: api.as(role) });
        expect(res.statusCode, role).toBe(200);
        expect(res.json()).toMatchObject({
          id: customerId,
          externalId: 'ext-1',
          name: '张伟',
          phones: ['+8613800138000', '+8613900139000'],
          masked: false,
          amountDue: '1234.50',
          currency: 'CNY',
          dueDate: '2026-10-01',
          daysPastDue: 58,
          riskScore: 72,
          riskTier: 'high',
          timeZone: 'Asia/Shanghai',
        });
      }
    });

    it('masks name and phones for viewers', async () => {
      const res = await api.app.inject({ url: `/v1/customers/${customerId}`, headers: api.as('viewer') });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ name: '张***', phones: ['+86***00', '+86***00'], masked: true });
      expect(res.body).not.toContain('13800138000');
      expect(res.body).not.toContain('张伟');
    });

    it('404 for a missing customer, 400 for a bad id', async () => {
      expect((await api.app.inject({ url: '/v1/customers/999999', headers: api.as('viewer') })).statusCode).toBe(404);
      expect((await api.app.inject({ url: '/v1/customers/x', headers: api.as('viewer') })).statusCode).toBe(400);
    });
  });

  describe('DNC', () => {
    const post = (payload: unknown, role: 'operator' | 'agent' | 'supervisor' = 'operator') =>
      api.app.inject({ method: 'POST', url: '/v1/dnc', headers: api.as(role), payload: payload as object });

    it('adds an entry by phone (stored as E.164), by customer, or both, and audits without the number', async () => {
      let res = await post({ phone: '138 0013 8000', reason: 'customer asked', source: 'customer_request' });
      expect(res.statusCode).toBe(201);
      // Operators see numbers masked, their own entry's too; the list holds the E.164 number.
      expect(res.json()).toMatchObject({
        phone: '+86***00',
        customerId: null,
        reason: 'customer asked',
        source: 'customer_request',
        expiresAt: null,
        createdBy: api.keyIds.operator,
      });
      const byPhone = res.json().id;
      expect((await api.t.db.query('SELECT phone FROM dnc_entries WHERE id = $1', [byPhone])).rows[0].phone).toBe('+8613800138000');

      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      // Agents add only by a call of theirs: test/integration/security/dnc-by-call.test.ts.
      res = await post({ customerId, reason: 'complaint', source: 'complaint', expiresAt }, 'supervisor');
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ phone: null, customerId, expiresAt });

      res = await post({ phone: '+1 415 555 2671', customerId, reason: 'both', source: 'regulator' }, 'supervisor');
      expect(res.statusCode).toBe(201);

      const audit = await api.t.db.query(`SELECT action, target_id, details FROM audit_log WHERE action = 'dnc.create' ORDER BY id`);
      expect(audit.rows).toHaveLength(3);
      expect(audit.rows[0].target_id).toBe(String(byPhone));
      expect(JSON.stringify(audit.rows)).not.toMatch(/138|4155552671/);
    });

    it.each([
      ['neither phone nor customer', { reason: 'r', source: 's' }, 422, 'phone_or_customer_required'],
      ['invalid phone', { phone: '12345', reason: 'r', source: 's' }, 422, 'phone_too_short'],
      ['not a phone', { phone: 'call me', reason: 'r', source: 's' }, 422, 'phone_not_a_number'],
      ['unknown customer', { customerId: 987654, reason: 'r', source: 's' }, 422, 'reference_not_found'],
      ['customer id past bigint', { customerId: 1e20, reason: 'r', source: 's' }, 400, 'invalid_request'],
      ['expiry in the past', { customerId: 1, reason: 'r', source: 's', expiresAt: '2020-01-01T00:00:00Z' }, 422, 'expires_in_past'],
      ['bad expiry format', { customerId: 1, reason: 'r', source: 's', expiresAt: 'tomorrow' }, 400, 'invalid_request'],
      ['missing reason', { phone: '13800138000', source: 's' }, 400, 'invalid_request'],
      ['NUL in reason', { phone: '13800138000', reason: 'a\u0000', source: 's' }, 400, 'invalid_request'],
      ['unknown field', { phone: '13800138000', reason: 'r', source: 's', note: 'x' }, 400, 'invalid_request'],
      ['number as phone', { phone: 13800138000, reason: 'r', source: 's' }, 400, 'invalid_request'],
    ])('refuses %s', async (_label, body, status, code) => {
      const before = await count('dnc_entries');
      const auditBefore = await count('audit_log');
      const res = await post(body);
      expect(res.statusCode).toBe(status);
      expect(res.json().error.code).toBe(code);
      expect(await count('dnc_entries')).toBe(before);
      expect(await count('audit_log')).toBe(auditBefore);
    });

    it('lists newest first with a cursor, filters by phone (any format), customer and active, masks for viewers', async () => {
      const ids: number[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/v1/dnc?limit=1${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await api.app.inject({ url, headers: api.as('operator') });
        expect(res.statusCode).toBe(200);
        ids.push(...res.json().items.map((i: { id: number }) => i.id));
        cursor = res.json().nextCursor;
      } while (cursor);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(ids).toHaveLength(await count('dnc_entries'));

      const byPhone = (await api.app.inject({ url: `/v1/dnc?phone=${encodeURIComponent('+86 13800138000')}`, headers: api.as('supervisor') })).json();
      expect(byPhone.items.map((i: { phone: string }) => i.phone)).toEqual(['+8613800138000']);
      const operatorView = (await api.app.inject({ url: `/v1/dnc?phone=${encodeURIComponent('+86 13800138000')}`, headers: api.as('operator') })).json();
      expect(operatorView.items.map((i: { phone: string }) => i.phone)).toEqual(['+86***00']);
      const byCustomer = (await api.app.inject({ url: `/v1/dnc?customerId=${customerId}`, headers: api.as('operator') })).json();
      expect(byCustomer.items).toHaveLength(2);

      await api.t.db.query(`INSERT INTO dnc_entries (customer_id, reason, source, expires_at) VALUES ($1, 'old', 'test', now() - interval '1 day')`, [
        customerId,
      ]);
      const all = (await api.app.inject({ url: `/v1/dnc?customerId=${customerId}`, headers: api.as('operator') })).json();
      const active = (await api.app.inject({ url: `/v1/dnc?customerId=${customerId}&active=true`, headers: api.as('operator') })).json();
      expect(all.items).toHaveLength(3);
      expect(active.items).toHaveLength(2);

      const viewer = await api.app.inject({ url: '/v1/dnc?limit=500', headers: api.as('viewer') });
      expect(viewer.statusCode).toBe(200);
      expect(viewer.body).not.toContain('13800138000');
      expect(viewer.body).toContain('+86***00');
      expect((await api.app.inject({ url: '/v1/dnc?phone=abc', headers: api.as('viewer') })).statusCode).toBe(422);
    });

    it('deletes an entry (supervisor), audits it, and 404s the second time', async () => {
      const id = (await post({ phone: '13700137000', reason: 'r', source: 's' })).json().id;
      expect((await api.app.inject({ method: 'DELETE', url: `/v1/dnc/${id}`, headers: api.as('operator') })).statusCode).toBe(403);
      const res = await api.app.inject({ method: 'DELETE', url: `/v1/dnc/${id}`, headers: api.as('supervisor') });
      expect(res.statusCode).toBe(204);
      expect((await api.t.db.query('SELECT 1 FROM dnc_entries WHERE id = $1', [id])).rowCount).toBe(0);
      const audit = await api.t.db.query(`SELECT role FROM audit_log WHERE action = 'dnc.delete' AND target_id = $1`, [String(id)]);
      expect(audit.rows).toEqual([{ role: 'supervisor' }]);
      const again = await api.app.inject({ method: 'DELETE', url: `/v1/dnc/${id}`, headers: api.as('supervisor') });
      expect(again.statusCode).toBe(404);
    });
  });
});
