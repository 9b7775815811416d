/**
 * `npm run bench [-- --quick] [-- --only ceiling,personalised,ringwise,scheduling,scale]
 * [-- --deadline HH:MM] [-- --note "..."] [-- --rejudge]`: the ceiling
 * sweep, the personalised (real path) and cheap ringwise sweeps against the same carrier in the
 * same run, and the scheduling run at scale;
 * writes bench/results/latest.json and latest.md (`--out NAME`: NAME.json and NAME.md, for a part
 * run on its own beside someone else's full run). Method: bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
const arg = (name: string): string | undefined => (argv.indexOf(name) >= 0 ? argv[argv.indexOf(name) + 1] : undefined);
const PARTS = ['ceiling', 'personalised', 'ringwise', 'scheduling', 'scale'];
const only = new Set(arg('--only')?.split(',') ?? PARTS);
// --deadline HH:MM (UTC): parts that would start after it are skipped and listed as such.
const deadline = arg('--deadline');
// --note "...": said at the top of the results (e.g. that other work shared the machine).
const note = arg('--note');
const outName = arg('--out') ?? 'latest';
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

/** `--rejudge`: the targets and the markdown again from the saved JSON (after a change to the report, no new measurement). */
function rejudge(): void {
  const dir = join(import.meta.dirname, 'results');
  const r = JSON.parse(readFileSync(join(dir, `${outName}.json`), 'utf8')) as BenchResults;
  r.targets = judgeTargets(r);
  writeFileSync(join(dir, `${outName}.json`), `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(join(dir, `${outName}.md`), renderMarkdown(r));
  log(`re-judged ${join(dir, `${outName}.json`)} and ${outName}.md`);
}

async function main(): Promise<void> {
  if (argv.includes('--rejudge')) return rejudge();
  const entry = argv.includes('--tsx') ? null : buildEntry();
  if (entry) process.env.BENCH_ENTRY = entry;
  log(`api and worker run ${entry ? `compiled (${entry})` : 'through tsx'}`);
  const r: BenchResults = {
    mode: quick ? 'quick' : 'full',
    startedAt: new Date().toISOString(),
    finishedAt: '',
    machine: {
      cpus: availableParallelism(),
      node: process.version,
      loadAvgAtStart: loadavg().map((x) => round(x, 2)),
      runtime: entry ? 'compiled' : 'tsx',
      ...(note ? { note } : {}),
    },
    targets: {},
    skipped: PARTS.filter((p) => !only.has(p)),
  };
  const loads: number[] = [];
  const sampleLoad = setInterval(() => loads.push(loadavg()[0]!), 10_000);
  sampleLoad.unref();
  const dir = join(import.meta.dirname, 'results');
  // Written after every part, so a run stopped early still leaves what it measured.
  const write = (): void => {
    if (r.ceiling && r.ringwise) r.ratioToCeiling = r.ceiling.ceilingCps > 0 ? round(r.ringwise.sustainedCps / r.ceiling.ceilingCps, 2) : null;
    r.targets = judgeTargets(r);
    r.finishedAt = new Date().toISOString();
    if (loads.length)
      r.machine.loadAvg1m = { mean: round(loads.reduce((a, b) => a + b, 0) / loads.length, 1), max: round(Math.max(...loads), 1), samples: loads.length };
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${outName}.json`), `${JSON.stringify(r, null, 2)}\n`);
    writeFileSync(join(dir, `${outName}.md`), renderMarkdown(r));
  };
  const pastDeadline = (): boolean => {
    if (!deadline) return false;
    const [hh, mm] = deadline.split(':').map(Number);
    const now = new Date();
    return now.getUTCHours() * 60 + now.getUTCMinutes() >= hh! * 60 + mm!;
  };
  /** Runs a part unless it is past the deadline (then it is listed as skipped). */
  const part = async (name: string, run: () => Promise<void>): Promise<void> => {
    if (!only.has(name)) return;
    if (pastDeadline()) {
      log(`${name}: skipped (past the deadline ${deadline} UTC)`);
      r.skipped!.push(`${name} (past the deadline)`);
      return;
    }
    try {
      await run();
    } catch (err) {
      // One part failing (e.g. a connection cut under load) must not lose the others' numbers.
      log(`${name}: failed: ${(err as Error).message}`);
      r.skipped!.push(`${name} (failed: ${(err as Error).message.slice(0, 200)})`);
    }
    write();
  };
  // The headline first (the ceiling, then the personalised sweep beside it), the heaviest last.
  await part('ceiling', async () => {
    log(`ceiling: ${PLAN.rates.join(', ')} cps × ${PLAN.seconds} s`);
    r.ceiling = await runCeiling({ rates: PLAN.rates, seconds: PLAN.seconds, log });
  });
  await part('personalised', async () => {
    // The real path (personalised TTS per customer, callees that listen), beside the bare
    // script's ceiling for the same calls; then launch → first dial of 1,000 fresh prompts and an
    // overload step at 1.5 × that ceiling.
    log(`ceiling, personalised calls: ${PLAN.rates.join(', ')} cps × ${PLAN.seconds} s`);
    r.ceilingPersonalised = await runCeiling({ rates: PLAN.rates, seconds: PLAN.seconds, workload: 'personalised', log });
    const ceiling = [r.ceilingPersonalised, r.ceiling].find((c) => c && c.ceilingCps > 0);
    const overloadCps = ceiling ? Math.round(ceiling.ceilingCps * 1.5) : undefined;
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
  });
  await part('ringwise', async () => {
    log(`ringwise: ${PLAN.rates.join(', ')} cps × ${PLAN.seconds} s, ${PLAN.workers} worker(s)`);
    r.ringwise = await runRingwise({ rates: PLAN.rates, seconds: PLAN.seconds, workers: PLAN.workers, log });
  });
  await part('scheduling', async () => {
    log(`scheduling: ${PLAN.rows} rows`);
    r.scheduling = await runScheduling({ rows: PLAN.rows, addBulkJobs: PLAN.addBulkJobs, log });
  });
  if (only.has('ceiling') && argv.includes('--create-dial')) {
    // The ceiling sweep placing calls the way ringwise did until it moved to one originate
    // (channels/create + dial): Asterisk's cost of that method, on request only. Late, because
    // its saturated steps leave Asterisk slow for a while.
    await part('ceiling', async () => {
      log('ceiling, create + dial');
      r.ceilingCreateDial = await runCeiling({ rates: PLAN.rates, seconds: PLAN.seconds, createDial: true, log });
    });
  }
  await part('scale', async () => {
    // Last: two worker processes and two Asterisks are the heaviest step on a small machine.
    log(`2 workers × 2 Asterisk: ${PLAN.rates.join(', ')} cps per server × ${PLAN.seconds} s`);
    r.scale = await runScale({ rates: PLAN.rates, seconds: PLAN.seconds, log });
  });
  clearInterval(sampleLoad);
  write();
  log(`written ${join(dir, `${outName}.json`)} and ${outName}.md`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
