import type { CeilingResult } from '../ceiling.js';
import type { RingwiseResult } from '../ringwise.js';
import type { SchedulingResult } from '../scheduling.js';
import type { ScaleResult } from '../scale.js';
import { round, type Dist } from './stats.js';

export interface BenchResults {
  mode: 'quick' | 'full';
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; node: string; loadAvgAtStart: number[]; runtime: 'compiled' | 'tsx' };
  ceiling?: CeilingResult;
  ceilingCreateDial?: CeilingResult;
  ringwise?: RingwiseResult;
  ratioToCeiling?: number | null;
  scheduling?: SchedulingResult;
  /** 2 workers × 2 Asterisk servers (bench/scale.ts). */
  scale?: ScaleResult;
  targets: Record<string, { target: string; measured: string; met: boolean | null }>;
}

const d = (x: Dist): string => (x.n === 0 ? '–' : `${x.p50} / ${x.p99}`);
const row = (cells: Array<string | number | null>): string => `| ${cells.map((c) => (c === null ? '–' : String(c))).join(' | ')} |`;

/** The markdown twin of latest.json: the same numbers, laid out for a reader. */
export function renderMarkdown(r: BenchResults): string {
  const out: string[] = [];
  out.push(`# ringwise benchmark (${r.mode})`, '');
  out.push(`${r.startedAt} → ${r.finishedAt}; ${r.machine.cpus} CPUs, Node ${r.machine.node}, api/worker ${r.machine.runtime}, load average at start ${r.machine.loadAvgAtStart.join(' ')}.`, '');
  out.push('## Targets', '', row(['what', 'target', 'measured', 'met']), row(['---', '---', '---', '---']));
  for (const [k, t] of Object.entries(r.targets)) out.push(row([k, t.target, t.measured, t.met === null ? 'n/a' : t.met ? 'yes' : 'NO']));
  const ceilingTable = (title: string, c: CeilingResult): void => {
    out.push('', `## ${title} (ceiling ${c.ceilingCps} cps)`, '');
    out.push(row(['target cps', 'achieved cps', 'placed', 'answered', 'failed', 'peak concurrent', 'originate HTTP p50/p99 ms', 'originate→answer p50/p99 ms', 'answer→first audio p50/p99 ms', 'ok']));
    out.push(row(Array(10).fill('---')));
    for (const s of c.steps) {
      out.push(row([s.targetCps, s.achievedCps, s.placed, s.answered, s.failed, s.peakConcurrent, d(s.originateHttpMs), d(s.originateToAnswerMs), d(s.answerToFirstAudioMs), s.ok ? 'yes' : `no ${JSON.stringify(s.failures)}`]));
    }
  };
  if (r.ceiling) ceilingTable('Ceiling: bare ARI script, one originate per call', r.ceiling);
  if (r.ceilingCreateDial) ceilingTable('Bare ARI script placing calls by channels/create + dial (ringwise\'s former method)', r.ceilingCreateDial);
  if (r.ringwise) {
    out.push('', `## ringwise: API + scheduler + gate + ledger + ARI, ${r.ringwise.workers} worker process(es) (sustained ${r.ringwise.sustainedCps} cps, ratio to ceiling ${r.ratioToCeiling ?? '–'})`, '');
    out.push(row(['target cps', 'sustained cps', 'contacts', 'attempts', 'failed', 'lost', 'undialed', 'peak concurrent', 'launch→first dial ms', 'gate→originate p50/p99 ms', 'originate→answer p50/p99 ms', 'answer→first audio p50/p99 ms', 'worker CPU % / RSS MiB', 'api CPU % / RSS MiB', 'kept up', 'ok']));
    out.push(row(Array(16).fill('---')));
    for (const s of r.ringwise.steps) {
      const w = s.procs.filter((p) => p.name.startsWith('worker')).map((p) => `${p.cpuPercentOfOneCore} / ${p.peakRssMiB}`).join(', ');
      const a = s.procs.find((p) => p.name === 'api');
      out.push(
        row([s.targetCps, s.sustainedCps, s.contacts, s.attempts, s.failed, s.lost, s.undialed, s.peakConcurrent, s.launchToFirstDialMs, d(s.reservedToOriginatedMs), d(s.originateToAnswerMs), d(s.answerToFirstAudioMs), w, a ? `${a.cpuPercentOfOneCore} / ${a.peakRssMiB}` : null, s.keptUp ? 'yes' : 'no', s.ok ? 'yes' : `no (${s.finalState}, ${JSON.stringify(s.outcomes)}, ${JSON.stringify(s.failures ?? {})})`]),
      );
    }
  }
  if (r.scheduling) {
    const s = r.scheduling;
    out.push('', `## Scheduling: ${s.rows.toLocaleString('en')} contacts imported over HTTP, launched, first dial window enqueued`, '');
    out.push(
      row(['import s', 'import rows/s', 'launch→first dial ms', 'launch→first window ms', 'window jobs', 'import + first window s', `dial jobs held (max over ${s.holdSeconds} s)`, 'Redis MiB held', 'still pending']),
      row(Array(9).fill('---')),
    );
    out.push(row([s.importSeconds, s.importRowsPerSecond, s.launchToFirstDialMs, s.launchToFirstWindowMs, s.firstWindowJobs, s.totalSeconds, s.redisJobsHeldMax, s.redisQueueMiB, s.pendingAtEnd]));
    out.push('', row(['process', 'CPU % of one core', 'peak RSS MiB (sampled)', 'VmHWM MiB']), row(Array(4).fill('---')));
    for (const p of s.procs) out.push(row([p.name, p.cpuPercentOfOneCore, p.peakRssMiB, p.hwmRssMiB]));
    if (s.addBulk.length) {
      out.push('', `addBulk alone (dial-shaped jobs, throwaway queue; Redis ≈ ${s.redisUsedMiBPerMillionJobs} MiB per million jobs):`, '');
      out.push(row(['chunk', 'jobs', 's', 'jobs/s']), row(Array(4).fill('---')));
      for (const a of s.addBulk) out.push(row([a.chunk, a.jobs, a.seconds, a.jobsPerSecond]));
    }
  }
  if (r.scale) {
    const sc = r.scale;
    out.push('', `## 2 workers × 2 Asterisk: ringwise ${sc.ringwise.sustainedCps} cps / summed ceiling ${sc.summedCeilingCps} cps (${sc.ceilings.map((c) => `${c.server} ${c.ceilingCps}`).join(' + ')}) = ${sc.ratio ?? '–'}`, '');
    out.push(row(['target cps', 'sustained cps', 'attempts', 'failed', 'lost', 'peak concurrent', 'answer→first audio p50/p99 ms', 'worker CPU % / RSS MiB', 'ok']), row(Array(9).fill('---')));
    for (const s of sc.ringwise.steps) {
      const w = s.procs.filter((p) => p.name.startsWith('worker')).map((p) => `${p.cpuPercentOfOneCore} / ${p.peakRssMiB}`).join(', ');
      out.push(row([s.targetCps, s.sustainedCps, s.attempts, s.failed, s.lost, s.peakConcurrent, d(s.answerToFirstAudioMs), w, s.ok ? 'yes' : 'no']));
    }
  }
  out.push('', 'Method and caveats: [bench/README.md](../README.md).', '');
  return out.join('\n');
}

/** The issue's targets against this run's numbers (null: not measured at the size the target needs). */
export function judgeTargets(r: BenchResults): BenchResults['targets'] {
  const t: BenchResults['targets'] = {};
  if (r.ratioToCeiling !== undefined) {
    t['ringwise cps / ceiling cps'] = { target: '≥ 0.8, zero failures', measured: `${r.ringwise!.sustainedCps} / ${r.ceiling!.ceilingCps} = ${r.ratioToCeiling}`, met: r.ratioToCeiling === null ? null : r.ratioToCeiling >= 0.8 };
  }
  if (r.ceiling && r.ringwise) {
    // "No failures" alone lets a saturated Asterisk pass (every call answered, seconds late):
    // the same ratio against the highest rate whose answers stayed under a second at p99.
    const prompt = r.ceiling.steps.filter((s) => s.ok && s.originateToAnswerMs.p99 !== null && s.originateToAnswerMs.p99 < 1000);
    const c = prompt.length ? Math.max(...prompt.map((s) => s.targetCps)) : 0;
    const ratio = c > 0 ? round(r.ringwise.sustainedCps / c, 2) : null;
    t['ringwise cps / ceiling with answer p99 < 1 s'] = { target: '≥ 0.8', measured: `${r.ringwise.sustainedCps} / ${c} = ${ratio ?? '–'}`, met: ratio === null ? null : ratio >= 0.8 };
  }
  if (r.scale) {
    const sc = r.scale;
    const failures = sc.ringwise.steps.filter((s) => s.ok).length > 0 ? 0 : null;
    t['2 workers × 2 Asterisk: ringwise cps / summed ceiling cps'] = {
      target: '≥ 0.8, zero failures',
      measured: `${sc.ringwise.sustainedCps} / ${sc.summedCeilingCps} = ${sc.ratio ?? '–'}`,
      met: sc.ratio === null || failures === null ? null : sc.ratio >= 0.8,
    };
  }
  const at100 = r.ringwise?.steps.find((s) => s.targetCps === 100);
  if (at100) {
    t['answer→first audio p99 at 100 cps'] = { target: '< 100 ms', measured: `${at100.answerToFirstAudioMs.p99} ms`, met: at100.answerToFirstAudioMs.p99 !== null && at100.answerToFirstAudioMs.p99 < 100 };
  }
  if (r.scheduling) {
    const s = r.scheduling;
    const full = s.rows >= 1_000_000;
    // Enqueued = the campaign's dial window (the rest is queued as it drains, see bench/README.md).
    t[`${s.rows.toLocaleString('en')} contacts imported + first dial window enqueued`] = { target: '< 60 s (1M)', measured: `${s.totalSeconds} s`, met: full ? s.totalSeconds < 60 : null };
    const w = s.procs.find((p) => p.name === 'worker');
    if (w) t['worker peak RSS'] = { target: '< 300 MB', measured: `${w.peakRssMiB} MiB`, met: full ? w.peakRssMiB * 1.048576 < 300 : null };
  }
  return t;
}
