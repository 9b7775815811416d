/**
 * ringwise under load: real `ringwise api` and `ringwise worker` processes, a fresh database and
 * queue prefix, and per rate step a new campaign created, filled (CSV import of distinct
 * customers on carrier numbers 90-99) and launched through the API. The calls go through the
 * scheduler, pacing, compliance gate, ledger and ARI to the same carrier as the ceiling. All
 * numbers come from the ledger afterwards (and /proc for the processes).
 *
 * Two workloads: `cheap` (a fixed `sound:hello-world` to silent 9x numbers, the cheapest call)
 * and `personalised` (the real path: a TTS sentence with the customer's name, amount and date in
 * their language, half zh-CN and half en-US, to 0x numbers that answer and listen to the end).
 *
 *   node --import tsx bench/ringwise.ts [--rates 25,50,100] [--seconds 10] [--workers 1]
 *     [--workload cheap|personalised] [--first-dial 1000] [--overload-cps 300]
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { createApiKey } from '../src/auth/keys.repo.js';
import { getProfile } from '../src/compliance/policy.profiles.js';
import { saveGlobalPolicy } from '../src/compliance/policy.store.js';
import { drainChannels } from './lib/ari-http.js';
import { createBenchDb } from './lib/bench-db.js';
import { collectStep, type RingwiseStep } from './lib/ledger-stats.js';
import { benchCustomer, PERSONALISED } from './lib/personalised-media.js';
import { listenerNumber, loadNumber } from './lib/numbers.js';
import { asteriskPids, sampleCpu, sampleProcess } from './lib/proc.js';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../src/store/db.js';
import { sandboxEnv } from '../test/helpers/sandbox-env.js';
import { apiClient, freePort, startRingwise, type Proc } from './lib/stack.js';
import { round, sleep } from './lib/stats.js';
import { deletePrefix } from './lib/redis-prefix.js';

export type Workload = 'cheap' | 'personalised';

export interface RingwiseResult {
  workload: Workload;
  workers: number;
  steps: RingwiseStep[];
  sustainedCps: number;
  /** One step at `overloadCps` (1.5 × the ceiling), judged on failed and silent calls only. */
  overload?: RingwiseStep;
  /** Launch → the first originate of a fresh campaign of `contacts` personalised prompts. */
  firstDial?: { contacts: number; launchToFirstDialMs: number | null };
}

const CHEAP = { segments: [{ type: 'sound', name: 'hello-world' }] };
const CSV_HEADER = 'external_id,name,phone,timezone,locale,amount_due,currency,due_date,days_past_due,risk_score\n';

function contactsCsv(workload: Workload, run: string, first: number, n: number): string {
  let s = CSV_HEADER;
  for (let i = first; i < first + n; i++) {
    if (workload === 'cheap') s += `LOAD-${i},Load Customer ${i},${loadNumber(i)},Asia/Shanghai,en-US,100.00,CNY,2026-11-01,10,10\n`;
    // Distinct customers with names as common as real ones (bench/lib/names.ts); the run renders
    // into a folder of its own (runRingwise), so nothing was rendered by an earlier run.
    else {
      const c = benchCustomer(i);
      s += `P-${run}-${i},${c.name},${listenerNumber(i)},Asia/Shanghai,${c.locale},${c.amountDue},CNY,${c.dueDate},${c.daysPastDue},10\n`;
    }
  }
  return s;
}

/** PostgreSQL backends of the bench database (the api's and workers' pools, and the bench's own few queries). */
async function backendPids(db: Db): Promise<number[]> {
  const r = await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  return r.rows.map((x) => x.pid);
}

export interface RingwiseOptions {
  rates: number[];
  seconds: number;
  workers: number;
  workload?: Workload;
  /** Extra environment for the worker processes (e.g. RINGWISE_ASTERISK_SERVERS for the 2 × 2 step). */
  workerEnv?: Record<string, string>;
  /** After the sweep: one step at this rate (overload), judged on failed and silent calls. */
  overloadCps?: number;
  /** Before the sweep: a campaign of this many personalised contacts, launch → first dial. */
  firstDial?: number;
  log?: (s: string) => void;
}

export async function runRingwise(opts: RingwiseOptions): Promise<RingwiseResult> {
  const log = opts.log ?? (() => undefined);
  const workload = opts.workload ?? 'cheap';
  const result: RingwiseResult = { workload, workers: opts.workers, steps: [], sustainedCps: 0 };
  const bdb = await createBenchDb();
  const id = randomBytes(4).toString('hex');
  const port = await freePort();
  // Personalised prompts render into a folder of this run (deleted at the end): a cold cache, as
  // on a fresh install, so the run pays for every phrase, number word and name it speaks.
  const sandbox = sandboxEnv();
  const promptDirs =
    workload === 'personalised' && sandbox['RINGWISE_PROMPT_DIR'] && sandbox['RINGWISE_PROMPT_DIR_ON_ASTERISK']
      ? {
          RINGWISE_PROMPT_DIR: join(sandbox['RINGWISE_PROMPT_DIR'], `bench-${id}`),
          RINGWISE_PROMPT_DIR_ON_ASTERISK: `${sandbox['RINGWISE_PROMPT_DIR_ON_ASTERISK']}/bench-${id}`,
        }
      : undefined;
  const common = { DATABASE_URL: bdb.url, RINGWISE_QUEUE_PREFIX: `rwb-${id}`, LOG_LEVEL: 'info', ...promptDirs };
  const procs: Proc[] = [];
  const steps = result.steps;
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
    // Two workers starting beside two Asterisks on a loaded 2-core machine took over 30 s (seen at load 35).
    await Promise.all(workers.map((w) => w.waitFor('worker running', 120_000)));
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if ((await fetch(`${base}/healthz`).catch(() => null))?.ok) break;
      if (i > 100) throw new Error(`api did not start\n${apiProc.tail()}`);
      await sleep(200);
    }
    const api = apiClient(base, key);
    let first = 0;
    const runStep = async (rate: number, n: number, kind: Workload, waitToEnd = true): Promise<RingwiseStep> => {
      // Cheap calls last ~2.5 s (answer, hello-world, 1 s menu wait), personalised ones ~8 s (a
      // sentence of 5-7 s): room for three seconds' worth of calls, or ten.
      const campaign = await api<{ id: number }>('POST', '/v1/campaigns', {
        name: `bench ${kind} ${rate} cps`,
        prompt: kind === 'cheap' ? { 'en-US': CHEAP, 'zh-CN': CHEAP } : PERSONALISED,
        callsPerSecond: rate,
        maxConcurrent: Math.max(50, rate * (kind === 'cheap' ? 5 : 10)),
        callerId: '+8695500',
      });
      await api('POST', `/v1/campaigns/${campaign.id}/contacts`, contactsCsv(kind, id, first, n), 'text/csv');
      first += n;
      const samplers = procs.map((p) => ({ name: p.name, s: sampleProcess(p.pid) }));
      const pg = sampleCpu(() => backendPids(bdb.db));
      const ast = sampleCpu(asteriskPids);
      await Promise.all([pg.start(), ast.start()]);
      const launchedAt = new Date();
      await api('POST', `/v1/campaigns/${campaign.id}/launch`, undefined);
      // Personalised calls last ~8 s and render a sentence each: more room before the step is cut.
      const deadline = Date.now() + (waitToEnd ? opts.seconds * (kind === 'cheap' ? 3 : 6) + (kind === 'cheap' ? 60 : 90) : 30) * 1000;
      let state = 'running';
      while (state === 'running' && Date.now() < deadline) {
        await sleep(waitToEnd ? 500 : 50);
        state = (await bdb.db.query<{ state: string }>(`SELECT state FROM campaigns WHERE id = $1`, [campaign.id])).rows[0]!.state;
        if (
          !waitToEnd &&
          (await bdb.db.query(`SELECT 1 FROM call_attempts WHERE campaign_id = $1 AND originated_at IS NOT NULL LIMIT 1`, [campaign.id])).rowCount
        )
          break;
      }
      const procStats = samplers.map(({ name, s }) => ({ name, ...s.stop() }));
      const [pgMs, astMs] = await Promise.all([pg.stop(), ast.stop()]);
      if (state === 'running') await api('POST', `/v1/campaigns/${campaign.id}/cancel`, undefined).catch(() => undefined);
      const step = await collectStep(bdb.db, { campaignId: campaign.id, targetCps: rate, contacts: n, launchedAt, finalState: state, procs: procStats });
      // The next step starts on an Asterisk without this one's calls (a cut step's would skew it).
      const drained = await drainChannels(sandbox, `rw-bench-${id}`, 60_000);
      if (drained.waitedFor > 0) log(`ringwise ${kind} ${rate} cps: waited for ${drained.waitedFor} calls to end, hung up ${drained.hungUp}`);
      if (step.attempts > 0) {
        const per = (ms: number) => round(ms / step.attempts, 2);
        const sum = (f: (p: (typeof procStats)[number]) => number, w: (name: string) => boolean) =>
          procStats.filter((p) => w(p.name)).reduce((a, p) => a + f(p), 0);
        const isWorker = (name: string) => name.startsWith('worker');
        step.cpuMsPerCall = {
          worker: per(sum((p) => p.cpuMs, isWorker)),
          workerTts: per(sum((p) => p.childCpuMs, isWorker)),
          api: per(
            sum(
              (p) => p.cpuMs,
              (name) => name === 'api',
            ),
          ),
          postgres: per(pgMs),
          asterisk: per(astMs),
        };
      }
      return step;
    };
    for (const rate of opts.rates) {
      const step = await runStep(rate, rate * opts.seconds, workload);
      steps.push(step);
      log(
        `ringwise ${workload} ${rate} cps: ${step.attempts} attempts, ${step.failed} failed, ${step.lost} lost, ${step.silent} silent, sustained ${step.sustainedCps} cps, first audio p99 ${step.answerToFirstAudioMs.p99} ms, CPU ms/call ${JSON.stringify(step.cpuMsPerCall)}${step.failed + step.lost > 0 ? ` ${JSON.stringify(step.failures)}` : ''}`,
      );
      // Past a failing step only to reach 100 calls/s, where the first-audio target is judged.
      if (!step.ok && rate >= 100) break;
      await sleep(3_000);
    }
    if (opts.overloadCps) {
      const rate = Math.round(opts.overloadCps);
      result.overload = await runStep(rate, rate * opts.seconds, workload);
      const o = result.overload;
      log(
        `ringwise overload ${rate} cps: ${o.attempts} attempts, ${o.failed} failed, ${o.silent} silent, sustained ${o.sustainedCps} cps ${JSON.stringify(o.failures)}`,
      );
    }
    if (opts.firstDial) {
      // Last (its cancelled jobs would cost the steps after it): a fresh campaign of personalised
      // prompts nobody rendered yet, how soon the first call goes out.
      await sleep(3_000);
      const step = await runStep(20, opts.firstDial, 'personalised', false);
      result.firstDial = { contacts: opts.firstDial, launchToFirstDialMs: step.launchToFirstDialMs };
      log(`ringwise first dial of ${opts.firstDial} personalised prompts: ${step.launchToFirstDialMs} ms after launch`);
    }
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await bdb.drop();
    await deletePrefix(common.RINGWISE_QUEUE_PREFIX);
    if (promptDirs) await rm(promptDirs.RINGWISE_PROMPT_DIR, { recursive: true, force: true });
  }
  const passing = steps.filter((s) => s.ok);
  result.sustainedCps = passing.length ? Math.max(...passing.map((s) => s.sustainedCps)) : 0;
  return result;
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
    workload: (opt('workload') ?? 'cheap') as Workload,
    ...(opt('first-dial') ? { firstDial: Number(opt('first-dial')) } : {}),
    ...(opt('overload-cps') ? { overloadCps: Number(opt('overload-cps')) } : {}),
    log: (s) => process.stderr.write(`${s}\n`),
  })
    .then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    });
}
