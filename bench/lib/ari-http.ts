import { Agent, request } from 'node:http';

/**
 * Minimal ARI REST calls over a bounded keep-alive pool: Asterisk's http.conf allows 100
 * concurrent HTTP sessions by default, so an unbounded client would fail calls on its own.
 */
export function ariRequester(baseUrl: string, user: string, password: string, maxSockets = 48) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const url = new URL(baseUrl);
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  return {
    call(method: string, path: string): Promise<number> {
      return new Promise((resolve, reject) => {
        const req = request({ agent, host: url.hostname, port: url.port, method, path: `/ari${path}`, headers: { authorization: auth } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
    },
    close(): void {
      agent.destroy();
    },
    auth,
  };
}
