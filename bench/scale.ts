/**
 * 2 workers × 2 Asterisk: the ceiling of each of the slot's two Asterisk servers measured alone
 * (the bare ARI script), summed, against ringwise dialing through both servers with two worker
 * processes (RINGWISE_ASTERISK_SERVERS). Needs the sandbox up with RINGWISE_SANDBOX_SERVERS=2.
 * On one machine both Asterisks share its cores, so the sum of what each reaches alone overstates
 * what they carry together (seen on the 2-core machine: 150 + 150 alone, but both at once
 * saturate far below 300). The step also measures the joint ceiling: the bare script driving
 * both servers at once, half the rate each; on separate machines the two figures meet. The ratio
 * is judged against the joint ceiling when there is one (what this machine can carry), the sum
 * is shown beside it.
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
  /** The bare script driving both servers at once (half the rate each): the highest passing combined rate. */
  jointCeilingCps?: number;
  jointSteps?: Array<{ targetCps: number; ok: boolean; failed: number }>;
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
  const jointSteps: NonNullable<ScaleResult['jointSteps']> = [];
  for (const rate of opts.rates) {
    const half = Math.max(1, Math.round(rate / 2));
    log(`2 × 2: joint ceiling, both servers at once, ${half} cps each`);
    const both = await Promise.all([env.ARI_URL!, env.ASTERISK_2_ARI_URL!].map((ariUrl) => runCeiling({ rates: [half], seconds: opts.seconds, ariUrl })));
    const step = { targetCps: half * 2, ok: both.every((c) => c.steps[0]?.ok === true), failed: both.reduce((n, c) => n + (c.steps[0]?.failed ?? 0), 0) };
    jointSteps.push(step);
    log(`2 × 2: joint ceiling ${step.targetCps} cps: ${step.ok ? 'ok' : `failed (${step.failed} calls)`}`);
    if (!step.ok) break;
    await new Promise((r) => setTimeout(r, 3_000));
  }
  const passingJoint = jointSteps.filter((x) => x.ok);
  const joint = passingJoint.length ? Math.max(...passingJoint.map((x) => x.targetCps)) : 0;
  const judgedOn = joint > 0 ? joint : summed;
  // ringwise steps at fractions of the ceiling measured in this run (half, 0.8, all of it), so
  // the ratio means the same on a quiet machine and a loaded one; the sweep's rates doubled when
  // no ceiling was found.
  const rates = judgedOn > 0 ? [...new Set([0.5, 0.8, 1].map((f) => Math.max(1, Math.round(judgedOn * f))))] : opts.rates.map((r) => r * 2);
  log(`2 × 2: ringwise, 2 workers through both servers at ${rates.join(', ')} cps`);
  const ringwise = await runRingwise({ rates, seconds: opts.seconds, workers: 2, workerEnv: { RINGWISE_ASTERISK_SERVERS: servers }, log });
  return {
    ceilings,
    summedCeilingCps: summed,
    jointCeilingCps: joint,
    jointSteps,
    ringwise,
    ratio: judgedOn > 0 ? round(ringwise.sustainedCps / judgedOn, 2) : null,
  };
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
