import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, sandboxEnv, sandboxSlot } from '../../helpers/sandbox-env.js';

const run = promisify(execFile);

/**
 * deploy/compose.yaml run as a project of this sandbox slot's own: project `rwsmoke-s<slot>`,
 * internal network 172.30.<200+slot>.0/24, host ports 900 above the slot's, RTP in the unused
 * block after slot 7's; Asterisk (host network) dials the slot's SIPp carrier.
 */
export interface ComposeProject {
  project: string;
  /** The internal network's first three octets (its gateway is `.1`). */
  internalNet: string;
  ariPassword: string;
  ports: { api: number; w1: number; w2: number; ari: number; ami: number; sip: number; sipTls: number; https: number; http: number };
  /** docker-compose with this project's file, env file and profiles. */
  dc(...args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** A scratch folder of the project's (its env file): removed by `remove()`. */
  dir: string;
  remove(): void;
  /** One SQL query in the containers' PostgreSQL, as rows of tab-separated fields. */
  sql(query: string): Promise<string[][]>;
}

export function composeProject(opts: { profiles?: string[] } = {}): ComposeProject {
  const env = sandboxEnv();
  const slot = sandboxSlot();
  const compose = process.env.RINGWISE_COMPOSE ?? 'docker-compose';
  const off = Number(env['SANDBOX_PORT_OFFSET'] ?? 0) + 900;
  const ports = {
    api: 3000 + off,
    w1: 3001 + off,
    w2: 3002 + off,
    ari: 8088 + off,
    ami: 5038 + off,
    sip: 5060 + off,
    sipTls: 5061 + off,
    https: 3443 + off,
    http: 3080 + off,
  };
  const carrier = env['SANDBOX_CARRIER'];
  if (!carrier) throw new Error('the compose smoke test dials the sandbox carrier: bash scripts/sandbox.sh up');
  const [carrierHost, carrierPort] = carrier.split(':') as [string, string];
  const internalNet = `172.30.${200 + slot}`;
  const ariPassword = 'smoke-ari-password';
  const dir = mkdtempSync(join(tmpdir(), 'ringwise-compose-'));
  const envFile = join(dir, '.env');
  writeFileSync(
    envFile,
    [
      // Production settings (NODE_ENV=production in the image): real-looking secrets, 12+ characters.
      'POSTGRES_PASSWORD=smoke-postgres-password',
      'REDIS_PASSWORD=smoke-redis-password',
      `ARI_PASSWORD=${ariPassword}`,
      'AMI_PASSWORD=smoke-ami-password',
      // No SMSC or mail relay in the smoke test (it sends no message): addresses that refuse.
      'RINGWISE_SMPP_URL=smpp://127.0.0.1:9',
      'RINGWISE_SMPP_PASSWORD=smoke-smpp',
      'RINGWISE_SMTP_URL=smtp://127.0.0.1:9',
      'RINGWISE_UNSUBSCRIBE_SECRET=smoke-unsubscribe-secret',
      'RINGWISE_BANK_CALLBACK_NUMBER=+8695500',
      `RINGWISE_INTERNAL_NET=${internalNet}`,
      `CARRIER_HOST=${carrierHost}`,
      `CARRIER_PORT=${carrierPort}`,
      `CARRIER_MATCH=${carrier}`,
      `ASTERISK_HTTP_PORT=${ports.ari}`,
      `AMI_PORT=${ports.ami}`,
      `SIP_PORT=${ports.sip}`,
      `SIP_TLS_PORT=${ports.sipTls}`,
      `RTP_START=${38_400 + slot * 70}`,
      `RTP_END=${38_400 + slot * 70 + 69}`,
      `RINGWISE_API_HOST_PORT=${ports.api}`,
      `RINGWISE_WORKER1_HOST_PORT=${ports.w1}`,
      `RINGWISE_WORKER2_HOST_PORT=${ports.w2}`,
      `RINGWISE_HTTPS_PORT=${ports.https}`,
      `RINGWISE_HTTP_PORT=${ports.http}`,
      'RINGWISE_DOMAIN=localhost',
      '',
    ].join('\n'),
  );
  const project = `rwsmoke-s${slot}`;
  const profiles = (opts.profiles ?? []).flatMap((p) => ['--profile', p]);
  const dc = (...args: string[]) =>
    run(compose, ['-p', project, '-f', join(ROOT, 'deploy/compose.yaml'), '--env-file', envFile, ...profiles, ...args], {
      cwd: join(ROOT, 'deploy'),
      maxBuffer: 64 << 20,
    });
  const sql = async (query: string): Promise<string[][]> => {
    const { stdout } = await dc('exec', '-T', 'postgres', 'psql', '-U', 'ringwise', '-d', 'ringwise', '-v', 'ON_ERROR_STOP=1', '-AtF', '\t', '-c', query);
    return stdout
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => l.split('\t'));
  };
  const remove = () => rmSync(dir, { recursive: true, force: true });
  return { project, internalNet, ariPassword, ports, dir, remove, dc, sql };
}

/** `docker <args>` (the CLI on PATH), its stdout. */
export async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args, { maxBuffer: 256 << 20 })).stdout;
}
