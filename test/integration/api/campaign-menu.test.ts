import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';

describe('campaigns API: the DTMF menu', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  const send = (method: 'POST' | 'PATCH', url: string, body: unknown) =>
    api.app.inject({ method, url, headers: { ...api.as('operator'), 'content-type': 'application/json' }, payload: JSON.stringify(body) });

  it('stores a menu, defaults to null, clears it with null', async () => {
    const plain = await send('POST', '/v1/campaigns', { name: 'no menu' });
    expect(plain.statusCode).toBe(201);
    expect(plain.json().menu).toBeNull();
    const menu = { '3': 'agent', '5': 'callback', '7': 'opt_out', '0': 'repeat' };
    const res = await send('POST', '/v1/campaigns', { name: 'own menu', menu });
    expect(res.statusCode).toBe(201);
    expect(res.json().menu).toEqual(menu);
    const cleared = await send('PATCH', `/v1/campaigns/${res.json().id}`, { menu: null });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json().menu).toBeNull();
  });

  it.each([
    ['no opt-out key', { '1': 'agent' }, 422],
    ['one action on two keys', { '1': 'agent', '2': 'agent', '9': 'opt_out' }, 422],
    ['two-digit key', { '12': 'agent', '9': 'opt_out' }, 422],
    ['unknown action (the schema)', { '1': 'pay_now', '9': 'opt_out' }, 400],
  ])('refuses %s with a clear 4xx, nothing stored', async (_what, menu, status) => {
    const before = (await api.t.db.query(`SELECT count(*)::int AS n FROM campaigns`)).rows[0].n as number;
    const res = await send('POST', '/v1/campaigns', { name: 'bad menu', menu });
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(body.code ?? body.error?.code).toBe(status === 422 ? 'invalid_menu' : (body.code ?? body.error?.code));
    expect(JSON.stringify(body)).toMatch(/menu/);
    expect((await api.t.db.query(`SELECT count(*)::int AS n FROM campaigns`)).rows[0].n).toBe(before);
  });
});
