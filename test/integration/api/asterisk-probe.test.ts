import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asteriskProbe } from '../../../src/observability/asterisk-probe.js';

// A stand-in ARI (the real sandbox is exercised by the e2e suite): checks path and credentials.
describe('asteriskProbe', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const ok = req.url === '/ari/asterisk/ping' && req.headers.authorization === `Basic ${Buffer.from('u:p').toString('base64')}`;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? '{"ping":"pong"}' : '{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('resolves when ARI answers the ping', async () => {
    await expect(asteriskProbe({ url, user: 'u', password: 'p' })()).resolves.toBeUndefined();
  });
  it('rejects on bad credentials and when nothing listens', async () => {
    await expect(asteriskProbe({ url, user: 'u', password: 'wrong' })()).rejects.toThrow(/401/);
    await expect(asteriskProbe({ url: 'http://127.0.0.1:1', user: 'u', password: 'p' }, 500)()).rejects.toThrow();
  });
});
