import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../../src/config.js';
import { createLogger, type Logger } from '../../../src/shared/logger.js';
import { createAriClient, type AriClient } from '../../../src/dialer/ari.client.js';
import { ariPortFrom } from '../../../src/dialer/ari-port.adapter.js';
import type { AriPort } from '../../../src/dialer/ports.js';
import { startDialWorker, type DialWorker } from '../../../src/scheduler/worker.runtime.js';
import { dialWorkerOptions } from '../../../src/scheduler/worker.options.js';
import { createQueues, type Queues } from '../../../src/scheduler/queues.js';
import { createCampaignEvents, type CampaignEvents } from '../../../src/scheduler/campaign-events.js';
import { saveGlobalPolicy } from '../../../src/compliance/policy.store.js';
import { getProfile } from '../../../src/compliance/policy.profiles.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { requireSandbox } from '../../helpers/ari.js';
import { testEnv } from '../../helpers/sandbox-env.js';
import { buildApp } from '../../../src/api/app.js';
import type { ApiApp } from '../../../src/api/api.types.js';
import { createApiKey } from '../../../src/auth/keys.repo.js';

/** Simulated carrier numbers: the last two digits choose the behaviour (test/helpers/carrier.ts). */
export const num = (nn: string, line = 0): string => `+861380000${String(line).padStart(2, '0')}${nn}`;

/** A prompt long enough that a customer who hangs up after ~1.5 s does so during it. */
export const TEST_PROMPT = {
  'en-US': {
    segments: [
      { type: 'sound', name: 'hello-world' },
      { type: 'sound', name: 'vm-intro' },
    ],
  },
};

export interface Harness {
  tdb: TestDb;
  config: Config;
  env: Record<string, string>;
  redis: Redis;
  log: Logger;
  queues: Queues;
  events: CampaignEvents;
  close(): Promise<void>;
}

export async function createHarness(overrides: Record<string, string> = {}): Promise<Harness> {
  requireSandbox();
  const tdb = await createTestDb();
  const id = randomBytes(4).toString('hex');
  const env = testEnv({
    DATABASE_URL: tdb.url,
    RINGWISE_QUEUE_PREFIX: `rwt-${id}`,
    RINGWISE_WORKER_ID: `wt-${id}`,
    ARI_APP: `rw-test-dialer-${id}`,
    RINGWISE_MENU_TIMEOUT_SECONDS: '2',
    RINGWISE_RING_TIMEOUT_SECONDS: '15',
    RINGWISE_JOB_LOCK_MS: '3000',
    // Worker processes a test spawns serve /metrics on any free port (several run at once).
    RINGWISE_WORKER_HTTP_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...overrides,
  });
  const config = loadConfig(env);
  const log = createLogger(config.logLevel);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const queues = createQueues(redis, config.queuePrefix);
  const events = createCampaignEvents(queues, redis, config.queuePrefix, log);
  // Tests run at any hour: a global policy that allows every minute, with roomy caps.
  await saveGlobalPolicy(
    tdb.db,
    'cn-bank',
    { ...getProfile('cn-bank'), windowStart: '00:00', windowEnd: '24:00', maxAttemptsPerDay: 100, maxConnectedPerDay: 100 },
    null,
  );
  return {
    tdb,
    config,
    env,
    redis,
    log,
    queues,
    events,
    async close() {
      await queues.close();
      const keys = await redis.keys(`${config.queuePrefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      await tdb.drop();
    },
  };
}

export interface RunningWorker {
  worker: DialWorker;
  client: AriClient;
  /** Channels this worker originated (to prove a replay dials nothing). */
  created: string[];
  /** Every playback this worker started, in order (what the customer heard). */
  played: Array<{ channelId: string; media: string[]; at: Date }>;
  stop(): Promise<void>;
}

export async function startWorker(h: Harness, opts: { stalledIntervalMs?: number; ariUrl?: string } = {}): Promise<RunningWorker> {
  const { config } = h;
  const client = createAriClient({
    url: opts.ariUrl ?? config.ari.url,
    user: config.ari.user,
    password: config.ari.password,
    app: config.ari.app,
    log: h.log,
    backoff: { initialMs: 200, maxMs: 1_000 },
  });
  await client.connect({ timeoutMs: 10_000 });
  const created: string[] = [];
  const played: RunningWorker['played'] = [];
  const base = ariPortFrom(client);
  const ari: AriPort = {
    ...base,
    originate: (p) => {
      created.push(p.channelId);
      return base.originate(p);
    },
    play: (channelId, media, playbackId) => {
      played.push({ channelId, media, at: new Date() });
      return base.play(channelId, media, playbackId);
    },
  };
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const worker = await startDialWorker({
    ...dialWorkerOptions(config, { db: h.tdb.db, redis, log: h.log, ari }),
    concurrency: 20,
    stalledIntervalMs: opts.stalledIntervalMs ?? 1_000,
  });
  return {
    worker,
    client,
    created,
    played,
    async stop() {
      await worker.close(5_000);
      await client.close();
      await redis.quit();
    },
  };
}

export interface SeedContact {
  phone: string;
  /** All the customer's numbers, in order (default: [phone]). */
  phones?: string[];
  locale?: string;
}

export interface SeededCampaign {
  campaignId: string;
  contacts: Array<{ contactId: string; customerId: string; phone: string }>;
}

let seq = 0;

export async function seedCampaign(
  h: Harness,
  o: {
    contacts: SeedContact[];
    retryPolicy?: object;
    policyOverrides?: object;
    amd?: boolean;
    amdMachineAction?: 'hangup' | 'message';
    maxConcurrent?: number;
    callsPerSecond?: number;
    prompt?: object;
    /** The campaign's DTMF menu (null: the default keys). */
    menu?: object;
    nextNumberOn?: string[];
  },
): Promise<SeededCampaign> {
  const db = h.tdb.db;
  const c = await db.query<{ id: string }>(
    `INSERT INTO campaigns (name, state, prompt, caller_id, policy_overrides, max_concurrent, calls_per_second, retry_policy, amd_enabled, amd_machine_action, menu, next_number_on)
     VALUES ($1, 'draft', $2, '+8695500', $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id::text`,
    [
      `e2e ${++seq}`,
      JSON.stringify(o.prompt ?? TEST_PROMPT),
      JSON.stringify(o.policyOverrides ?? {}),
      o.maxConcurrent ?? 20,
      o.callsPerSecond ?? 20,
      JSON.stringify(o.retryPolicy ?? {}),
      o.amd ?? false,
      o.amdMachineAction ?? 'hangup',
      o.menu === undefined ? null : JSON.stringify(o.menu),
      o.nextNumberOn ?? [],
    ],
  );
  const campaignId = c.rows[0]!.id;
  const contacts: SeededCampaign['contacts'] = [];
  for (const k of o.contacts) {
    const cu = await db.query<{ id: string }>(
      `INSERT INTO customers (external_id, name, phones, time_zone, locale, amount_due, currency, due_date, days_past_due)
       VALUES ($1, 'Test Customer', $2::text[], 'Asia/Shanghai', $3, 3200, 'CNY', '2026-11-01', 27)
       ON CONFLICT (external_id) DO UPDATE SET updated_at = now() RETURNING id::text`,
      [`e2e-${k.phone}`, k.phones ?? [k.phone], k.locale ?? 'en-US'],
    );
    const customerId = cu.rows[0]!.id;
    const cc = await db.query<{ id: string }>(`INSERT INTO campaign_contacts (campaign_id, customer_id) VALUES ($1, $2) RETURNING id::text`, [
      campaignId,
      customerId,
    ]);
    contacts.push({ contactId: cc.rows[0]!.id, customerId, phone: k.phone });
  }
  return { campaignId, contacts };
}

/** What the API does on launch/resume/pause/cancel: the state change, then the hook. */
export async function setCampaignState(h: Harness, campaignId: string, state: 'running' | 'paused' | 'cancelled'): Promise<void> {
  await h.tdb.db.query(`UPDATE campaigns SET state = $2, launched_at = COALESCE(launched_at, now()) WHERE id = $1`, [campaignId, state]);
  await h.events.campaignStateChanged(campaignId, state);
}

export interface AttemptView {
  id: string;
  contactId: string;
  phone: string;
  attemptNo: number;
  state: string;
  outcome: string | null;
  cause: number | null;
  techCause: number | null;
  amdStatus: string | null;
  digits: string;
  endReason: string | null;
  promptVersion: string | null;
  queuedAt: Date | null;
  reservedAt: Date;
  originatedAt: Date | null;
  answeredAt: Date | null;
  endedAt: Date | null;
  ringMs: number | null;
  talkMs: number | null;
  connected: boolean;
}

export async function attempts(h: Harness, campaignId: string): Promise<AttemptView[]> {
  const r = await h.tdb.db.query<AttemptView>(
    `SELECT id, contact_id::text AS "contactId", phone, attempt_no AS "attemptNo", state, outcome, cause,
            tech_cause AS "techCause", amd_status AS "amdStatus", digits, end_reason AS "endReason",
            prompt_version AS "promptVersion", queued_at AS "queuedAt", reserved_at AS "reservedAt",
            originated_at AS "originatedAt", answered_at AS "answeredAt", ended_at AS "endedAt",
            ring_ms AS "ringMs", talk_ms AS "talkMs", connected
       FROM call_attempts WHERE campaign_id = $1 ORDER BY phone, attempt_no`,
    [campaignId],
  );
  return r.rows;
}

export async function contactStates(h: Harness, campaignId: string): Promise<Record<string, { state: string; attempts: number; lastOutcome: string | null }>> {
  const r = await h.tdb.db.query<{ phone: string; state: string; attempts: number; lastOutcome: string | null }>(
    `SELECT c.phones[1] AS phone, cc.state, cc.attempts, cc.last_outcome AS "lastOutcome"
       FROM campaign_contacts cc JOIN customers c ON c.id = cc.customer_id WHERE cc.campaign_id = $1`,
    [campaignId],
  );
  return Object.fromEntries(r.rows.map((x) => [x.phone, { state: x.state, attempts: x.attempts, lastOutcome: x.lastOutcome }]));
}

export async function campaignState(h: Harness, campaignId: string): Promise<string> {
  const r = await h.tdb.db.query<{ state: string }>(`SELECT state FROM campaigns WHERE id = $1`, [campaignId]);
  return r.rows[0]!.state;
}

/** Polls until `check` returns a value (not undefined/false), or fails with the last seen state. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 45_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The real control API over the harness's database, wired to the campaign events as `ringwise api` does. */
export async function controlApi(
  h: Harness,
): Promise<{ app: ApiApp; action(campaignId: string, action: 'launch' | 'pause' | 'resume' | 'cancel'): Promise<void> }> {
  const app = await buildApp({ config: h.config, log: h.log, db: h.tdb.db, readiness: {}, events: h.events });
  await app.ready();
  const { key } = await createApiKey(h.tdb.db, { name: 'e2e-operator', role: 'operator' });
  return {
    app,
    async action(campaignId, action) {
      const res = await app.inject({ method: 'POST', url: `/v1/campaigns/${campaignId}/${action}`, headers: { authorization: `Bearer ${key}` } });
      if (res.statusCode !== 200) throw new Error(`${action} → ${res.statusCode} ${res.body}`);
    },
  };
}
