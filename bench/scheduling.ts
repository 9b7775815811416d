/**
 * Scheduling at scale: N generated customers (default 1,000,000) streamed as CSV into a real
 * `ringwise api` (parse, validate, COPY, merge), then the campaign launched so a real
 * `ringwise worker` fills its dial window (keyset pages + addBulk, `src/scheduler/dial-window.ts`)
 * while its dial loop starts calling (pacing and the compliance gate run per dial). Reported:
 * import rows/s, launch to the first window enqueued, launch to the first dial, the dial jobs and
 * Redis memory the campaign holds while it runs (sampled for `--hold` seconds), and peak RSS/CPU
 * of both processes. Then the campaign is cancelled and the queue deleted.
 *
 * A second part adds N dial-shaped jobs to a throwaway queue with addBulk at several chunk
 * sizes: what Redis/BullMQ alone costs per job, i.e. what enqueueing every contact would cost.
 *
 *   node --import tsx bench/scheduling.ts [--rows 1000000] [--hold 10] [--addbulk N]
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Readable } from 'node:stream';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createApiKey } from '../src/auth/keys.repo.js';
import { getProfile } from '../src/compliance/policy.profiles.js';
import { saveGlobalPolicy } from '../src/compliance/policy.store.js';
import { DIAL_JOB_OPTS, dialJobId } from '../src/scheduler/queues.js';
import { dialWindow } from '../src/scheduler/dial-window.js';
import { sandboxEnv } from '../test/helpers/sandbox-env.js';
import { createBenchDb } from './lib/bench-db.js';
import { loadNumber } from './lib/numbers.js';
import { sampleProcess, type ProcStats } from './lib/proc.js';
import { apiClient, freePort, startRingwise, type Proc } from './lib/stack.js';
import { round, sleep } from './lib/stats.js';
import { deletePrefix } from './lib/redis-prefix.js';

export interface SchedulingResult {
  rows: number;
  importSeconds: number;
  importRowsPerSecond: number;
  launchToFirstDialMs: number | null;
  /** Launch → the worker's first 'dial window topped up' log line. */
  launchToFirstWindowMs: number;
  /** Dial jobs the first window queued (the campaign's window). */
  firstWindowJobs: number;
  /** Most dial jobs the campaign had in Redis (waiting, delayed, active) while it ran. */
  redisJobsHeldMax: number;
  /** Redis memory of the dial queue's keys at the end of the hold (MEMORY USAGE summed). */
  redisQueueMiB: number;
  /** Contacts still pending at the end of the hold: never turned into jobs. */
  pendingAtEnd: number;
  holdSeconds: number;
  /** Import + first window enqueued. */
  totalSeconds: number;
  procs: Array<ProcStats & { name: string }>;
  addBulk: Array<{ chunk: number; jobs: number; seconds: number; jobsPerSecond: number }>;
  redisUsedMiBPerMillionJobs: number | null;
}

const CPS = 20;
const MAX_CONCURRENT = 50;
const ZONES = ['Asia/Shanghai', 'Asia/Shanghai', 'Asia/Shanghai', 'Asia/Hong_Kong', 'America/New_York'];

/** The CSV, generated as it is sent (never held whole): 1,000 rows per chunk. */
function csv(rows: number): Readable {
  return Readable.from(
    (function* () {
      yield 'external_id,name,phone,timezone,locale,amount_due,currency,due_date,days_past_due,risk_score\n';
      for (let start = 0; start < rows; start += 1000) {
        let chunk = '';
        for (let i = start; i < Math.min(rows, start + 1000); i++) {
          chunk += `SCHED-${i},"Customer ${i}, Test",${loadNumber(i)},${ZONES[i % ZONES.length]},${i % 4 === 0 ? 'en-US' : 'zh-CN'},${(i * 37) % 100000}.${String(i % 100).padStart(2, '0')},CNY,2026-11-${String(1 + (i % 28)).padStart(2, '0')},${i % 90},${i % 101}\n`;
        }
        yield chunk;
      }
    })(),
  );
}

async function redisUsed(redis: Redis): Promise<number> {
  const m = /used_memory:(\d+)/.exec(await redis.info('memory'));
  return m ? Number(m[1]) : 0;
}

/** Bytes held by every key of this queue (jobs, lists, sets), from MEMORY USAGE over a SCAN. */
async function queueBytes(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let total = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) total += Number((await redis.memory('USAGE', k)) ?? 0);
  } while (cursor !== '0');
  return total;
}

/** addBulk alone: dial-shaped jobs into a throwaway queue, one chunk size after another. */
async function addBulkOnly(redisUrl: string, jobs: number, chunks: number[]): Promise<{ rows: SchedulingResult['addBulk']; perMillion: number | null }> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const out: SchedulingResult['addBulk'] = [];
  let perMillion: number | null = null;
  try {
    for (const chunk of chunks) {
      const q = new Queue('dial', { connection: redis, prefix: `rwb-addbulk-${randomBytes(4).toString('hex')}` });
      const before = await redisUsed(redis);
      const t0 = performance.now();
      const queuedAt = new Date().toISOString();
      for (let start = 0; start < jobs; start += chunk) {
        const n = Math.min(chunk, jobs - start);
        await q.addBulk(
          Array.from({ length: n }, (_, k) => ({
            name: 'dial',
            data: { campaignId: '1', contactId: String(start + k + 1), attemptNo: 1, queuedAt },
            opts: { ...DIAL_JOB_OPTS, jobId: dialJobId(1, start + k + 1, 1) },
          })),
        );
      }
      const seconds = (performance.now() - t0) / 1000;
      perMillion ??= round(((await redisUsed(redis)) - before) / 1024 / 1024 / (jobs / 1_000_000));
      out.push({ chunk, jobs, seconds: round(seconds, 2), jobsPerSecond: Math.round(jobs / seconds) });
      await q.obliterate({ force: true });
      await q.close();
    }
  } finally {
    await redis.quit();
  }
  return { rows: out, perMillion };
}

export async function runScheduling(opts: { rows: number; addBulkJobs: number; holdSeconds?: number; log?: (s: string) => void }): Promise<SchedulingResult> {
  const log = opts.log ?? (() => undefined);
  const bdb = await createBenchDb();
  const id = randomBytes(4).toString('hex');
  const prefix = `rwb-${id}`;
  const port = await freePort();
  const common = { DATABASE_URL: bdb.url, RINGWISE_QUEUE_PREFIX: prefix, LOG_LEVEL: 'info' };
  const procs: Proc[] = [];
  const redisUrl = sandboxEnv().REDIS_URL ?? 'redis://127.0.0.1:6379';
  try {
    await saveGlobalPolicy(bdb.db, 'cn-bank', { ...getProfile('cn-bank'), windowStart: '00:00', windowEnd: '24:00' }, null);
    const { key } = await createApiKey(bdb.db, { name: 'bench', role: 'operator' });
    // The api answers an import only when it is merged; on a loaded machine a 1M import's merge
    // runs past the default 30 s idle timeout, which then closes the silent connection (the
    // client sees "fetch failed" while the import completes): wider here, see bench/README.md.
    const apiProc = startRingwise('api', 'api', { ...common, RINGWISE_API_PORT: String(port), RINGWISE_API_IDLE_TIMEOUT_SECONDS: '600' });
    const worker = startRingwise('worker', 'worker', {
      ...common,
      RINGWISE_WORKER_ID: `ws-${id}`,
      ARI_APP: `rw-bench-s-${id}`,
      RINGWISE_MAX_CHANNELS: '100',
      RINGWISE_CALLS_PER_SECOND: '20',
      RINGWISE_MENU_TIMEOUT_SECONDS: '1',
    });
    procs.push(apiProc, worker);
    await worker.waitFor('worker running', 30_000);
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; !(await fetch(`${base}/healthz`).catch(() => null))?.ok; i++) {
      if (i > 100) throw new Error(`api did not start\n${apiProc.tail()}`);
      await sleep(200);
    }
    const api = apiClient(base, key);
    const campaign = await api<{ id: number }>('POST', '/v1/campaigns', {
      name: 'bench scheduling',
      prompt: { 'en-US': { segments: [{ type: 'sound', name: 'hello-world' }] }, 'zh-CN': { segments: [{ type: 'sound', name: 'hello-world' }] } },
      callsPerSecond: CPS,
      maxConcurrent: MAX_CONCURRENT,
      callerId: '+8695500',
    });
    const samplers = procs.map((p) => ({ name: p.name, s: sampleProcess(p.pid) }));
    const t0 = performance.now();
    const res = await fetch(`${base}/v1/campaigns/${campaign.id}/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
      body: csv(opts.rows) as unknown as RequestInit['body'],
      duplex: 'half',
    } as RequestInit);
    const body = await res.text();
    if (!res.ok) throw new Error(`import: HTTP ${res.status} ${body.slice(0, 500)}`);
    const importSeconds = (performance.now() - t0) / 1000;
    log(`scheduling: imported ${opts.rows} rows in ${round(importSeconds, 1)} s`);
    const launchedAt = Date.now();
    const windowed = worker.waitFor('dial window topped up', 600_000);
    await api('POST', `/v1/campaigns/${campaign.id}/launch`, undefined);
    const windowAt = await windowed;
    const totalSeconds = (performance.now() - t0) / 1000;
    // The first top-up of a campaign with nothing due queues its whole window.
    const firstWindowJobs = Math.min(opts.rows, dialWindow({ callsPerSecond: CPS, maxConcurrent: MAX_CONCURRENT }));
    log(`scheduling: first window (${firstWindowJobs} jobs) ${windowAt - launchedAt} ms after launch`);
    // The campaign runs on: how many jobs (and how much Redis) it holds while it dials.
    const holdSeconds = opts.holdSeconds ?? 10;
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const dialQueue = new Queue('dial', { connection: redis, prefix });
    let redisJobsHeldMax = 0;
    let redisQueueMiB = 0;
    try {
      for (const end = Date.now() + holdSeconds * 1000; Date.now() < end; await sleep(500)) {
        const c = await dialQueue.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
        redisJobsHeldMax = Math.max(
          redisJobsHeldMax,
          Object.values(c).reduce((a, b) => a + b, 0),
        );
      }
      redisQueueMiB = round((await queueBytes(redis, `${prefix}:dial:*`)) / 1024 / 1024, 2);
    } finally {
      await dialQueue.close();
      await redis.quit();
    }
    const first = await bdb.db.query<{ t: Date | null }>(`SELECT min(originated_at) AS t FROM call_attempts WHERE campaign_id = $1`, [campaign.id]);
    const pending = await bdb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM campaign_contacts WHERE campaign_id = $1 AND state = 'pending'`, [
      campaign.id,
    ]);
    const procStats = samplers.map(({ name, s }) => ({ name, ...s.stop() }));
    log(`scheduling: held at most ${redisJobsHeldMax} dial jobs (${redisQueueMiB} MiB of Redis) over ${holdSeconds} s`);
    await api('POST', `/v1/campaigns/${campaign.id}/cancel`, undefined).catch(() => undefined);
    await Promise.all(procs.map((p) => p.stop()));
    const ab = opts.addBulkJobs > 0 ? await addBulkOnly(redisUrl, opts.addBulkJobs, [1_000, 5_000]) : { rows: [], perMillion: null };
    return {
      rows: opts.rows,
      importSeconds: round(importSeconds, 2),
      importRowsPerSecond: Math.round(opts.rows / importSeconds),
      launchToFirstDialMs: first.rows[0]?.t ? first.rows[0].t.getTime() - launchedAt : null,
      launchToFirstWindowMs: windowAt - launchedAt,
      firstWindowJobs,
      redisJobsHeldMax,
      redisQueueMiB,
      pendingAtEnd: pending.rows[0]?.n ?? 0,
      holdSeconds,
      totalSeconds: round(totalSeconds, 2),
      procs: procStats,
      addBulk: ab.rows,
      redisUsedMiBPerMillionJobs: ab.perMillion,
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    // The cancelled campaign's jobs: the prefix is this run's own.
    await deletePrefix(prefix);
    await bdb.drop();
  }
}

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = Number(opt('rows') ?? 1_000_000);
  runScheduling({ rows, addBulkJobs: Number(opt('addbulk') ?? rows), holdSeconds: Number(opt('hold') ?? 10), log: (s) => process.stderr.write(`${s}\n`) })
    .then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    });
}
