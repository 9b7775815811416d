import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../helpers/sandbox-env.js';
import { waitFor, type Harness } from '../dialer/dialer-harness.js';

/** A real `ringwise worker` process, started as an operator would, with its HTTP port found from its log. */
export interface WorkerProcess {
  child: ChildProcess;
  port: number;
  logs(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

export async function startWorkerProcess(h: Harness, n: number, env: Record<string, string> = {}): Promise<WorkerProcess> {
  let logs = '';
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main.ts'), 'worker'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...h.env,
      RINGWISE_WORKER_ID: `${h.config.dialer.workerId}-${n}`,
      ARI_APP: `${h.config.ari.app}-${n}`,
      // Any free port: the worker logs the one it bound.
      RINGWISE_WORKER_HTTP_PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  const port = await waitFor(
    `worker ${n} http port`,
    async () => {
      if (child.exitCode !== null) throw new Error(`worker ${n} exited (${child.exitCode}):\n${logs.slice(-3000)}`);
      const m = /"port":(\d+)[^\n]*worker http listening/.exec(logs);
      return m ? Number(m[1]) : undefined;
    },
    60_000,
  );
  return {
    child,
    port,
    logs: () => logs,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
}

/** One sample's value from Prometheus text (`name{a="b"}`), or undefined when absent. */
export function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
