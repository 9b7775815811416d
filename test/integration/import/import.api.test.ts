import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { createCampaign, customers, fixture, snapshot } from './import.helpers.js';

describe('POST /v1/campaigns/:id/contacts', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  const post = (
    campaignId: number | string,
    body: string,
    contentType = 'text/csv',
    role: 'admin' | 'operator' | 'supervisor' | 'viewer' | 'agent' = 'operator',
  ) =>
    api.app.inject({ method: 'POST', url: `/v1/campaigns/${campaignId}/contacts`, headers: { ...api.as(role), 'content-type': contentType }, payload: body });

  it('imports a good CSV, then reports a re-import as duplicates, and changed rows as updated', async () => {
    const id = await createCampaign(api.t.db);
    const res = await post(id, fixture('good.csv'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ imported: 5, updated: 0, duplicates: 0, rows: 5 });

    const rows = await customers(api.t.db);
    expect(rows.map((r) => r.external_id)).toEqual(['C-1001', 'C-1002', 'C-1003', 'C-1004', 'C-1005']);
    expect(rows[0]).toEqual({
      external_id: 'C-1001',
      name: '张伟',
      phones: ['+8613800138000'],
      time_zone: 'Asia/Shanghai',
      locale: 'zh-CN',
      amount_due: '1234.50',
      currency: 'CNY',
      due_date: '2026-11-15',
      days_past_due: 13,
      risk_score: 72,
      risk_tier: null,
    });
    expect(rows[1]!.name).toBe('Li, Na');
    expect(rows[1]!.phones).toEqual(['+8613912345678', '+862162345678']);
    expect(rows[2]!.name).toBe('John "Jack" Smith');
    expect(rows[2]!.phones).toEqual(['+14155552671', '+12125550123']);
    expect(rows[3]).toMatchObject({ phones: ['+8613700137000'], time_zone: null, locale: 'zh-CN', amount_due: null, currency: null, due_date: null });
    // Case is normalised: zh-cn → zh-CN, cny → CNY.
    expect(rows[4]).toMatchObject({ locale: 'zh-CN', currency: 'CNY', amount_due: '5000.00', days_past_due: 0, risk_score: 0 });
    const { rows: contacts } = await api.t.db.query(`SELECT state FROM campaign_contacts WHERE campaign_id = $1`, [id]);
    expect(contacts).toHaveLength(5);
    expect(new Set(contacts.map((c) => c.state))).toEqual(new Set(['pending']));

    const { rows: auditRows } = await api.t.db.query(
      `SELECT role, action, target_type, target_id, details FROM audit_log WHERE action = 'campaign.contacts.import'`,
    );
    expect(auditRows).toEqual([
      {
        role: 'operator',
        action: 'campaign.contacts.import',
        target_type: 'campaign',
        target_id: String(id),
        details: { format: 'csv', imported: 5, updated: 0, duplicates: 0, rows: 5 },
      },
    ]);

    // The same file again: nothing new, nothing changed, all already in the campaign.
    const again = await post(id, fixture('good.csv'));
    expect(again.json()).toEqual({ imported: 0, updated: 0, duplicates: 5, rows: 5 });

    // Into another campaign with two customers changed: existing customers are shared.
    const other = await createCampaign(api.t.db, 'paused');
    const changed = fixture('good.csv').replace('1234.50', '1300.00').replace('Zhao Lei', 'Zhao Lei Jr');
    const third = await post(other, changed);
    expect(third.json()).toEqual({ imported: 0, updated: 2, duplicates: 0, rows: 5 });
    expect((await customers(api.t.db))[0]!.amount_due).toBe('1300.00');
  });

  it('keeps stored optional values when a re-import leaves them empty', async () => {
    const id = await createCampaign(api.t.db);
    await post(id, 'external_id,name,phone,timezone,amount_due,email\nK-1,Keep,13800138000,Asia/Shanghai,10,keep@example.com\n');
    const res = await post(id, 'external_id,name,phone,timezone,amount_due,email\nK-1,Keep,13800138000,,,\n');
    expect(res.json()).toEqual({ imported: 0, updated: 0, duplicates: 1, rows: 1 });
    const k = (await customers(api.t.db)).find((c) => c.external_id === 'K-1');
    expect(k).toMatchObject({ time_zone: 'Asia/Shanghai', amount_due: '10.00' });
    // The email column (a contact plan's email steps go there) is stored and kept the same way.
    const mail = await api.t.db.query(`SELECT email FROM customers WHERE external_id = 'K-1'`);
    expect(mail.rows[0].email).toBe('keep@example.com');
  });

  it('imports a good JSON array', async () => {
    const id = await createCampaign(api.t.db, 'running');
    const res = await post(id, fixture('good.json'), 'application/json; charset=utf-8');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ imported: 4, updated: 0, duplicates: 0, rows: 4 });
    const rows = (await customers(api.t.db)).filter((r) => r.external_id.startsWith('J-'));
    expect(rows[0]).toMatchObject({ name: '陈静', risk_tier: 'high', amount_due: '1234.50' });
    expect(rows[1]).toMatchObject({ name: 'Mary "Molly" Jones, Jr.', phones: ['+14155552671', '+12125550123'], amount_due: '99.90', locale: 'en-US' });
    expect(rows[2]).toMatchObject({ phones: ['+862162345678'], time_zone: null, locale: 'zh-CN' });
    expect(rows[3]!.name).toBe('Back\\slash é');
  });

  describe('rejections leave the database unchanged', () => {
    const cases: Array<{ file: string; contentType?: string; errors: unknown[]; errorCount?: number }> = [
      {
        file: 'broken-quoting.csv',
        errors: [{ row: 2, field: null, code: 'csv_malformed', message: expect.stringMatching(/^line 3: Invalid Closing Quote/) }],
      },
      {
        file: 'wrong-column.csv',
        errors: [
          { row: 0, field: 'phone_number', code: 'unknown_column', message: expect.stringContaining('unknown column "phone_number"') },
          { row: 0, field: 'phone', code: 'missing_column', message: 'required column "phone" is missing' },
        ],
      },
      {
        file: 'invalid-number.csv',
        errors: [
          { row: 2, line: 3, field: 'phone', code: 'phone_too_short', message: 'phone number is too short' },
          { row: 3, line: 4, field: 'phone', code: 'phone_invalid_country', message: 'unknown country calling code' },
        ],
      },
      {
        file: 'unknown-timezone.csv',
        errors: [{ row: 2, line: 3, field: 'timezone', code: 'invalid_time_zone', message: '"Asia/Beijing" is not an IANA time zone (e.g. Asia/Shanghai)' }],
      },
      {
        file: 'duplicate-row.csv',
        errors: [{ row: 3, field: 'external_id', code: 'duplicate_row', message: 'external_id repeats row 1' }],
      },
      {
        file: 'mixed.csv',
        errors: [
          { row: 2, line: 3, field: 'name', code: 'required', message: 'name is required' },
          { row: 3, line: 4, field: 'amount_due', code: 'out_of_range', message: 'amount_due must not be negative' },
          {
            row: 5,
            line: 6,
            field: 'locale',
            code: 'unsupported_locale',
            message: 'locale fr-FR: no prompt in this language (prompt languages: zh-CN, en-US)',
          },
          { row: 5, line: 6, field: 'amount_due', code: 'too_many_decimals', message: 'amount_due has more than 2 decimal places' },
          { row: 5, line: 6, field: 'currency', code: 'unknown_currency', message: 'CNX is not an ISO 4217 currency' },
          { row: 5, line: 6, field: 'due_date', code: 'invalid_date', message: '2026-02-30 is not a real date' },
          { row: 5, line: 6, field: 'days_past_due', code: 'out_of_range', message: 'days_past_due must be from 0 to 100000' },
          { row: 5, line: 6, field: 'risk_score', code: 'out_of_range', message: 'risk_score must be from 0 to 100' },
          { row: 6, line: 7, field: null, code: 'wrong_field_count', message: 'line 7: 3 fields, the header has 10' },
          { row: 7, field: 'external_id', code: 'duplicate_row', message: 'external_id repeats row 1' },
        ],
      },
    ];
    for (const c of cases) {
      it(c.file, async () => {
        const id = await createCampaign(api.t.db);
        await post(id, fixture('good.csv')); // something already there, which must not change
        const before = await snapshot(api.t.db);
        const res = await post(id, fixture(c.file), c.contentType);
        expect(res.statusCode, res.body).toBe(422);
        const body = res.json();
        expect(body.error.code).toBe('import_invalid');
        expect(body.error.details.errors).toEqual(c.errors);
        expect(body.error.details.errorCount).toBe(c.errorCount ?? c.errors.length);
        expect(await snapshot(api.t.db)).toEqual(before);
      });
    }
  });

  it('rejects malformed JSON, non-objects and unknown fields with the element number', async () => {
    const id = await createCampaign(api.t.db);
    const before = await snapshot(api.t.db);
    const bad = await post(id, '[{"externalId":"X","name":"A","phone":"13800138000"},{"externalId": "Y",}]', 'application/json');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details.errors).toEqual([{ row: 2, field: null, code: 'json_malformed', message: expect.stringMatching(/^element 2: /) }]);
    const notArray = await post(id, '{"externalId":"X"}', 'application/json');
    expect(notArray.json().error.details.errors).toEqual([
      { row: 1, field: null, code: 'json_malformed', message: 'byte 0: the body must be a JSON array of customer objects' },
    ]);
    const odd = await post(id, '[1, {"externalId":"Z","name":"Z","phone":"13800138000","phoneNumber":"x"}]', 'application/json');
    expect(odd.json().error.details.errors).toEqual([
      { row: 1, field: null, code: 'not_an_object', message: 'element 1 is not an object' },
      { row: 2, field: 'phoneNumber', code: 'unknown_field', message: 'unknown field "phoneNumber"' },
    ]);
    expect(await snapshot(api.t.db)).toEqual(before);
  });

  it('answers 404 for an unknown campaign and 409 for an ended one', async () => {
    const missing = await post(999999, fixture('good.csv'));
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    const done = await createCampaign(api.t.db, 'completed');
    const res = await post(done, fixture('good.csv'));
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'campaign_not_importable', details: { state: 'completed' } });
  });

  it('checks the role: admin and operator may import, others may not', async () => {
    const id = await createCampaign(api.t.db);
    const none = await api.app.inject({
      method: 'POST',
      url: `/v1/campaigns/${id}/contacts`,
      headers: { 'content-type': 'text/csv' },
      payload: fixture('good.csv'),
    });
    expect(none.statusCode).toBe(401);
    for (const role of ['supervisor', 'viewer', 'agent'] as const) {
      expect((await post(id, fixture('good.csv'), 'text/csv', role)).statusCode, role).toBe(403);
    }
    expect((await post(id, fixture('good.csv'), 'text/csv', 'admin')).statusCode).toBe(200);
  });

  it('refuses other media types and charsets with 415', async () => {
    const id = await createCampaign(api.t.db);
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'text/csv; charset=latin1']) {
      const res = await post(id, 'external_id,name,phone\n', ct);
      expect(res.statusCode, ct).toBe(415);
    }
    const empty = await post(id, '', 'text/csv');
    expect(empty.statusCode).toBe(422);
    expect(empty.json().error.details.errors[0].code).toBe('missing_header');
  });

  it('accepts a body larger than the app-wide body limit', async () => {
    const id = await createCampaign(api.t.db);
    const lines = ['external_id,name,phone'];
    for (let i = 0; i < 40_000; i++) lines.push(`B-${i},Customer number ${i} with a longish name,+86 138${String(i).padStart(8, '0')}`);
    const body = lines.join('\n');
    expect(body.length).toBeGreaterThan(api.deps.config.api.bodyLimitBytes);
    const res = await post(id, body);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.json()).toMatchObject({ imported: 40_000, rows: 40_000 });
  });
});
