import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRole } from '../../../src/auth/auth.js';
import { revokeApiKey } from '../../../src/auth/keys.repo.js';
import { createTestApi, type TestApi } from '../../helpers/api.js';

describe('authentication and roles', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('keeps health, metrics and docs open', async () => {
    for (const url of ['/healthz', '/readyz', '/metrics', '/docs/json']) {
      const res = await api.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
    }
  });

  it('refuses a missing, malformed, unknown or revoked key with 401', async () => {
    const bad = [undefined, 'Bearer', 'Basic abc', 'Bearer rw_nope', `Bearer ${'x'.repeat(50)}`];
    for (const authorization of bad) {
      const res = await api.app.inject({ url: '/v1/audit', headers: authorization ? { authorization } : {} });
      expect(res.statusCode, String(authorization)).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
    const k = await api.mintKey('admin');
    expect((await api.app.inject({ url: '/v1/audit', headers: { authorization: `Bearer ${k.key}` } })).statusCode).toBe(200);
    await revokeApiKey(api.t.db, k.id);
    const res = await api.app.inject({ url: '/v1/audit', headers: { authorization: `Bearer ${k.key}` } });
    expect(res.statusCode).toBe(401);
  });

  it('updates last_used_at on use', async () => {
    const k = await api.mintKey('supervisor');
    await api.app.inject({ url: '/v1/audit', headers: { authorization: `Bearer ${k.key}` } });
    const { rows } = await api.t.db.query('SELECT last_used_at FROM api_keys WHERE id = $1', [k.id]);
    expect(rows[0].last_used_at).toBeInstanceOf(Date);
  });

  it('checks the key before reading the body', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/v1/campaigns', headers: { 'content-type': 'application/json' }, payload: '{not json' });
    expect(res.statusCode).toBe(401);
  });

  it('requireRole works as a plain preHandler on any route too', async () => {
    expect(typeof requireRole('admin')).toBe('function');
  });
});
