import { readFileSync } from 'node:fs';
import { round } from './stats.js';

/**
 * CPU and memory of another process, read from /proc (Linux): CPU as a share of one core over
 * the sampled span, RSS sampled every `everyMs` (peak) plus the kernel's own high-water mark.
 */
export interface ProcStats {
  pid: number;
  cpuPercentOfOneCore: number;
  peakRssMiB: number;
  hwmRssMiB: number | null;
}

const TICKS = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime is 14th, stime 15th overall.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return null;
  }
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
  let peak = 0;
  let hwm: number | null = null;
  const tick = (): void => {
    c1 = cpuTicks(pid) ?? c1;
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
      };
    },
  };
}
