import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentEventHub } from '../../../src/agents/agent.events-hub.js';
import { publishAgentEvent } from '../../../src/agents/agent.service.js';
import { loadConfig } from '../../../src/config.js';
import { createDeps, type Deps } from '../../../src/deps.js';
import { createQueues } from '../../../src/scheduler/queues.js';
import { createLogger } from '../../../src/shared/logger.js';

/**
 * Issue 15, finding 12: production refuses unsafe defaults, and Redis with a password and over
 * TLS (rediss://, a private CA) works for everything ringwise does with it: commands, BullMQ,
 * pub/sub. The Redis here is a redis-server this test starts (and stops, by pid) on a free
 * port with TLS and requirepass; the shared Redis is not touched.
 */
const SAFE = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://ringwise:db-secret-123@127.0.0.1:5432/ringwise',
  REDIS_URL: 'redis://:redis-secret-123@127.0.0.1:6379',
  ARI_PASSWORD: 'ari-secret-123456',
  AMI_PASSWORD: 'ami-secret-123456',
  RINGWISE_SMPP_PASSWORD: 'smpp-secret',
  RINGWISE_UNSUBSCRIBE_SECRET: 'unsubscribe-secret-123456',
};

describe('production configuration', () => {
  it('NODE_ENV unset is production: no development password, no passwordless superuser', () => {
    for (const v of ['DATABASE_URL', 'REDIS_URL', 'ARI_PASSWORD', 'AMI_PASSWORD']) expect(() => loadConfig({})).toThrow(new RegExp(`${v} is required`));
    expect(loadConfig(SAFE).env).toBe('production');
    const { NODE_ENV: _unset, ...withoutEnv } = SAFE;
    expect(loadConfig(withoutEnv).env).toBe('production');
  });

  it.each([
    ['the development ARI password', { ARI_PASSWORD: 'ringwise-dev' }, /ARI_PASSWORD must not be the development password/],
    ['a short AMI password', { AMI_PASSWORD: 'short' }, /AMI_PASSWORD must not be/],
    ['the passwordless superuser', { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/ringwise' }, /postgres superuser[\s\S]*DATABASE_URL has no password/],
    ['a database role without a password', { DATABASE_URL: 'postgres://ringwise@db:5432/ringwise' }, /DATABASE_URL has no password/],
    ['Redis without a password', { REDIS_URL: 'redis://127.0.0.1:6379' }, /REDIS_URL has no password/],
  ])('refuses %s', (_name, override, message) => {
    expect(() => loadConfig({ ...SAFE, ...override })).toThrow(message);
  });

  it('accepts local peer authentication over a socket', () => {
    expect(loadConfig({ ...SAFE, DATABASE_URL: 'postgres://ringwise@localhost/ringwise?host=/var/run/postgresql' }).databaseUrl).toContain(
      'host=/var/run/postgresql',
    );
  });
});

describe('Redis with a password over TLS', () => {
  let dir: string;
  let redis: ChildProcess | undefined;
  let port: number;
  let deps: Deps | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rwt-redis-tls-'));
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=rwt-ca');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1');
    writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    ssl('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.crt', '-days', '2', '-extfile', 'ext');
    port = await freePort();
    redis = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        'srv.crt',
        '--tls-key-file',
        'srv.key',
        '--tls-ca-cert-file',
        'ca.crt',
        '--tls-auth-clients',
        'no',
        '--requirepass',
        'redis-secret-123',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    await waitForPort(port);
  });
  afterAll(async () => {
    await deps?.close();
    redis?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('rediss:// with REDIS_TLS_CA_FILE carries commands, BullMQ jobs and pub/sub', async () => {
    const config = loadConfig({ ...SAFE, REDIS_URL: `rediss://:redis-secret-123@127.0.0.1:${port}`, REDIS_TLS_CA_FILE: join(dir, 'ca.crt') });
    deps = createDeps(config, createLogger('silent'));
    expect(await deps.redis.ping()).toBe('PONG');

    const queues = createQueues(deps.redis, 'rwt-tls');
    await queues.dial.add('dial', { probe: true } as never);
    expect(await queues.dial.getJobCounts('waiting')).toMatchObject({ waiting: 1 });
    await queues.close();

    const hub = createAgentEventHub(deps.redis, 'rwt-tls', createLogger('silent'));
    let got!: Promise<unknown>;
    const unsubscribe = await new Promise<() => Promise<void>>((ready) => {
      got = new Promise((resolve) => void hub.subscribe(7, resolve).then(ready));
    });
    await publishAgentEvent(deps.redis, 'rwt-tls', 7, { type: 'presence', registered: true } as never);
    await expect(got).resolves.toMatchObject({ type: 'presence' });
    await unsubscribe();
    await hub.close();
  });

  it('a wrong password is refused by Redis', async () => {
    const config = loadConfig({ ...SAFE, REDIS_URL: `rediss://:wrong-password-1@127.0.0.1:${port}`, REDIS_TLS_CA_FILE: join(dir, 'ca.crt') });
    const bad = createDeps(config, createLogger('silent'));
    try {
      await expect(bad.redis.ping()).rejects.toThrow(/WRONGPASS|invalid username-password/);
    } finally {
      bad.redis.disconnect();
      await bad.db.end();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

async function waitForPort(p: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(p, '127.0.0.1');
      c.on('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis-server did not listen on ${p}`);
}
