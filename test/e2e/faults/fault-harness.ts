import { createAriClient, type AriClient } from '../../../src/dialer/ari.client.js';
import { createHarness, num, seedCampaign, setCampaignState, waitFor, type Harness, type SeededCampaign } from '../dialer/dialer-harness.js';
import { onTestFinished } from 'vitest';
import { spawnWorker, type WorkerProcess } from './worker-process.js';

/** A lost call is retried after this long in the fault tests (production default: 600 s). */
export const LOST_RETRY = { delaySeconds: 2, maxRetries: 1 };

export interface FaultHarness extends Harness {
  /** Workers spawned so far (all killed at the end). */
  workers: WorkerProcess[];
  /** The sandbox's ARI over REST only (no app): what Asterisk has now. */
  rest: AriClient;
  spawn(extra?: Record<string, string>): WorkerProcess;
  /** Every attempt id any spawned worker sent an originate for. */
  originated(): string[];
  /** Attempt ids whose channel Asterisk has now. */
  liveChannels(): Promise<Set<string>>;
  /** A campaign of `n` distinct customers on numbers that answer and listen until hung up. */
  campaign(n: number, o?: { maxConcurrent?: number; callsPerSecond?: number }): Promise<SeededCampaign>;
  /** Waits for the campaign to complete; returns how long it took from `since`. */
  converged(campaignId: string, since: number, timeoutMs?: number): Promise<number>;
  dispose(): Promise<void>;
}

/**
 * One fault test's world: its own database, Redis prefix and worker id; the real sandbox
 * Asterisk of the slot, SIPp carrier, PostgreSQL and Redis. The reconciler runs every second
 * (production: 5 s) so tests stay short; nothing else is shortened but the lost-call delay.
 */
export async function createFaultHarness(overrides: Record<string, string> = {}): Promise<FaultHarness> {
  const h = await createHarness({
    RINGWISE_RECONCILE_SECONDS: '1',
    RINGWISE_MENU_TIMEOUT_SECONDS: '4',
    RINGWISE_MAX_CHANNELS: '40',
    RINGWISE_CALLS_PER_SECOND: '40',
    ...overrides,
  });
  const workers: WorkerProcess[] = [];
  const rest = createAriClient({
    url: h.config.ari.url,
    user: h.config.ari.user,
    password: h.config.ari.password,
    app: `${h.config.ari.app}-observer`,
    log: h.log,
  });
  return {
    ...h,
    workers,
    rest,
    spawn(extra = {}) {
      const w = spawnWorker({ ...h.env, ...extra });
      workers.push(w);
      // Killed when the test ends, pass or fail: a retry must not find this one still running
      // beside its own with the same worker id (the two would split the calls between them).
      onTestFinished(async () => {
        w.kill('SIGKILL');
        await w.exited;
      });
      return w;
    },
    originated: () => workers.flatMap((w) => w.originated()),
    async liveChannels() {
      return new Set((await rest.listChannels()).map((c) => c.id));
    },
    async campaign(n, o = {}) {
      const contacts = Array.from({ length: n }, (_, i) => ({ phone: num(`0${i % 10}`, 10 + Math.floor(i / 10)) }));
      const c = await seedCampaign(h, {
        contacts,
        retryPolicy: { lost: LOST_RETRY },
        maxConcurrent: o.maxConcurrent ?? 10,
        callsPerSecond: o.callsPerSecond ?? 10,
      });
      await setCampaignState(h, c.campaignId, 'running');
      return c;
    },
    async converged(campaignId, since, timeoutMs = 120_000) {
      await waitFor(
        `campaign ${campaignId} to complete`,
        async () => (await h.tdb.db.query<{ state: string }>(`SELECT state FROM campaigns WHERE id = $1`, [campaignId])).rows[0]?.state === 'completed',
        timeoutMs,
        250,
      ).catch(async (err: unknown) => {
        const open = await h.tdb.db.query(
          `SELECT cc.id, cc.state, cc.attempts, cc.next_attempt_at, cc.reason, a.attempt_no, a.state AS a_state, a.outcome, a.end_reason, a.worker_id
             FROM campaign_contacts cc LEFT JOIN call_attempts a ON a.contact_id = cc.id
            WHERE cc.campaign_id = $1 AND cc.state IN ('pending', 'queued', 'deferred', 'dialing') ORDER BY cc.id, a.attempt_no`,
          [campaignId],
        );
        const keys = await h.redis.keys(`${h.config.queuePrefix}:dial:*`);
        throw new Error(
          `${String(err)}\nopen contacts: ${JSON.stringify(open.rows)}\nredis dial keys: ${keys.slice(0, 40).join(' ')}\nlast worker log:\n${workers.at(-1)?.log().slice(-6000) ?? ''}`,
        );
      });
      return Date.now() - since;
    },
    async dispose() {
      for (const w of workers) w.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exited));
      await rest.close();
      await h.close();
    },
  };
}

/** Live attempts (answered, in Asterisk) at this moment: the calls a fault must not cut. */
export async function answeredLive(h: FaultHarness, campaignId: string): Promise<string[]> {
  const r = await h.tdb.db.query<{ id: string }>(`SELECT id FROM call_attempts WHERE campaign_id = $1 AND state = 'answered'`, [campaignId]);
  const live = await h.liveChannels();
  return r.rows.map((x) => x.id).filter((id) => live.has(id));
}
