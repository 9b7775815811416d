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

/** `scripts/sandbox.sh ...` with extra environment (RINGWISE_SANDBOX_SERVER=2 aims it at the slot's second server). */
export function sandboxShEnv(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(ROOT, 'scripts/sandbox.sh'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`sandbox.sh ${args.join(' ')} exited ${code}:\n${out}`));
    });
  });
}

/** RINGWISE_ASTERISK_SERVERS for the slot's two servers (the sandbox must be up with RINGWISE_SANDBOX_SERVERS=2). */
export function twoServers(env: Record<string, string>, capacities: [number, number] = [100, 100]): string {
  if (env['SANDBOX_SERVERS'] !== '2' || !env['ASTERISK_2_ARI_URL']) {
    throw new Error("these tests need the slot's second Asterisk: RINGWISE_SANDBOX_SERVERS=2 bash scripts/sandbox.sh up");
  }
  return JSON.stringify([
    { name: 'asterisk-1', ariUrl: env['ARI_URL'], amiHost: env['AMI_HOST'], amiPort: Number(env['AMI_PORT']), capacity: capacities[0] },
    { name: 'asterisk-2', ariUrl: env['ASTERISK_2_ARI_URL'], amiHost: env['AMI_HOST'], amiPort: Number(env['ASTERISK_2_AMI_PORT']), capacity: capacities[1] },
  ]);
}

/** Sum of one series over several workers' /metrics. */
export async function sumOver(workers: readonly WorkerProcess[], series: string): Promise<number> {
  let n = 0;
  for (const w of workers) n += sample((await httpGet(w.port, '/metrics')).body, series) ?? 0;
  return n;
}
