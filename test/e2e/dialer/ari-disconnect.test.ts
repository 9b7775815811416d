import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, connect, type Server, type Socket } from 'node:net';
import {
  attempts,
  campaignState,
  createHarness,
  num,
  seedCampaign,
  setCampaignState,
  startWorker,
  waitFor,
  type Harness,
  type RunningWorker,
} from './dialer-harness.js';

/**
 * A TCP proxy between the worker and ARI that can cut the network for a while: every open
 * connection is reset and new ones are refused until it is restored. Only this worker is cut.
 */
async function ariProxy(target: URL): Promise<{ url: string; cut(ms: number): Promise<void>; close(): Promise<void> }> {
  let downUntil = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (Date.now() < downUntil) return client.destroy();
    const upstream = connect(Number(target.port || 80), target.hostname);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    async cut(ms) {
      downUntil = Date.now() + ms;
      for (const s of open) s.destroy();
      open.clear();
      await new Promise((r) => setTimeout(r, ms));
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('dialer e2e: ARI disconnect mid-campaign', () => {
  let h: Harness;
  let w: RunningWorker;
  let proxy: Awaited<ReturnType<typeof ariProxy>>;

  beforeAll(async () => {
    h = await createHarness({ RINGWISE_MENU_TIMEOUT_SECONDS: '4' });
    proxy = await ariProxy(new URL(h.config.ari.url));
    w = await startWorker(h, { ariUrl: proxy.url });
  });
  afterAll(async () => {
    await w?.stop();
    await proxy?.close();
    await h?.close();
  });

  it('no attempt stays live, and nothing is dialed while disconnected', async () => {
    const downs: number[] = [];
    const ups: number[] = [];
    w.client.on('disconnected', () => downs.push(Date.now()));
    w.client.on('connected', () => ups.push(Date.now()));

    const c = await seedCampaign(h, {
      contacts: [...['70', '03', '04'].map((n) => ({ phone: num(n) })), ...['20', '20', '20', '20'].map((n, i) => ({ phone: num(n, 20 + i) }))],
      callsPerSecond: 2,
      // A call lost while ARI was down is called again (after 1 s here; 10 minutes by default).
      retryPolicy: { lost: { delaySeconds: 1, maxRetries: 1 } },
    });
    await setCampaignState(h, c.campaignId, 'running');
    // 70 answers and hangs up ~3 s later: cut ARI before that and keep it down past it.
    await waitFor('the 70 call answered', async () => (await attempts(h, c.campaignId)).some((a) => a.phone === num('70') && a.state === 'answered'), 30_000);

    // Down for 5 s: long enough for the 70 customer to hang up unseen.
    await proxy.cut(5_000);
    expect(downs.length).toBeGreaterThan(0);
    await waitFor('the worker to reconnect', async () => ups.length > 0 && w.client.isConnected, 20_000);

    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 60_000);
    const rows = await attempts(h, c.campaignId);
    expect(rows).toHaveLength(8);
    expect(rows.every((a) => a.state === 'ended' && a.outcome !== null && a.endedAt !== null)).toBe(true);
    const live = await h.tdb.db.query(`SELECT count(*)::int AS n FROM call_attempts WHERE state <> 'ended'`);
    expect(live.rows[0]).toEqual({ n: 0 });
    // The customer who hung up while we were deaf: found gone at reconcile, ended as lost, and
    // called again per the lost-call policy.
    expect(rows.filter((a) => a.phone === num('70')).map((a) => [a.attemptNo, a.endReason])).toEqual([
      [1, 'lost'],
      [2, null],
    ]);
    // No call was originated while the websocket was down (allowing the disconnect event a
    // moment to reach a job that had already checked the connection).
    const outages = downs.map((d) => [d + 250, ups.find((u) => u > d) ?? Infinity] as const);
    const during = rows.filter((a) => outages.some(([from, to]) => a.originatedAt && a.originatedAt.getTime() > from && a.originatedAt.getTime() < to));
    expect(during).toEqual([]);
  });
});
