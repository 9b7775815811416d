import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeysCommand } from '../../../src/cli/keys.command.js';
import { createTestApi, type TestApi } from '../../helpers/api.js';

function capture() {
  let text = '';
  return {
    write: (s: string) => (text += s),
    get text() {
      return text;
    },
  };
}

describe('ringwise keys (real PostgreSQL)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('creates a key that works once printed, lists it, and revokes it', async () => {
    const out = capture();
    const err = capture();
    expect(await runKeysCommand(['create', '--role', 'admin', '--name', 'bootstrap'], { db: api.t.db, stdout: out, stderr: err })).toBe(0);
    const key = out.text.trim();
    expect(key).toMatch(/^rw_/);
    expect(err.text).toContain('shown once');
    const { rows } = await api.t.db.query(`SELECT id, key_hash FROM api_keys WHERE name = 'bootstrap'`);
    expect(rows).toHaveLength(1);
    expect(rows[0].key_hash).not.toContain(key);

    const res = await api.app.inject({ url: '/v1/audit', headers: { authorization: `Bearer ${key}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.some((i: { action: string }) => i.action === 'key.create')).toBe(true);

    const list = capture();
    await runKeysCommand(['list'], { db: api.t.db, stdout: list, stderr: capture() });
    expect(list.text).toContain('bootstrap');
    expect(list.text).not.toContain(key);

    const rv = capture();
    expect(await runKeysCommand(['revoke', String(rows[0].id)], { db: api.t.db, stdout: rv, stderr: capture() })).toBe(0);
    expect(rv.text).toContain(`revoked key ${rows[0].id}`);
    expect((await api.app.inject({ url: '/v1/audit', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(401);
    expect(await runKeysCommand(['revoke', '999999'], { db: api.t.db, stdout: capture(), stderr: capture() })).toBe(1);
  });
});
