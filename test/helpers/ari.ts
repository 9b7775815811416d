import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { createAmiClient, type AmiClient, type AmiClientOptions, type AmiEventBase } from '../../src/agents/ami.client.js';
import { createAriClient, type AriClient, type AriClientOptions } from '../../src/dialer/ari.client.js';
import type { AriEvent, UnknownAriEvent } from '../../src/dialer/ari.types.js';
import { createLogger } from '../../src/shared/logger.js';
import { ROOT, sandboxEnv } from './sandbox-env.js';

const run = promisify(execFile);

/** The sandbox's .sandbox/env (ARI_/AMI_ variables may also come from the environment), failing loudly (not skipping) when the sandbox was never brought up. */
export function requireSandbox(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (/^(ARI|AMI)_/.test(k) && v) env[k] = v;
  Object.assign(env, sandboxEnv());
  for (const k of ['ARI_URL', 'ARI_USER', 'ARI_PASSWORD', 'AMI_HOST', 'AMI_PORT', 'AMI_USER', 'AMI_PASSWORD']) {
    if (!env[k]) throw new Error(`.sandbox/env has no ${k}: run \`bash scripts/sandbox.sh up\` first`);
  }
  return env;
}

/** A Stasis app name nobody else uses: several test files and workers share one Asterisk. */
export function uniqueApp(prefix: string): string {
  return `rw-test-${prefix}-${randomBytes(4).toString('hex')}`;
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** The dial string for a number on the sandbox's carrier trunk (RINGWISE_DIAL_TEMPLATE). */
export function carrierEndpoint(number: string): string {
  return (sandboxEnv()['RINGWISE_DIAL_TEMPLATE'] ?? 'PJSIP/{number}@carrier').replace('{number}', number);
}

export function sandboxAri(app: string, over: Partial<AriClientOptions> = {}): AriClient {
  const env = requireSandbox();
  return createAriClient({
    url: env['ARI_URL']!,
    user: env['ARI_USER']!,
    password: env['ARI_PASSWORD']!,
    app,
    log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    ...over,
  });
}

export function sandboxAmi(over: Partial<AmiClientOptions> = {}): AmiClient {
  const env = requireSandbox();
  return createAmiClient({
    host: env['AMI_HOST']!,
    port: Number(env['AMI_PORT']),
    user: env['AMI_USER']!,
    password: env['AMI_PASSWORD']!,
    log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    ...over,
  });
}

type Ev = AriEvent | UnknownAriEvent;

/**
 * Every event an ARI client receives, from the moment it is attached. Waiting looks at the
 * history first: Asterisk often sends a call's events before the originate's HTTP answer.
 */
export interface EventLog<E> {
  readonly events: E[];
  waitFor<T extends E = E>(predicate: (e: E) => boolean, timeoutMs?: number, what?: string): Promise<T>;
  stop(): void;
}

function makeLog<E>(subscribe: (push: (e: E) => void) => () => void, describe: (e: E) => string): EventLog<E> {
  const events: E[] = [];
  const waiters = new Set<{ predicate: (e: E) => boolean; resolve: (e: E) => void }>();
  const off = subscribe((e) => {
    events.push(e);
    for (const w of [...waiters]) {
      if (w.predicate(e)) {
        waiters.delete(w);
        w.resolve(e);
      }
    }
  });
  return {
    events,
    waitFor<T extends E>(predicate: (e: E) => boolean, timeoutMs = 15_000, what = 'event'): Promise<T> {
      const seen = events.find(predicate);
      if (seen) return Promise.resolve(seen as T);
      return new Promise<T>((resolve, reject) => {
        const w = {
          predicate,
          resolve: (e: E) => {
            clearTimeout(timer);
            resolve(e as T);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`no ${what} within ${timeoutMs} ms; saw: ${events.map(describe).join(', ') || 'nothing'}`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    stop: off,
  };
}

export function recordAri(client: AriClient): EventLog<Ev> {
  return makeLog<Ev>(
    (push) => client.onAny(push),
    (e) => e.type,
  );
}

export function recordAmi(client: AmiClient): EventLog<AmiEventBase> {
  return makeLog<AmiEventBase>(
    (push) => client.onAny(push),
    (e) => e.event,
  );
}

/** Events about one channel id, e.g. `forChannel(id)('ChannelDestroyed')`. */
export const forChannel =
  (id: string) =>
  (type: string) =>
  (e: Ev): boolean =>
    e.type === type && (e as { channel?: { id?: string } }).channel?.id === id;

/**
 * Cuts this process's TCP connections to Asterisk's HTTP port from the kernel (ss -K, needs
 * root and CONFIG_INET_DIAG_DESTROY), as a network failure would: nothing else is disturbed.
 * Returns how many connections were found.
 */
export async function killOwnConnections(port: number): Promise<number> {
  const { stdout } = await run('ss', ['-tnpH', 'state', 'established', 'dst', `127.0.0.1:${port}`]);
  const mine = stdout.split('\n').filter((l) => l.includes(`pid=${process.pid},`));
  for (const line of mine) {
    const local = line.trim().split(/\s+/)[2] ?? '';
    const sport = local.split(':').pop();
    await run('ss', ['-K', 'dst', `127.0.0.1:${port}`, 'sport', '=', `:${sport}`]).catch(() => undefined);
  }
  return mine.length;
}

/**
 * `bash scripts/sandbox.sh <args>` (softphones, CLI commands). Runs in its own process group so
 * a timeout ends the script and everything it started waiting (flock, sipp), not just bash.
 */
export function sandboxSh(args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [`${ROOT}/scripts/sandbox.sh`, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`sandbox.sh ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${out.trim().slice(-800)}`));
    });
  });
}
