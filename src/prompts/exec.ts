import { spawn } from 'node:child_process';

export interface RunOptions {
  input?: Buffer | string;
  timeoutMs: number;
  /** Output past this many bytes kills the process (a runaway converter must not eat memory). */
  maxOutputBytes?: number;
}

export class ProcessFailedError extends Error {
  constructor(
    readonly command: string,
    readonly reason: string,
    readonly stderr: string,
  ) {
    super(`${command} ${reason}${stderr ? `: ${stderr}` : ''}`);
    this.name = 'ProcessFailedError';
  }
}

/**
 * Runs a program with an argument list (never a shell), feeding stdin and collecting stdout.
 * The child gets its own process group, so a timeout kills whatever it started too (a wrapper
 * script's children would otherwise keep the pipes open and the call waiting).
 */
export function run(command: string, args: readonly string[], opts: RunOptions): Promise<Buffer> {
  const max = opts.maxOutputBytes ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let failure: string | undefined;
    const killGroup = (why: string) => {
      failure ??= why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => killGroup(`timed out after ${opts.timeoutMs} ms`), opts.timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > max) killGroup(`produced more than ${max} bytes`);
      else out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 2000) err += b.toString('utf8');
    });
    // The child may exit before reading all of stdin (bad input): that EPIPE is its failure, not ours.
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new ProcessFailedError(command, `could not start (${e.message})`, ''));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = err.trim().slice(0, 500);
      if (failure) return reject(new ProcessFailedError(command, failure, stderr));
      if (signal) return reject(new ProcessFailedError(command, `killed by ${signal}`, stderr));
      if (code !== 0) return reject(new ProcessFailedError(command, `exited with ${code}`, stderr));
      resolve(Buffer.concat(out));
    });
    child.stdin.end(opts.input ?? '');
  });
}
