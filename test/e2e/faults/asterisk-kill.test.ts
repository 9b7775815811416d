import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, sandboxEnv } from '../../helpers/sandbox-env.js';
import { waitFor } from '../dialer/dialer-harness.js';
import { answeredLive, createFaultHarness, LOST_RETRY, type FaultHarness } from './fault-harness.js';
import { assertHealed, ledger } from './invariants.js';

const run = promisify(execFile);

describe('fault: kill -9 of Asterisk mid-campaign, then its restart', () => {
  let h: FaultHarness;
  beforeAll(async () => {
    h = await createFaultHarness();
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('the calls cut are retried as lost; the campaign completes once Asterisk is back', async () => {
    const c = await h.campaign(30, { maxConcurrent: 10, callsPerSecond: 10 });
    h.spawn();
    await waitFor(
      'calls answered and some ended',
      async () => {
        const rows = await ledger(h, c.campaignId);
        return rows.filter((r) => r.state === 'ended').length >= 3 && (await answeredLive(h, c.campaignId)).length >= 4;
      },
      60_000,
    );
    const cut = await answeredLive(h, c.campaignId);

    // Only this slot's Asterisk, by the pid file its sandbox wrote.
    const pidFile = sandboxEnv().SANDBOX_ASTERISK_PID_FILE!;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(pid).toBeGreaterThan(1);
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    await run('bash', [join(ROOT, 'scripts/sandbox.sh'), 'up'], { cwd: ROOT, env: { ...process.env }, timeout: 120_000 });
    const upAt = Date.now();

    const ms = await h.converged(c.campaignId, upAt);
    const summary = await assertHealed(h, c.campaignId, { originated: h.originated(), lostMaxRetries: LOST_RETRY.maxRetries });
    // The calls that were up died with Asterisk: lost, and called again (one that was already
    // hanging up after its menu, its reminder heard in full, keeps that outcome).
    const rows = await ledger(h, c.campaignId);
    const atKill = rows.filter((r) => cut.includes(r.id));
    for (const r of atKill)
      expect(r.endReason === 'lost' || (r.outcome === 'completed' && r.endReason === 'menu_timeout'), `call ${r.id}: ${r.outcome}/${r.endReason}`).toBe(true);
    const lostAtKill = atKill.filter((r) => r.endReason === 'lost').length;
    expect(lostAtKill).toBeGreaterThan(0);
    expect(summary.retriedLost).toBeGreaterThanOrEqual(lostAtKill);
    console.log(
      `asterisk kill -9: ${cut.length} calls up, ${lostAtKill} lost, Asterisk back after ${upAt - killedAt} ms, converged ${ms} ms after it was back`,
      summary,
    );
  }, 240_000);
});
