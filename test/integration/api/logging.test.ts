import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeUrl } from '../../../src/api/request-log.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createTestApi, type TestApi } from '../../helpers/api.js';

describe('request logs carry no personal data', () => {
  let api: TestApi;
  const lines: string[] = [];
  beforeAll(async () => {
    const dest = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    api = await createTestApi({ deps: { log: createLogger('info', dest) } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('redacts phone numbers in query strings, and keys in headers', async () => {
    await api.app.inject({ url: '/v1/dnc?phone=13800138000&limit=5', headers: api.as('operator') });
    await api.app.inject({ method: 'POST', url: '/v1/dnc', headers: api.as('operator'), payload: { phone: '13900139000', reason: 'r', source: 's' } });
    await api.app.inject({ url: '/v1/dnc?phone=bogus-13700137000', headers: api.as('operator') });
    const text = lines.join('');
    expect(text).toContain('incoming request');
    expect(text).toContain('/v1/dnc?phone=redacted&limit=5');
    expect(text).not.toMatch(/138001380|139001390|137001370/);
    expect(text).not.toContain(api.keys.operator);
  });

  it('safeUrl keeps paths and harmless parameters', () => {
    expect(safeUrl('/v1/calls')).toBe('/v1/calls');
    expect(safeUrl('/v1/calls?campaignId=3&limit=10')).toBe('/v1/calls?campaignId=3&limit=10');
    expect(safeUrl('/v1/dnc?Phone=%2B86138&phone=2')).toBe('/v1/dnc?Phone=redacted&phone=redacted');
  });
});
