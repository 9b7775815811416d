/**
 * `npm run bench [-- --quick] [-- --only ceiling,personalised,ringwise,scheduling]`: the ceiling
 * sweep, the personalised (real path) and cheap ringwise sweeps against the same carrier in the
 * same run, and the scheduling run at scale;
 * writes bench/results/latest.json and latest.md (`--out NAME`: NAME.json and NAME.md, for a part
 * run on its own beside someone else's full run). Method: bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { runCeiling } from './ceiling.js';
import type { BenchResults } from './lib/report.js';
import { judgeTargets, renderMarkdown } from './lib/report.js';
import { round } from './lib/stats.js';
import { runRingwise } from './ringwise.js';
import { runScheduling } from './scheduling.js';
import { runScale } from './scale.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const onlyArg = argv.indexOf('--only');
const only = new Set(onlyArg >= 0 ? argv[onlyArg + 1]!.split(',') : ['ceiling', 'personalised', 'ringwise', 'scheduling', 'scale']);
const outArg = argv.indexOf('--out');
const outName = outArg >= 0 ? argv[outArg + 1]! : 'latest';
if (!/^[a-z0-9-]+$/.test(outName)) throw new Error(`--out takes a file name without extension (a-z, 0-9, -), got ${outName}`);
const log = (s: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
};

// Quick: a smoke run of every part in about two minutes; full: the sweeps the targets are judged on.
const PLAN = quick
  ? { rates: [25, 50], seconds: 5, workers: 1, rows: 50_000, addBulkJobs: 50_000, firstDial: 1_000 }
  : { rates: [25, 50, 75, 100, 150, 200, 250], seconds: 10, workers: 1, rows: 1_000_000, addBulkJobs: 200_000, firstDial: 1_000 };

/**
 * Compiles src/ once into node_modules/.cache (ignored, and where node_modules resolves) so the
 * api and worker run as built JavaScript, as in production; tsx if the build fails.
 */
function buildEntry(): string | null {
  const out = join(import.meta.dirname, '..', 'node_modules', '.cache', 'ringwise-bench');
  const r = spawnSync(
    process.execPath,
    [join(import.meta.dirname, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', out],
    {
      cwd: join(import.meta.dirname, '..'),
      stdio: 'inherit',
    },
  );
  return r.status === 0 ? join(out, 'main.js') : null;
}

async function main(): Promise<void> {
  const entry = argv.includes('--tsx') ? null : buildEntry();
  if (entry) process.env.BENCH_ENTRY = entry;
  log(`api and worker run ${entry ? `compiled (${entry})` : 'through tsx'}`);
  const r: BenchResults = {
    mode: quick ? 'quick' : 'full',
    startedAt: new Date().toISOString(),
    finishedAt: '',
    machine: { cpus: availableParallelism(), node: process.version, loadAvgAtStart: loadavg().map((x) => round(x, 2)), runtime: entry ? 'compiled' : 'tsx' },
    targets: {},
  };
  if (only.has('scheduling')) {
    log(`scheduling: ${PLAN.rows} rows`);
    r.scheduling = await runScheduling({ rows: PLAN.rows, addBulkJobs: PLAN.addBulkJobs, log });
  }
  if (only.has('ceiling')) {
    log(`ceiling: ${PLAN.rates.join(', ')} cps × ${PLAN.seconds} s`);
    r.ceiling = await runCeiling({ rates: PLAN.rates, seconds: PLAN.seconds, log });
  }
  if (only.has('personalised')) {
    // The headline: the real path (personalised TTS per customer, callees that listen), beside
    // the ceiling of this run; then launch → first dial of 1,000 fresh prompts and an overload step.
    const overloadCps = r.ceiling && r.ceiling.ceilingCps > 0 ? Math.round(r.ceiling.ceilingCps * 1.5) : undefined;
    log(`personalised: first dial of ${PLAN.firstDial}, ${PLAN.rates.join(', ')} cps × ${PLAN.seconds} s${overloadCps ? `, overload ${overloadCps} cps` : ''}`);
    r.personalised = await runRingwise({
      rates: PLAN.rates,
      seconds: PLAN.seconds,
      workers: PLAN.workers,
      workload: 'personalised',
      firstDial: PLAN.firstDial,
      ...(overloadCps ? { overloadCps } : {}),
      log,
    });
  }
  if (only.has('ringwise')) {
    log(`ringwise: ${PLAN.rates.join(', ')} cps × ${PLAN.seconds} s, ${PLAN.workers} worker(s)`);
    r.ringwise = await runRingwise({ rates: PLAN.rates, seconds: PLAN.seconds, workers: PLAN.workers, log });
  }
  if (only.has('ceiling') && argv.includes('--create-dial')) {
    // The ceiling sweep placing calls the way ringwise did until it moved to one originate
    // (channels/create + dial): Asterisk's cost of that method, on request only. Last, because
    // its saturated steps leave Asterisk slow for a while.
    log('ceiling, create + dial');
    r.ceilingCreateDial = await runCeiling({ rates: PLAN.rates, seconds: PLAN.seconds, createDial: true, log });
  }
  if (only.has('scale')) {
    // Last: two worker processes and two Asterisks are the heaviest step on a small machine.
    log(`2 workers × 2 Asterisk: ${PLAN.rates.join(', ')} cps per server × ${PLAN.seconds} s`);
    r.scale = await runScale({ rates: PLAN.rates, seconds: PLAN.seconds, log });
  }
  if (r.ceiling && r.ringwise) r.ratioToCeiling = r.ceiling.ceilingCps > 0 ? round(r.ringwise.sustainedCps / r.ceiling.ceilingCps, 2) : null;
  r.targets = judgeTargets(r);
  r.finishedAt = new Date().toISOString();
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${outName}.json`), `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(join(dir, `${outName}.md`), renderMarkdown(r));
  log(`written ${join(dir, `${outName}.json`)} and ${outName}.md`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
