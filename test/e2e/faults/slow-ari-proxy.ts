import { createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';

/**
 * An HTTP + WebSocket proxy in front of the sandbox's ARI that forwards every request at once
 * but holds back the answer to originates (`POST /ari/channels`) by `delayMs`: Asterisk places
 * the call, the worker's request times out. What an overloaded Asterisk looks like from the
 * worker (originates answered seconds late), without having to overload a shared machine.
 */
export async function startSlowAriProxy(target: string, delayMs: number): Promise<{ url: string; delayed(): number; close(): Promise<void> }> {
  const t = new URL(target);
  let delayed = 0;
  const server: Server = createServer((req, res) => {
    const up = request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      const originate = req.method === 'POST' && /^\/ari\/channels(\?|$)/.test(req.url ?? '');
      const answer = () => {
        if (res.destroyed) return r.resume();
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      };
      if (originate) {
        delayed++;
        setTimeout(answer, delayMs);
      } else answer();
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('upgrade', (req, socket, head) => {
    const up = connect(Number(t.port), t.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`), '', ''];
      up.write(lines.join('\r\n'));
      if (head.length > 0) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    delayed: () => delayed,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
