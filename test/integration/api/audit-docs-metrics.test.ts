import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';

describe('audit listing, OpenAPI and /metrics', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('lists audit entries newest first with a cursor and filters', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await api.app.inject({ method: 'POST', url: '/v1/campaigns', headers: api.as('operator'), payload: { name: `a${i}` } });
      ids.push(res.json().id);
    }
    await api.app.inject({ method: 'POST', url: `/v1/campaigns/${ids[0]}/launch`, headers: api.as('supervisor') });

    const seen: { id: number; action: string; keyId: number; role: string; targetType: string; targetId: string; at: string }[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await api.app.inject({ url, headers: api.as('supervisor') });
      expect(res.statusCode).toBe(200);
      seen.push(...res.json().items);
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(6);
    expect(seen.map((s) => s.id)).toEqual([...seen.map((s) => s.id)].sort((a, b) => b - a));
    expect(seen[0]).toMatchObject({
      action: 'campaign.launch',
      role: 'supervisor',
      keyId: api.keyIds.supervisor,
      targetType: 'campaign',
      targetId: String(ids[0]),
    });
    expect(Date.parse(seen[0]!.at)).not.toBeNaN();

    const launches = (await api.app.inject({ url: '/v1/audit?action=campaign.launch', headers: api.as('admin') })).json();
    expect(launches.items).toHaveLength(1);
    const target = (await api.app.inject({ url: `/v1/audit?targetType=campaign&targetId=${ids[0]}`, headers: api.as('admin') })).json();
    expect(target.items.map((i: { action: string }) => i.action)).toEqual(['campaign.launch', 'campaign.create']);
    const byKey = (await api.app.inject({ url: `/v1/audit?keyId=${api.keyIds.operator}`, headers: api.as('admin') })).json();
    expect(byKey.items).toHaveLength(5);
    expect((await api.app.inject({ url: '/v1/audit?cursor=bm90LWpzb24', headers: api.as('admin') })).json().error.code).toBe('invalid_cursor');
  });

  it('serves an OpenAPI document where every body and query schema rejects unknown fields', async () => {
    const res = await api.app.inject({ url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const spec = res.json() as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: { in: string }[];
            requestBody?: { content: Record<string, { schema: { additionalProperties?: unknown } }> };
            responses: Record<string, unknown>;
          }
        >
      >;
    };
    expect(spec.openapi).toMatch(/^3\./);
    for (const p of [
      '/v1/campaigns',
      '/v1/campaigns/{id}',
      '/v1/campaigns/{id}/launch',
      '/v1/campaigns/{id}/stats',
      '/v1/calls',
      '/v1/calls.csv',
      '/v1/dnc',
      '/v1/dnc/{id}',
      '/v1/customers/{id}',
      '/v1/audit',
    ]) {
      expect(spec.paths[p], p).toBeDefined();
    }
    for (const [path, ops] of Object.entries(spec.paths)) {
      if (!/^\/v1\/(audit|campaigns(\/\{id\}(\/(launch|pause|resume|cancel|stats))?)?|calls|calls\.csv|dnc|dnc\/\{id\}|customers\/\{id\})$/.test(path))
        continue;
      for (const [method, op] of Object.entries(ops)) {
        expect(op.responses['401'], `${method} ${path}`).toBeDefined();
        const json = op.requestBody?.content['application/json'];
        if (json) expect(json.schema.additionalProperties, `${method} ${path} body`).toBe(false);
      }
    }
    const dncDelete = spec.paths['/v1/dnc/{id}']!['delete'] as unknown as { description: string };
    expect(dncDelete.description).toBe('Roles: admin, supervisor.');
    const ui = await api.app.inject({ url: '/docs' });
    expect([200, 302]).toContain(ui.statusCode);
  });

  it('counts requests by route template in /metrics', async () => {
    await api.app.inject({ url: '/v1/campaigns/12345', headers: api.as('viewer') });
    await api.app.inject({ url: '/v1/campaigns/12346', headers: api.as('viewer') });
    await api.app.inject({ url: '/nowhere' });
    const res = await api.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('ringwise_http_requests_total{method="GET",route="/v1/campaigns/:id",status="404"} 2');
    expect(res.body).toMatch(/ringwise_http_request_duration_seconds_count\{method="GET",route="\/v1\/campaigns\/:id"\} 2/);
    expect(res.body).not.toContain('12345');
    expect(res.body).toContain('route="unmatched"');
    const { rows } = await api.t.db.query(`SELECT count(*)::int AS n FROM campaigns WHERE state = 'draft'`);
    expect(res.body).toContain(`ringwise_campaigns{state="draft"} ${rows[0].n}`);
    expect(res.body).toContain('ringwise_campaigns{state="completed"} 0');
    expect(res.body).toContain('ringwise_call_attempts_live 0');
  });

  it('lets other modules register metrics on the shared registry', async () => {
    api.deps.metrics!.gauge('test_live_calls', 'live calls').set(3);
    expect((await api.app.inject({ url: '/metrics' })).body).toContain('ringwise_test_live_calls 3');
  });
});
