import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
}

export type FakeHandler = (r: RecordedRequest) => { status: number; body?: unknown } | 'hang' | undefined;

/**
 * A stand-in for Asterisk's HTTP server: basic auth, /ari/events upgrades that register the
 * app, /ari/applications/{app} that answers 404 until then, and any other route via `handler`.
 */
export interface FakeAri {
  url: string;
  requests: RecordedRequest[];
  upgradeAttempts: number;
  eventsQueries: Array<Record<string, string>>;
  /** Answer upgrades with this status instead of accepting them. */
  refuseUpgradesWith: number | undefined;
  handler: FakeHandler | undefined;
  /** While set, upgraded apps stay unregistered (404) until it resolves. */
  registrationGate: Promise<void> | undefined;
  readonly clients: Set<WebSocket>;
  send(event: unknown): void;
  sendRaw(frame: string): void;
  dropAll(): void;
  /** Stop reading from every client socket, so pings go unanswered. */
  freezeAll(): void;
  close(): Promise<void>;
}

export async function startFakeAri(opts: { user: string; password: string }): Promise<FakeAri> {
  const expected = `Basic ${Buffer.from(`${opts.user}:${opts.password}`).toString('base64')}`;
  const wss = new WebSocketServer({ noServer: true });
  const registered = new Set<string>();
  const hanging = new Set<ServerResponse>();

  const fake: FakeAri = {
    url: '',
    requests: [],
    upgradeAttempts: 0,
    eventsQueries: [],
    refuseUpgradesWith: undefined,
    handler: undefined,
    registrationGate: undefined,
    clients: wss.clients,
    send(event) {
      for (const c of wss.clients) c.send(JSON.stringify(event));
    },
    sendRaw(frame) {
      for (const c of wss.clients) c.send(frame);
    },
    dropAll() {
      for (const c of wss.clients) c.terminate();
    },
    freezeAll() {
      for (const c of wss.clients) (c as unknown as { _socket: Socket })._socket.pause();
    },
    async close() {
      for (const r of hanging) r.destroy();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const text = Buffer.concat(chunks).toString('utf8');
      const rec: RecordedRequest = {
        method: req.method ?? 'GET',
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        body: text ? (JSON.parse(text) as unknown) : undefined,
        authorization: req.headers.authorization,
      };
      fake.requests.push(rec);
      const reply = (status: number, body?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      if (rec.authorization !== expected) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="Asterisk REST Interface"' });
        res.end('{"error":"Authentication required"}');
        return;
      }
      const custom = fake.handler?.(rec);
      if (custom === 'hang') {
        hanging.add(res);
        return;
      }
      if (custom) return reply(custom.status, custom.body);
      const app = /^\/ari\/applications\/([^/]+)(\/eventFilter)?$/.exec(rec.path);
      if (app) {
        const name = decodeURIComponent(app[1]!);
        if (!registered.has(name)) return reply(404, { message: 'Application not found' });
        return reply(200, { name, channel_ids: [], bridge_ids: [], endpoint_ids: [], device_names: [], events_allowed: [], events_disallowed: [] });
      }
      reply(404, { message: 'Resource not found' });
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // The http server hands an upgrade's socket over with no error listener: a client that
    // resets it (close() while a refusal is on its way) would be an uncaught ECONNRESET, which
    // fails the whole unit run however every test ended (seen once in CI, once in 12 runs here).
    socket.on('error', () => undefined);
    fake.upgradeAttempts += 1;
    const u = new URL(req.url ?? '/', 'http://x');
    fake.eventsQueries.push(Object.fromEntries(u.searchParams));
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (req.headers.authorization !== expected) return refuse(401, 'Unauthorized');
    if (u.pathname !== '/ari/events') return refuse(404, 'Not Found');
    if (fake.refuseUpgradesWith !== undefined) return refuse(fake.refuseUpgradesWith, 'Refused');
    const app = u.searchParams.get('app') ?? '';
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Like Asterisk: the app becomes visible a moment after the socket opens.
      void (fake.registrationGate ?? Promise.resolve()).then(() => {
        if (ws.readyState === ws.OPEN) registered.add(app);
      });
      ws.on('close', () => registered.delete(app));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
