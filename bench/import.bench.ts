/**
 * Contact import benchmark (not a test): generates N customers as a streamed CSV (never held
 * in memory), imports them into a fresh database through the import service, and optionally
 * through the HTTP route on a real listening server, then prints rows/s and peak RSS as JSON.
 *
 *   npm run bench:import -- [--rows 1000000] [--http] [--json] [--bad-every N]
 *
 * --bad-every N makes every Nth phone invalid: the import is rejected, and the report shows
 * how long a full validation of a bad file takes and that memory stays flat then too.
 *
 * The PostgreSQL server is TEST_PG_URL (default postgres://postgres@127.0.0.1:5432); a
 * database `ringwise_bench_<random>` is created, migrated and dropped.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { buildApp } from '../src/api/app.js';
import { createApiKey } from '../src/auth/keys.repo.js';
import { importContacts, ImportInvalidError } from '../src/campaigns/import.service.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/shared/logger.js';
import { createPool, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';

const ROOT = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(`--${name}`);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROWS = option('rows', 1_000_000);
const FORMAT = flag('json') ? 'json' : 'csv';
const BAD_EVERY = option('bad-every', 0);
const isBad = (i: number): boolean => BAD_EVERY > 0 && i % BAD_EVERY === BAD_EVERY - 1;
const server = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: `${server}/postgres` });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const ZONES = ['Asia/Shanghai', 'Asia/Shanghai', 'Asia/Shanghai', 'Asia/Hong_Kong', 'America/New_York'];

/** Customer i; id offset lets a second pass import different customers. */
function csvLine(i: number): string {
  const mobile = isBad(i) ? '12345' : `1${[3, 5, 8][i % 3]}${String(i).padStart(9, '0')}`; // 130, 150, 180 ranges
  const phones = i % 10 === 0 ? `${mobile};+86 21 ${String(60000000 + (i % 9999999)).slice(0, 8)}` : mobile;
  const amount = `${(i * 37) % 100000}.${String(i % 100).padStart(2, '0')}`;
  const day = String(1 + (i % 28)).padStart(2, '0');
  return `BENCH-${i},"Customer ${i}, Test",${phones},${ZONES[i % ZONES.length]},${i % 4 === 0 ? 'en-US' : 'zh-CN'},${amount},CNY,2026-11-${day},${i % 90},${i % 101}\n`;
}

function jsonElement(i: number): string {
  const mobile = isBad(i) ? '12345' : `1${[3, 5, 8][i % 3]}${String(i).padStart(9, '0')}`;
  return JSON.stringify({
    externalId: `BENCH-${i}`,
    name: `Customer ${i}, Test`,
    phone: mobile,
    timezone: ZONES[i % ZONES.length],
    locale: i % 4 === 0 ? 'en-US' : 'zh-CN',
    amountDue: `${(i * 37) % 100000}.${String(i % 100).padStart(2, '0')}`,
    currency: 'CNY',
    dueDate: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}`,
    daysPastDue: i % 90,
    riskScore: i % 101,
  });
}

/** The file, generated as it is read: 1,000 rows per chunk. */
function generated(rows: number): Readable {
  return Readable.from(
    (function* () {
      if (FORMAT === 'csv') yield 'external_id,name,phone,timezone,locale,amount_due,currency,due_date,days_past_due,risk_score\n';
      else yield '[\n';
      for (let start = 0; start < rows; start += 1000) {
        let chunk = '';
        for (let i = start; i < Math.min(rows, start + 1000); i++) {
          chunk += FORMAT === 'csv' ? csvLine(i) : `${i === 0 ? '' : ',\n'}${jsonElement(i)}`;
        }
        yield chunk;
      }
      if (FORMAT === 'json') yield '\n]\n';
    })(),
    { objectMode: false },
  );
}

/** Peak RSS, sampled; the kernel's maxRSS is reported too (it includes the tsx loader). */
function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  return {
    stop() {
      clearInterval(t);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

/** A logger that keeps the import's own phase timings (read vs merge) for the report. */
function phaseLogger(): { log: ReturnType<typeof createLogger>; phases(): Record<string, unknown> } {
  let last: Record<string, unknown> = {};
  const log = createLogger('info', {
    write(line: string) {
      if (line.includes('contacts imported')) {
        const o = JSON.parse(line) as Record<string, unknown>;
        last = Object.fromEntries(Object.entries(o).filter(([k]) => k.endsWith('Ms')));
      }
    },
  });
  return { log, phases: () => last };
}

const mib = (b: number): number => Math.round((b / 1024 / 1024) * 10) / 10;

async function viaService(db: Db, campaignId: number): Promise<Record<string, unknown>> {
  const { log, phases } = phaseLogger();
  const sampler = rssSampler();
  const t0 = performance.now();
  const summary = await importContacts({ db, log, defaultRegion: 'CN' }, { campaignId, format: FORMAT, source: generated(ROWS) }).catch((err: unknown) => {
    if (!(err instanceof ImportInvalidError)) throw err;
    return { rejected: true, errorCount: (err.details as { errorCount: number }).errorCount };
  });
  const seconds = (performance.now() - t0) / 1000;
  return { path: 'service', ...summary, seconds: round(seconds), rowsPerSecond: Math.round(ROWS / seconds), ...phases(), peakRssMiB: mib(sampler.stop()) };
}

async function viaHttp(db: Db, url: string, campaignId: number): Promise<Record<string, unknown>> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: url });
  const { log, phases } = phaseLogger();
  const app = await buildApp({ config, log, db, readiness: {} });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const { key } = await createApiKey(db, { name: 'bench', role: 'operator' });
  const sampler = rssSampler();
  const t0 = performance.now();
  try {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: `/v1/campaigns/${campaignId}/contacts`,
          headers: { authorization: `Bearer ${key}`, 'content-type': FORMAT === 'csv' ? 'text/csv' : 'application/json' },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () =>
            res.statusCode === 200 || res.statusCode === 422 ? resolve(text) : reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 500)}`)),
          );
        },
      );
      req.on('error', reject);
      pipeline(generated(ROWS), req).catch(reject);
    });
    const seconds = (performance.now() - t0) / 1000;
    const parsed = JSON.parse(body) as { error?: { details: { errorCount: number } } };
    const outcome = parsed.error ? { rejected: true, errorCount: parsed.error.details.errorCount } : parsed;
    return { path: 'http', ...outcome, seconds: round(seconds), rowsPerSecond: Math.round(ROWS / seconds), ...phases(), peakRssMiB: mib(sampler.stop()) };
  } finally {
    await app.close();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

let baselineRssMiB = 0;

async function main(): Promise<void> {
  const name = `ringwise_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = `${server}/${name}`;
  const db = createPool(url, 4);
  const results: Record<string, unknown>[] = [];
  try {
    await migrate(db, join(ROOT, 'migrations'));
    const { rows } = await db.query<{ id: number }>(`INSERT INTO campaigns (name) VALUES ('bench'), ('bench-http') RETURNING id`);
    global.gc?.();
    baselineRssMiB = mib(process.memoryUsage.rss());
    results.push(await viaService(db, rows[0]!.id));
    // The same customers again, over HTTP into a second campaign: all existing, none changed.
    if (flag('http')) results.push(await viaHttp(db, url, rows[1]!.id));
  } finally {
    await db.end();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  const out = {
    rows: ROWS,
    format: FORMAT,
    badEvery: BAD_EVERY || undefined,
    node: process.version,
    baselineRssMiB,
    maxRssMiB: mib(process.resourceUsage().maxRSS * 1024),
    results,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
