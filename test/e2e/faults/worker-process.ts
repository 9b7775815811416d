import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../helpers/sandbox-env.js';

/**
 * A real `ringwise worker` process the test spawned, and only that: killed by its own pid.
 * Its JSON log is kept, so the test can count what it originated (a channel created twice for
 * one attempt would show as two `originating` lines with the same attempt id).
 */
export interface WorkerProcess {
  pid: number;
  child: ChildProcess;
  log(): string;
  /** Attempt ids this process sent an originate for, in order. */
  originated(): string[];
  /** Resolves with the exit code (null when killed by a signal) once the process is gone. */
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main.ts'), 'worker'], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // FAULT_LOG_DIR keeps each worker's whole log for a look after the run.
  const file = process.env.FAULT_LOG_DIR ? createWriteStream(join(process.env.FAULT_LOG_DIR, `worker-${child.pid}.log`)) : null;
  const keep = (d: Buffer) => {
    out += d.toString();
    file?.write(d);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    pid: child.pid!,
    child,
    log: () => out,
    // The line the dialer writes as it sends an originate, and no other: a replayed job's
    // 'replayed job found its attempt live' carries `"state":"originating"` too, and counting
    // it made one dial look like two.
    originated: () =>
      out.split('\n').flatMap((l) => {
        if (!l.includes('"originating"')) return [];
        try {
          const line = JSON.parse(l) as { msg?: string; attemptId?: string };
          return line.msg === 'originating' ? [String(line.attemptId)] : [];
        } catch {
          return [];
        }
      }),
    exited,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, signal);
    },
  };
}
