import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbUrl } from '../../helpers/db.js';
import { waitFor } from '../dialer/dialer-harness.js';
import { answeredLive, createFaultHarness, LOST_RETRY, type FaultHarness } from './fault-harness.js';
import { assertHealed, ledger } from './invariants.js';

/** Terminates every connection to the test's own database (never another database's). */
async function terminateAll(dbName: string): Promise<number> {
  const admin = new pg.Client({ connectionString: dbUrl('postgres') });
  await admin.connect();
  try {
    const r = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [dbName]);
    return r.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

describe('fault: every PostgreSQL connection terminated mid-campaign', () => {
  let h: FaultHarness;
  beforeAll(async () => {
    h = await createFaultHarness();
    // The test's own pool loses its connections too.
    h.tdb.db.on('error', () => undefined);
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('statements are retried on new connections; no call is lost; the campaign completes', async () => {
    const c = await h.campaign(30, { maxConcurrent: 10, callsPerSecond: 10 });
    const w = h.spawn();
    await waitFor(
      'calls answered and some ended',
      async () => {
        const rows = await ledger(h, c.campaignId);
        return rows.filter((r) => r.state === 'ended').length >= 3 && (await answeredLive(h, c.campaignId)).length >= 3;
      },
      60_000,
    );
    // Twice, a few seconds apart: calls end, gates reserve and ledger rows are written meanwhile.
    const first = await terminateAll(h.tdb.name);
    await new Promise((r) => setTimeout(r, 3_000));
    const second = await terminateAll(h.tdb.name);
    expect(first).toBeGreaterThan(0);
    const cutAt = Date.now();

    const ms = await h.converged(c.campaignId, cutAt);
    const summary = await assertHealed(h, c.campaignId, { originated: h.originated(), lostMaxRetries: LOST_RETRY.maxRetries });
    expect(summary.lost).toBe(0);
    expect(summary.attempts).toBe(30);
    expect(w.child.exitCode).toBeNull();
    console.log(`postgres terminate: ${first} + ${second} connections cut, converged ${ms} ms after`, summary);
  }, 240_000);
});
