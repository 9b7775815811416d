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

/**
 * Waits until Asterisk carries no channel of the Stasis apps starting with `appPrefix` (a step's
 * calls still ending), at most `ms` (0: at once); then hangs up what is left, 20 at a time. A step cut at its deadline (an
 * overload) otherwise leaves hundreds of calls playing into the next step and skews it: seen, a
 * launch → first dial of 15 s measured while an overload step's calls drained. Returns how many
 * channels were still there at the start and how many it hung up.
 */
export async function drainChannels(env: Record<string, string>, appPrefix: string, ms: number): Promise<{ waitedFor: number; hungUp: number }> {
  const ari = ariRequester(env.ARI_URL!, env.ARI_USER!, env.ARI_PASSWORD!, 20);
  const mine = async (): Promise<string[]> => {
    const res = await fetch(`${env.ARI_URL}/ari/channels`, { headers: { authorization: ari.auth } });
    const list = (await res.json()) as Array<{ id: string; dialplan?: { app_data?: string } }>;
    return list.filter((ch) => ch.dialplan?.app_data?.startsWith(appPrefix)).map((ch) => ch.id);
  };
  try {
    const waitedFor = (await mine()).length;
    const deadline = Date.now() + ms;
    let left = waitedFor;
    while (left > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      left = (await mine()).length;
    }
    const ids = left > 0 ? await mine() : [];
    for (let i = 0; i < ids.length; i += 20) await Promise.all(ids.slice(i, i + 20).map((id) => ari.call('DELETE', `/channels/${id}`).catch(() => 0)));
    return { waitedFor, hungUp: ids.length };
  } finally {
    ari.close();
  }
}
