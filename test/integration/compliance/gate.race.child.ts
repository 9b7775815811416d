/**
 * One racing process for gate.race.test.ts: opens its own pool, says "ready", waits for "go"
 * on stdin, fires all its reservations at once and prints the results as one JSON line.
 * Usage: node --import tsx gate.race.child.ts <databaseUrl> <requests.json>
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { reserveAttempt, type ReserveRequest } from '../../../src/compliance/gate.js';
import { createPool } from '../../../src/store/db.js';

const [url, file] = process.argv.slice(2);
const requests = (JSON.parse(readFileSync(file!, 'utf8')) as Array<ReserveRequest & { now: string }>).map((r) => ({ ...r, now: new Date(r.now) }));
const db = createPool(url!, 10);
// Open every connection up front so the race starts with all of them ready.
await Promise.all(Array.from({ length: 10 }, () => db.connect())).then((cs) => cs.forEach((c) => c.release()));
process.stdout.write('ready\n');
const rl = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => rl.once('line', () => resolve()));
rl.close();
const results = await Promise.all(
  requests.map((r) =>
    reserveAttempt(db, r).then(
      (d) => ({
        key: `${r.contactId}:${r.attemptNo}`,
        kind: d.kind,
        rule: d.kind === 'allow' ? null : d.rule,
        until: d.kind === 'defer' ? d.until.toISOString() : null,
      }),
      (err: Error & { code?: string }) => ({ key: `${r.contactId}:${r.attemptNo}`, kind: 'error', rule: err.code ?? err.message, until: null }),
    ),
  ),
);
process.stdout.write(`${JSON.stringify({ pid: process.pid, results })}\n`);
await db.end();
