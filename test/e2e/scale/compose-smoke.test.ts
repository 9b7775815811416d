import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, sandboxEnv } from '../../helpers/sandbox-env.js';
import { waitFor } from '../dialer/dialer-harness.js';

const run = promisify(execFile);

/**
 * The compose file for real: images built by deploy/build-images.sh, `up`, a campaign through
 * the API container dialed by the worker containers via the Asterisk container (host network,
 * ports moved off the sandbox's) to this slot's SIPp carrier, both workers ready, `down -v`.
 * Runs when RINGWISE_COMPOSE_SMOKE=1 and a Docker engine and docker-compose answer; building
 * the images from scratch takes minutes, so it is not part of the default suite.
 */
const enabled = process.env.RINGWISE_COMPOSE_SMOKE === '1';
const compose = process.env.RINGWISE_COMPOSE ?? 'docker-compose';

describe.skipIf(!enabled)('e2e: deploy/compose.yaml (API, two workers, Asterisk, PostgreSQL, Redis in containers)', () => {
  const env = sandboxEnv();
  const dir = mkdtempSync(join(tmpdir(), 'ringwise-compose-'));
  const project = `rwsmoke${process.pid}`;
  // Ports 900 above the slot's own, RTP in the unused block after slot 7's.
  const off = Number(env['SANDBOX_PORT_OFFSET'] ?? 0) + 900;
  const ports = { api: 3000 + off, w1: 3001 + off, w2: 3002 + off, ari: 8088 + off, ami: 5038 + off, sip: 5060 + off, sipTls: 5061 + off };
  const envFile = join(dir, '.env');
  const dc = (...args: string[]) =>
    run(compose, ['-p', project, '-f', join(ROOT, 'deploy/compose.yaml'), '--env-file', envFile, ...args], { cwd: join(ROOT, 'deploy'), maxBuffer: 64 << 20 });

  afterAll(async () => {
    await dc('down', '-v', '--remove-orphans').catch(() => undefined);
  });

  it('up, a campaign dialed through the containers, both workers ready and counting, down', async () => {
    const carrier = env['SANDBOX_CARRIER']!;
    writeFileSync(
      envFile,
      [
        'POSTGRES_PASSWORD=smoke-pg',
        'REDIS_PASSWORD=smoke-redis',
        'ARI_PASSWORD=smoke-ari',
        'AMI_PASSWORD=smoke-ami',
        'RINGWISE_BANK_CALLBACK_NUMBER=+8695500',
        `CARRIER_HOST=${carrier.split(':')[0]}`,
        `CARRIER_PORT=${carrier.split(':')[1]}`,
        `CARRIER_MATCH=${carrier}`,
        `ASTERISK_HTTP_PORT=${ports.ari}`,
        `AMI_PORT=${ports.ami}`,
        `SIP_PORT=${ports.sip}`,
        `SIP_TLS_PORT=${ports.sipTls}`,
        'RTP_START=38400',
        'RTP_END=38999',
        `RINGWISE_API_HOST_PORT=${ports.api}`,
        `RINGWISE_WORKER1_HOST_PORT=${ports.w1}`,
        `RINGWISE_WORKER2_HOST_PORT=${ports.w2}`,
        '',
      ].join('\n'),
    );
    expect(existsSync(envFile)).toBe(true);
    await dc('up', '-d', '--no-build');
    const base = `http://127.0.0.1:${ports.api}`;
    await waitFor('the API ready', async () => (await fetch(`${base}/readyz`).catch(() => null))?.ok, 180_000, 1_000);
    for (const p of [ports.w1, ports.w2]) {
      await waitFor(`worker on ${p} ready`, async () => (await fetch(`http://127.0.0.1:${p}/readyz`).catch(() => null))?.ok, 120_000, 1_000);
    }
    const { stdout } = await dc('run', '--rm', '-T', 'migrate', 'keys', 'create', '--role', 'admin', '--name', 'smoke');
    const key = stdout.trim().split('\n').at(-1)!.trim();
    const api = async <T>(method: string, path: string, body?: unknown, type = 'application/json'): Promise<T> => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': type } : {}) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return JSON.parse(text) as T;
    };
    const prompt = { segments: [{ type: 'sound', name: 'hello-world' }] };
    const c = await api<{ id: number }>('POST', '/v1/campaigns', {
      name: 'compose smoke',
      prompt: { 'en-US': prompt, 'zh-CN': prompt },
      callsPerSecond: 2,
      maxConcurrent: 4,
      callerId: '+8695500',
    });
    const csv =
      'external_id,name,phone,timezone,locale,amount_due,currency,due_date,days_past_due,risk_score\n' +
      ['+8613800000091', '+8613800000092', '+8613800000020', '+8613800000093']
        .map((p, i) => `SMOKE-${i},Smoke ${i},${p},Asia/Shanghai,en-US,100.00,CNY,2026-11-01,10,10`)
        .join('\n') +
      '\n';
    await api('POST', `/v1/campaigns/${c.id}/contacts`, csv, 'text/csv');
    await api('POST', `/v1/campaigns/${c.id}/launch`);
    const done = await waitFor(
      'campaign completed',
      async () => {
        const s = await api<{ state: string }>('GET', `/v1/campaigns/${c.id}`);
        return s.state === 'completed' ? s : undefined;
      },
      180_000,
      1_000,
    );
    expect(done.state).toBe('completed');
    const calls = await api<{ items: Array<{ outcome: string }> }>('GET', `/v1/calls?campaignId=${c.id}`);
    expect(calls.items.map((x) => x.outcome).sort()).toEqual(expect.arrayContaining(['busy']));
    expect(calls.items).toHaveLength(4);
    let originated = 0;
    for (const p of [ports.w1, ports.w2]) {
      const text = await (await fetch(`http://127.0.0.1:${p}/metrics`)).text();
      originated += Number(/ringwise_calls_originated_total\{server="asterisk-1"\} (\d+)/.exec(text)?.[1] ?? 0);
    }
    expect(originated).toBe(4);
  }, 600_000);
});
