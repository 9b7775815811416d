import { readFileSync } from 'node:fs';
import { round } from './stats.js';
import { sandboxEnv } from '../../test/helpers/sandbox-env.js';

/**
 * CPU and memory of another process, read from /proc (Linux): CPU as a share of one core over
 * the sampled span, RSS sampled every `everyMs` (peak) plus the kernel's own high-water mark.
 */
export interface ProcStats {
  pid: number;
  cpuPercentOfOneCore: number;
  peakRssMiB: number;
  hwmRssMiB: number | null;
  /** CPU time (user + system) over the span, ms; and its waited-for children's (TTS: espeak-ng, sox). */
  cpuMs: number;
  childCpuMs: number;
}

const TICKS = 100; // USER_HZ on Linux

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime is 14th, stime 15th overall.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

export function cpuTicks(pid: number): number | null {
  const f = statFields(pid);
  return f ? Number(f[11]) + Number(f[12]) : null;
}

/** CPU of children the process waited for (cutime + cstime): its TTS runs. */
function childTicks(pid: number): number | null {
  const f = statFields(pid);
  return f ? Number(f[13]) + Number(f[14]) : null;
}

/**
 * CPU time, in ms, that a changing set of processes spent between start and stop (PostgreSQL
 * backends of one database, Asterisk): each pid's ticks at its first and last sighting; a pid
 * first seen after start counts from zero (it was born during the span).
 */
export function sampleCpu(pids: () => Promise<number[]>): { start(): Promise<void>; stop(): Promise<number> } {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const look = async (initial: boolean): Promise<void> => {
    for (const pid of await pids()) {
      const t = cpuTicks(pid);
      if (t === null) continue;
      if (!first.has(pid)) first.set(pid, initial ? t : 0);
      last.set(pid, t);
    }
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    async start() {
      await look(true);
      // Backends that come and go between start and stop are caught at a sighting in between.
      timer = setInterval(() => void look(false).catch(() => undefined), 1_000);
    },
    async stop() {
      clearInterval(timer);
      await look(false);
      let ticks = 0;
      for (const [pid, t] of last) ticks += t - (first.get(pid) ?? 0);
      return (ticks / TICKS) * 1000;
    },
  };
}

function status(pid: number, key: string): number | null {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export function sampleProcess(pid: number, everyMs = 200): { stop(): ProcStats } {
  const t0 = performance.now();
  const c0 = cpuTicks(pid) ?? 0;
  let c1 = c0;
  const k0 = childTicks(pid) ?? 0;
  let k1 = k0;
  let peak = 0;
  let hwm: number | null = null;
  const tick = (): void => {
    c1 = cpuTicks(pid) ?? c1;
    k1 = childTicks(pid) ?? k1;
    peak = Math.max(peak, status(pid, 'VmRSS') ?? 0);
    hwm = status(pid, 'VmHWM') ?? hwm;
  };
  tick();
  const t = setInterval(tick, everyMs);
  return {
    stop() {
      tick();
      clearInterval(t);
      const seconds = (performance.now() - t0) / 1000;
      return {
        pid,
        cpuPercentOfOneCore: round(((c1 - c0) / TICKS / seconds) * 100),
        peakRssMiB: round(peak / 1024 / 1024),
        hwmRssMiB: hwm === null ? null : round(hwm / 1024 / 1024),
        cpuMs: ((c1 - c0) / TICKS) * 1000,
        childCpuMs: ((k1 - k0) / TICKS) * 1000,
      };
    },
  };
}

/** The sandbox's (first) Asterisk: its pid from the pid file the sandbox writes. */
export async function asteriskPids(): Promise<number[]> {
  try {
    const file = sandboxEnv()['SANDBOX_ASTERISK_PID_FILE'];
    return file ? [Number(readFileSync(file, 'utf8').trim())] : [];
  } catch {
    return [];
  }
}
