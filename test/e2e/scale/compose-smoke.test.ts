import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARRIER } from '../../helpers/carrier.js';
import { waitFor } from '../dialer/dialer-harness.js';
import { composeProject, docker } from './compose-harness.js';
import { zoneAtHour } from '../../helpers/zones.js';

const run = promisify(execFile);

/**
 * The compose file for real: the images deploy/build-images.sh built, `up` (with the `tls`
 * profile's Caddy), a campaign through the API container dialed by the two worker containers via
 * the Asterisk container (host network, ports moved off the sandbox's) to this slot's SIPp
 * carrier; the ledger read in the containers' PostgreSQL; the API through Caddy's TLS with its
 * local CA; `down -v`. CI runs it through scripts/compose-smoke.sh (beside the main run, from
 * scripts/test.sh); by hand: RINGWISE_COMPOSE_SMOKE=1 after `bash deploy/build-images.sh`.
 */
const enabled = process.env.RINGWISE_COMPOSE_SMOKE === '1';
const CA_BUNDLE = process.env.RINGWISE_CA_BUNDLE ?? '/etc/ssl/certs/ca-certificates.crt';

/** The PEM certificates of a bundle, as their base64 bodies (one line each). */
function certBodies(pem: string): string[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => m[1]!.replace(/\s+/g, ''));
}

// No retry (vitest.config.ts gives integration tests one): a second `up` on the same project
// would count the first try's calls again; the waits are long enough for a loaded machine.
describe.skipIf(!enabled)('e2e: deploy/compose.yaml (API, two workers, Asterisk, PostgreSQL, Redis, Caddy in containers)', { retry: 0 }, () => {
  const p = composeProject({ profiles: ['tls'] });
  const base = `http://127.0.0.1:${p.ports.api}`;

  beforeAll(async () => {
    // What an interrupted earlier run left (its network would hold this slot's subnet).
    await p.dc('down', '-v', '--remove-orphans').catch(() => undefined);
  }, 120_000);

  afterAll(async () => {
    // 30 s to stop: a worker with no call drains at once (the drain itself: test/e2e/faults/sigterm-drain.test.ts).
    await p.dc('down', '-v', '--remove-orphans', '-t', '30').catch(() => undefined);
    p.remove();
  }, 240_000);

  it("the app image holds none of the host's own CA certificates (the npm registry's CA came in as a build secret only)", async () => {
    const hostCerts = certBodies(readFileSync(CA_BUNDLE, 'utf8'));
    const imageCerts = new Set(certBodies(await docker('run', '--rm', '--entrypoint', 'cat', 'ringwise/app:local', '/etc/ssl/certs/ca-certificates.crt')));
    // Certificates this host trusts and Debian does not ship (a TLS-inspecting proxy's): none of
    // their bytes may be anywhere in the image. Without such a proxy there is nothing to look for.
    const hostOnly = hostCerts.filter((c) => !imageCerts.has(c));
    // A PEM line near the end lies in the certificate's signature: unique to that certificate
    // (a re-issued CA shares its subject and key with the old one, never its signature).
    // PEM wraps at 64 characters: the needle is a whole line (grep reads line by line).
    const needles = hostOnly
      .map((c) => {
        const last = Math.floor((c.length - 1) / 64) * 64;
        return c.slice(last - 64, last);
      })
      .filter((n) => n.length === 64);
    if (needles.length > 0) {
      const script = 'grep -rlF "$@" / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null; exit 0';
      const found = await docker(
        'run',
        '--rm',
        '--user',
        'root',
        '--entrypoint',
        'sh',
        'ringwise/app:local',
        '-c',
        script,
        'sh',
        ...needles.flatMap((n) => ['-e', n]),
      );
      expect(found.trim()).toBe('');
    }
    const inspect = JSON.parse(await docker('image', 'inspect', 'ringwise/app:local')) as Array<{ Config: { Env: string[] } }>;
    expect(inspect[0]!.Config.Env.filter((e) => /CA_CERTS|npm_ca/i.test(e))).toEqual([]);
    expect(await docker('history', '--no-trunc', 'ringwise/app:local')).not.toMatch(/BEGIN CERTIFICATE/);
  }, 120_000);

  it("up, a campaign dialed through the containers' Asterisk (the ledger in their PostgreSQL), both workers ready and counting, the API behind TLS, down", async () => {
    await p.dc('up', '-d', '--no-build');
    // Seconds on an idle machine; minutes on one loaded by other work (seen: over 3 at load 100).
    // A service that never gets ready fails the test with its last log lines.
    const ready = async (service: string, port: number, ms: number) =>
      waitFor(`${service} ready`, async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok, ms, 1_000).catch(async (err: Error) => {
        const logs = await p.dc('logs', '--no-color', '--tail', '30', service).catch((e: Error) => ({ stdout: e.message }));
        throw new Error(`${err.message}\n${logs.stdout}`);
      });
    await ready('api', p.ports.api, 360_000);
    await ready('worker-1', p.ports.w1, 180_000);
    await ready('worker-2', p.ports.w2, 180_000);
    const { stdout } = await p.dc('run', '--rm', '-T', 'migrate', 'keys', 'create', '--role', 'admin', '--name', 'smoke');
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
    // What each number does at the carrier, and what the ledger must then say.
    const expected: Record<string, { outcome: string; endReason?: string; answered: boolean }> = {
      [CARRIER.human]: { outcome: 'completed', answered: true },
      [CARRIER.dtmf2]: { outcome: 'completed', endReason: 'promise_to_pay', answered: true },
      [CARRIER.busy]: { outcome: 'busy', answered: false },
      [CARRIER.silent]: { outcome: 'completed', answered: true },
    };
    const phones = Object.keys(expected);
    // Customers where it is now early afternoon: CI runs at any hour, calls only inside the window.
    const zone = zoneAtHour(13);
    const csv =
      'external_id,name,phone,timezone,locale,amount_due,currency,due_date,days_past_due,risk_score\n' +
      phones.map((ph, i) => `SMOKE-${i},Smoke ${i},${ph},${zone},en-US,100.00,CNY,2026-11-01,10,10`).join('\n') +
      '\n';
    await api('POST', `/v1/campaigns/${c.id}/contacts`, csv, 'text/csv');
    await api('POST', `/v1/campaigns/${c.id}/launch`);
    await waitFor('campaign completed', async () => (await api<{ state: string }>('GET', `/v1/campaigns/${c.id}`)).state === 'completed', 240_000, 1_000).catch(
      async (err: Error) => {
        // Where the contacts stand (deferred by quiet hours, still dialing, ...) says why.
        const stats = await api<{ contacts: unknown; attempts: unknown }>('GET', `/v1/campaigns/${c.id}/stats`).catch((e: Error) => e.message);
        throw new Error(`${err.message}: ${JSON.stringify(stats)}`);
      },
    );

    // The ledger, read in the containers' own PostgreSQL: one ended attempt per contact, placed
    // on the compose Asterisk, with the outcome the carrier's behaviour for that number gives.
    const rows = await p.sql(
      `SELECT phone, attempt_no, coalesce(asterisk_server, ''), coalesce(worker_id, ''), outcome, coalesce(end_reason, ''),
              (answered_at IS NOT NULL), (ended_at IS NOT NULL)
         FROM call_attempts WHERE campaign_id = ${Number(c.id)} ORDER BY phone`,
    );
    expect(rows.map((r) => r[0]).sort()).toEqual([...phones].sort());
    for (const [phone, attemptNo, server, worker, outcome, endReason, answered, ended] of rows) {
      const want = expected[phone!]!;
      expect({ phone, attemptNo, server, outcome, answered: answered === 't', ended: ended === 't' }).toEqual({
        phone,
        attemptNo: '1',
        server: 'asterisk-1',
        outcome: want.outcome,
        answered: want.answered,
        ended: true,
      });
      expect(['worker-1', 'worker-2']).toContain(worker);
      if (want.endReason) expect(endReason).toBe(want.endReason);
    }
    // The workers in the containers reach only the compose Asterisk: ARI on the internal
    // network's gateway, with the smoke test's own password (the sandbox's listens on loopback).
    const ariUrl = (await p.dc('exec', '-T', 'worker-1', 'printenv', 'ARI_URL')).stdout.trim();
    expect(ariUrl).toBe(`http://${p.internalNet}.1:${p.ports.ari}`);
    const info = await fetch(`${ariUrl}/ari/asterisk/info`, {
      headers: { authorization: `Basic ${Buffer.from(`ringwise:${p.ariPassword}`).toString('base64')}` },
    });
    expect(info.status).toBe(200);
    let originated = 0;
    for (const port of [p.ports.w1, p.ports.w2]) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      originated += Number(/ringwise_calls_originated_total\{server="asterisk-1"\} (\d+)/.exec(text)?.[1] ?? 0);
    }
    expect(originated).toBe(phones.length);

    // The `tls` profile: Caddy in front of the API with a certificate from its local CA (for
    // `localhost`), trusted through that CA's root only; /metrics stays inside; HSTS is sent.
    const root = await waitFor(
      "Caddy's local CA",
      async () => (await p.dc('exec', '-T', 'proxy', 'cat', '/data/caddy/pki/authorities/local/root.crt').catch(() => null))?.stdout,
      60_000,
      1_000,
    );
    const caFile = join(p.dir, 'caddy-root.crt');
    writeFileSync(caFile, root);
    const https = `https://localhost:${p.ports.https}`;
    const curl = async (...args: string[]) => (await run('curl', ['-sS', '--cacert', caFile, '--max-time', '10', ...args])).stdout;
    const viaTls = await waitFor('the API through TLS', async () => (await curl('-D', '-', `${https}/healthz`).catch(() => '')) || undefined, 60_000, 1_000);
    expect(viaTls).toMatch(/^HTTP\/\S+ 200/);
    expect(viaTls).toMatch(/strict-transport-security: max-age=31536000/i);
    expect(await curl('-o', '/dev/null', '-w', '%{http_code}', `${https}/metrics`)).toBe('404');
    // Without that root the same certificate is not trusted.
    await expect(run('curl', ['-sS', '--max-time', '10', `${https}/healthz`])).rejects.toThrow();
  }, 900_000);
});
