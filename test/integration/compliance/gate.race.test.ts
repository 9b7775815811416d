import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProfile } from '../../../src/compliance/policy.profiles.js';
import type { Policy } from '../../../src/compliance/policy.types.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { ROOT } from '../../helpers/sandbox-env.js';
import { seedCampaignContacts, seedCustomer } from './seed.js';

/*
 * Many workers racing on one customer can never exceed a cap: 4 OS processes, each with its own
 * connection pool, fire 240 reservations for one customer at the same moment (distinct
 * campaign contacts and attempt numbers), and exactly the cap get through.
 */

const PROCESSES = 4;
const CAMPAIGNS = 60;
const ATTEMPTS_PER_CONTACT = 4;
const NOW = '2026-03-10T04:00:00.000Z'; // 12:00 in Shanghai

let t: TestDb;
let dir: string;
beforeAll(async () => {
  t = await createTestDb();
  dir = mkdtempSync(join(tmpdir(), 'ringwise-race-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t?.drop();
});

interface ChildResult {
  pid: number;
  results: Array<{ key: string; kind: string; rule: string | null; until: string | null }>;
}

function runChild(file: string): { ready: Promise<void>; go(): void; done: Promise<ChildResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/integration/compliance/gate.race.child.ts'), t.url, file], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
    if (out.startsWith('ready\n')) onReady();
  });
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const done = new Promise<ChildResult>((resolve, reject) => {
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`race child exited ${code}: ${err}`));
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return reject(new Error(`race child printed no result: ${out} ${err}`));
      resolve(JSON.parse(line) as ChildResult);
    });
  });
  return { ready, go: () => child.stdin.end('go\n'), done };
}

async function race(policy: Policy | undefined): Promise<{ customerId: string; results: ChildResult[] }> {
  const customerId = await seedCustomer(t.db);
  const contacts = await seedCampaignContacts(t.db, customerId, CAMPAIGNS);
  const perProcess: object[][] = Array.from({ length: PROCESSES }, () => []);
  let i = 0;
  for (let attemptNo = 1; attemptNo <= ATTEMPTS_PER_CONTACT; attemptNo++) {
    for (const c of contacts) {
      perProcess[i++ % PROCESSES]!.push({
        ...c,
        customerId,
        attemptNo,
        phone: '+8613800138000',
        now: NOW,
        workerId: `w${i % PROCESSES}`,
        ...(policy ? { policy } : {}),
      });
    }
  }
  const children = perProcess.map((reqs, n) => {
    const file = join(dir, `${customerId}-${n}.json`);
    writeFileSync(file, JSON.stringify(reqs));
    return runChild(file);
  });
  await Promise.all(children.map((c) => c.ready));
  children.forEach((c) => c.go());
  return { customerId, results: await Promise.all(children.map((c) => c.done)) };
}

const ledger = async (customerId: string) =>
  (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM call_attempts WHERE customer_id = $1`, [customerId])).rows[0]!.n;

describe('reserveAttempt under a race from several processes', () => {
  // Caps can no longer be raced at all: a customer has at most one live attempt (reserved or on
  // the phone), so every racing reservation after the first waits for it (rule live_call). The
  // caps themselves are counted on sequential dials in gate.test.ts.
  it.each([
    ['cn-bank from the database default (6 per day)', undefined],
    ['an explicit policy with a cap of 37', { ...getProfile('cn-bank'), maxAttemptsPerDay: 37 }],
  ])('%s: exactly one reservation is allowed, every other waits for the live one', async (_name, policy) => {
    const { customerId, results } = await race(policy);
    const all = results.flatMap((r) => r.results);
    expect(new Set(results.map((r) => r.pid)).size).toBe(PROCESSES);
    expect(all).toHaveLength(CAMPAIGNS * ATTEMPTS_PER_CONTACT);
    expect(all.filter((r) => r.kind === 'error')).toEqual([]);
    expect(all.filter((r) => r.kind === 'allow')).toHaveLength(1);
    const deferred = all.filter((r) => r.kind === 'defer');
    expect(deferred).toHaveLength(CAMPAIGNS * ATTEMPTS_PER_CONTACT - 1);
    expect(new Set(deferred.map((r) => r.rule))).toEqual(new Set(['live_call']));
    expect(await ledger(customerId)).toBe(1);
  });
});
