import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { sandboxEnv } from '../../test/helpers/sandbox-env.js';
import { ROOT } from './bench-db.js';
import { sleep } from './stats.js';

/**
 * Real `ringwise api` and `ringwise worker` processes, configured only through their
 * environment (as in production), so CPU and RSS are theirs alone, read from /proc.
 */
export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  /** The tail of its output, for a failure report. */
  tail(): string;
  /** Resolves when a line of its output contains `text`. */
  waitFor(text: string, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export function startRingwise(name: string, command: 'api' | 'worker', env: Record<string, string>): Proc {
  // BENCH_CPU_PROF_DIR=dir: each process writes a V8 CPU profile there when it exits.
  const prof = process.env.BENCH_CPU_PROF_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`]
    : [];
  // BENCH_ENTRY=<built main.js> runs compiled JavaScript as production does; otherwise tsx,
  // whose loader and in-memory transpiled sources add to the RSS measured.
  const entry = process.env.BENCH_ENTRY ? [process.env.BENCH_ENTRY] : ['--import', 'tsx', join(ROOT, 'src/main.ts')];
  const child = spawn(process.execPath, [...prof, ...entry, command], {
    cwd: ROOT,
    // Workers serve /metrics on any free port: several run at once, beside a stack on 3001.
    env: { ...process.env, NODE_ENV: 'test', ...sandboxEnv(), ...(command === 'worker' ? { RINGWISE_WORKER_HTTP_PORT: '0' } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // BENCH_LOG_DIR=dir: each process's whole output is kept there (it is only tailed otherwise).
  const file = process.env.BENCH_LOG_DIR ? createWriteStream(join(process.env.BENCH_LOG_DIR, `${name}.log`)) : null;
  const waiters: Array<{ text: string; resolve: (t: number) => void }> = [];
  const onData = (d: Buffer): void => {
    const s = d.toString();
    file?.write(s);
    out = (out + s).slice(-20_000);
    for (const w of [...waiters]) {
      if (s.includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(Date.now());
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return {
    name,
    child,
    pid: child.pid!,
    tail: () => out.slice(-4_000),
    waitFor(text, timeoutMs) {
      if (out.includes(text)) return Promise.resolve(Date.now());
      return new Promise((resolve, reject) => {
        const w = { text, resolve };
        waiters.push(w);
        setTimeout(() => {
          if (waiters.includes(w)) reject(new Error(`${name}: no "${text}" within ${timeoutMs} ms\n${out.slice(-3_000)}`));
        }, timeoutMs).unref();
        child.once('exit', (code) => reject(new Error(`${name} exited (${code})\n${out.slice(-3_000)}`)));
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const exited = new Promise((r) => child.once('exit', r));
      if ((await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)])) === false) child.kill('SIGKILL');
    },
  };
}

/** JSON over HTTP to the API with a bearer key. */
export function apiClient(baseUrl: string, key: string) {
  return async function api<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  };
}
