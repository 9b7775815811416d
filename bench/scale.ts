/**
 * 2 workers × 2 Asterisk: the ceiling of each of the slot's two Asterisk servers measured alone
 * (the bare ARI script), summed, against ringwise dialing through both servers with two worker
 * processes (RINGWISE_ASTERISK_SERVERS). Needs the sandbox up with RINGWISE_SANDBOX_SERVERS=2.
 * On one machine both Asterisks share its cores: the summed ceiling is what each reaches alone,
 * so the ratio says how much of the parallel capacity ringwise turns into calls.
 *
 *   node --import tsx bench/scale.ts [--rates 25,50,100] [--seconds 10]
 */
import { pathToFileURL } from 'node:url';
import { sandboxEnv } from '../test/helpers/sandbox-env.js';
import { runCeiling, type CeilingResult } from './ceiling.js';
import { runRingwise, type RingwiseResult } from './ringwise.js';
import { round } from './lib/stats.js';

export interface ScaleResult {
  ceilings: Array<{ server: string; ceilingCps: number; steps: CeilingResult['steps'] }>;
  summedCeilingCps: number;
  ringwise: RingwiseResult;
  ratio: number | null;
}

export function twoServerList(env: Record<string, string>): string {
  if (env.SANDBOX_SERVERS !== '2' || !env.ASTERISK_2_ARI_URL)
    throw new Error('the 2 × 2 step needs the second server: RINGWISE_SANDBOX_SERVERS=2 bash scripts/sandbox.sh up');
  return JSON.stringify([
    { name: 'asterisk-1', ariUrl: env.ARI_URL, amiHost: env.AMI_HOST, amiPort: Number(env.AMI_PORT), capacity: 1000 },
    { name: 'asterisk-2', ariUrl: env.ASTERISK_2_ARI_URL, amiHost: env.AMI_HOST, amiPort: Number(env.ASTERISK_2_AMI_PORT), capacity: 1000 },
  ]);
}

export async function runScale(opts: { rates: number[]; seconds: number; log?: (s: string) => void }): Promise<ScaleResult> {
  const log = opts.log ?? (() => undefined);
  const env = sandboxEnv();
  const servers = twoServerList(env);
  const ceilings: ScaleResult['ceilings'] = [];
  for (const [server, url] of [
    ['asterisk-1', env.ARI_URL!],
    ['asterisk-2', env.ASTERISK_2_ARI_URL!],
  ] as const) {
    log(`2 × 2: ceiling of ${server} alone`);
    const c = await runCeiling({ rates: opts.rates, seconds: opts.seconds, ariUrl: url, log });
    ceilings.push({ server, ceilingCps: c.ceilingCps, steps: c.steps });
  }
  const summed = ceilings.reduce((n, c) => n + c.ceilingCps, 0);
  // ringwise steps at fractions of the summed ceiling measured in this run (half, 0.8, all of it),
  // so the ratio means the same on a quiet machine and a loaded one; the sweep's rates doubled
  // when no ceiling was found.
  const rates = summed > 0 ? [...new Set([0.5, 0.8, 1].map((f) => Math.max(1, Math.round(summed * f))))] : opts.rates.map((r) => r * 2);
  log(`2 × 2: ringwise, 2 workers through both servers at ${rates.join(', ')} cps`);
  const ringwise = await runRingwise({ rates, seconds: opts.seconds, workers: 2, workerEnv: { RINGWISE_ASTERISK_SERVERS: servers }, log });
  return { ceilings, summedCeilingCps: summed, ringwise, ratio: summed > 0 ? round(ringwise.sustainedCps / summed, 2) : null };
}

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runScale({ rates: (opt('rates') ?? '25,50,100').split(',').map(Number), seconds: Number(opt('seconds') ?? 10), log: (s) => process.stderr.write(`${s}\n`) })
    .then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    });
}
