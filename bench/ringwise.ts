/**
 * ringwise under load: real `ringwise api` and `ringwise worker` processes, a fresh database and
 * queue prefix, and per rate step a new campaign created, filled (CSV import of distinct
 * customers on carrier numbers 90-99) and launched through the API. The calls go through the
 * scheduler, pacing, compliance gate, ledger and ARI to the same carrier as the ceiling. All
 * numbers come from the ledger afterwards (and /proc for the processes).
 *
 *   node --import tsx bench/ringwise.ts [--rates 25,50,100] [--seconds 10] [--workers 1]
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { createApiKey } from '../src/auth/keys.repo.js';
import { getProfile } from '../src/compliance/policy.profiles.js';
import { saveGlobalPolicy } from '../src/compliance/policy.store.js';
import { createBenchDb } from './lib/bench-db.js';
import { collectStep, type RingwiseStep } from './lib/ledger-stats.js';
import { loadNumber } from './lib/numbers.js';
import { sampleProcess } from './lib/proc.js';
import { apiClient, freePort, startRingwise, type Proc } from './lib/stack.js';
import { sleep } from './lib/stats.js';
import { deletePrefix } from './lib/redis-prefix.js';

export interface RingwiseResult {
  workers: number;
  steps: RingwiseStep[];
  sustainedCps: number;
}

const PROMPT = { segments: [{ type: 'sound', name: 'hello-world' }] };
const CSV_HEADER = 'external_id,name,phone,timezone,locale,amount_due,currency,due_date,days_past_due,risk_score\n';

function contactsCsv(first: number, n: number): string {
  let s = CSV_HEADER;
  for (let i = first; i < first + n; i++) s += `LOAD-${i},Load Customer ${i},${loadNumber(i)},Asia/Shanghai,en-US,100.00,CNY,2026-11-01,10,10\n`;
  return s;
}

export async function runRingwise(opts: { rates: number[]; seconds: number; workers: number; workerEnv?: Record<string, string>; log?: (s: string) => void }): Promise<RingwiseResult> {
  const log = opts.log ?? (() => undefined);
  const bdb = await createBenchDb();
  const id = randomBytes(4).toString('hex');
  const port = await freePort();
  const common = { DATABASE_URL: bdb.url, RINGWISE_QUEUE_PREFIX: `rwb-${id}`, LOG_LEVEL: 'info' };
  const procs: Proc[] = [];
  const steps: RingwiseStep[] = [];
  try {
    // Any hour of the day, and caps no bench customer reaches: the gate still runs for every call.
    await saveGlobalPolicy(bdb.db, 'cn-bank', { ...getProfile('cn-bank'), windowStart: '00:00', windowEnd: '24:00' }, null);
    const { key } = await createApiKey(bdb.db, { name: 'bench', role: 'operator' });
    const apiProc = startRingwise('api', 'api', { ...common, RINGWISE_API_PORT: String(port) });
    procs.push(apiProc);
    const workers = Array.from({ length: opts.workers }, (_, w) =>
      startRingwise(`worker-${w}`, 'worker', {
        ...common,
        RINGWISE_WORKER_ID: `wb-${id}-${w}`,
        ARI_APP: `rw-bench-${id}-${w}`,
        // The campaign paces; the global caps only must not be what binds.
        RINGWISE_MAX_CHANNELS: '2000',
        RINGWISE_CALLS_PER_SECOND: '1000',
        RINGWISE_MENU_TIMEOUT_SECONDS: '1',
        RINGWISE_RING_TIMEOUT_SECONDS: '15',
        ...opts.workerEnv,
      }),
    );
    procs.push(...workers);
    await Promise.all(workers.map((w) => w.waitFor('worker running', 30_000)));
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if ((await fetch(`${base}/healthz`).catch(() => null))?.ok) break;
      if (i > 100) throw new Error(`api did not start\n${apiProc.tail()}`);
      await sleep(200);
    }
    const api = apiClient(base, key);
    let first = 0;
    for (const rate of opts.rates) {
      const n = rate * opts.seconds;
      // Calls last ~2.5 s (answer, hello-world, 1 s menu wait): room for three seconds' worth.
      const campaign = await api<{ id: number }>('POST', '/v1/campaigns', {
        name: `bench ${rate} cps`,
        prompt: { 'en-US': PROMPT, 'zh-CN': PROMPT },
        callsPerSecond: rate,
        maxConcurrent: Math.max(50, rate * 5),
        callerId: '+8695500',
      });
      await api('POST', `/v1/campaigns/${campaign.id}/contacts`, contactsCsv(first, n), 'text/csv');
      first += n;
      const samplers = procs.map((p) => ({ name: p.name, s: sampleProcess(p.pid) }));
      const launchedAt = new Date();
      await api('POST', `/v1/campaigns/${campaign.id}/launch`, undefined);
      const deadline = Date.now() + (opts.seconds * 3 + 60) * 1000;
      let state = 'running';
      while (state === 'running' && Date.now() < deadline) {
        await sleep(500);
        state = (await bdb.db.query<{ state: string }>(`SELECT state FROM campaigns WHERE id = $1`, [campaign.id])).rows[0]!.state;
      }
      const procStats = samplers.map(({ name, s }) => ({ name, ...s.stop() }));
      if (state === 'running') await api('POST', `/v1/campaigns/${campaign.id}/cancel`, undefined).catch(() => undefined);
      const step = await collectStep(bdb.db, { campaignId: campaign.id, targetCps: rate, contacts: n, launchedAt, finalState: state, procs: procStats });
      steps.push(step);
      log(`ringwise ${rate} cps: ${step.attempts} attempts, ${step.failed} failed, ${step.lost} lost, sustained ${step.sustainedCps} cps, first audio p99 ${step.answerToFirstAudioMs.p99} ms${step.failed + step.lost > 0 ? ` ${JSON.stringify(step.failures)}` : ''}`);
      // Past a failing step only to reach 100 calls/s, where the first-audio target is judged.
      if (!step.ok && rate >= 100) break;
      await sleep(3_000);
    }
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await bdb.drop();
    await deletePrefix(common.RINGWISE_QUEUE_PREFIX);
  }
  const passing = steps.filter((s) => s.ok);
  return { workers: opts.workers, steps, sustainedCps: passing.length ? Math.max(...passing.map((s) => s.sustainedCps)) : 0 };
}

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runRingwise({
    rates: (opt('rates') ?? '25,50,100,150,200').split(',').map(Number),
    seconds: Number(opt('seconds') ?? 10),
    workers: Number(opt('workers') ?? 1),
    log: (s) => process.stderr.write(`${s}\n`),
  })
    .then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    });
}
