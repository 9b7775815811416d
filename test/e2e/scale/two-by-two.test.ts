import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, num, seedCampaign, setCampaignState, waitFor, campaignState, type Harness } from '../dialer/dialer-harness.js';
import { sandboxEnv } from '../../helpers/sandbox-env.js';
import { httpGet, sandboxShEnv, startWorkerProcess, sumOver, twoServers, type WorkerProcess } from './worker-process.js';

const CONTACTS = Number(process.env.RINGWISE_SCALE_CONTACTS ?? 600);
const CPS = 25;
const SHORT_PROMPT = { 'en-US': { segments: [{ type: 'sound', name: 'hello-world' }] } };

// Issue 18's "done when": two `ringwise worker` processes, two Asterisk servers (the slot's
// second one: RINGWISE_SANDBOX_SERVERS=2), one campaign. Every contact is dialed, once unless its
// call was lost with server 2 (then once more, per the lost retry class, on server 1, never while
// the first was up), both servers carry calls, the global calls/s limit holds across both workers
// (measured from the ledger), server 2 is killed mid-run (by its pid file) and the campaign still
// completes; back, it takes calls again.
describe('e2e: 2 workers × 2 Asterisk servers', () => {
  let h: Harness;
  const workers: WorkerProcess[] = [];
  const env = sandboxEnv();

  beforeAll(async () => {
    h = await createHarness({
      RINGWISE_ASTERISK_SERVERS: twoServers(env),
      RINGWISE_CALLS_PER_SECOND: String(CPS),
      RINGWISE_MAX_CHANNELS: '150',
      // Production's lock: the harness's 3 s lets a busy 2-core machine stall jobs, and a stalled
      // job's replay ends its live call as lost (not what this test is about).
      RINGWISE_JOB_LOCK_MS: '30000',
    });
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await h?.close();
    // Server 2 is back for whatever runs next (a no-op when the test already restarted it).
    await sandboxShEnv(['up'], { RINGWISE_SANDBOX_SERVERS: '2' }).catch(() => undefined);
  });

  it(`dials ${CONTACTS} contacts across both servers at the global rate, each once (a lost call once more, never at the same time), and survives losing server 2`, async () => {
    workers.push(await startWorkerProcess(h, 1), await startWorkerProcess(h, 2));
    for (const w of workers) {
      await waitFor(`worker ready on both servers`, async () => (await httpGet(w.port, '/readyz')).status === 200, 30_000);
    }
    const contacts = Array.from({ length: CONTACTS }, (_, i) => ({ phone: num(String(90 + (i % 10)), Math.floor(i / 10)) }));
    // Lost calls are called again a second later (the self-healing lost class; its default is 600 s).
    const c = await seedCampaign(h, {
      contacts,
      callsPerSecond: CPS,
      maxConcurrent: 150,
      prompt: SHORT_PROMPT,
      retryPolicy: { lost: { delaySeconds: 1, maxRetries: 1 } },
    });
    const t0 = Date.now();
    await setCampaignState(h, c.campaignId, 'running');
    const originated = async () =>
      Number(
        (await h.tdb.db.query<{ n: string }>(`SELECT count(*) AS n FROM call_attempts WHERE campaign_id = $1 AND originated_at IS NOT NULL`, [c.campaignId]))
          .rows[0]!.n,
      );

    // A quarter in: both servers carry calls; then server 2 dies (SIGKILL, by its pid file).
    await waitFor('a quarter of the contacts dialed', async () => (await originated()) >= CONTACTS / 4, 90_000);
    expect(await sumOver(workers, 'ringwise_calls_live{server="asterisk-1"}')).toBeGreaterThan(0);
    expect(await sumOver(workers, 'ringwise_calls_live{server="asterisk-2"}')).toBeGreaterThan(0);
    const pid = Number(readFileSync(env['ASTERISK_2_PID_FILE']!, 'utf8').trim());
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain(env['ASTERISK_2_CONF']!);
    process.kill(pid, 'SIGKILL');
    const killedAt = new Date();
    await waitFor('both workers see server 2 gone', async () => (await sumOver(workers, 'ringwise_ari_connected{server="asterisk-2"}')) === 0, 15_000);

    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 180_000, 500);
    const elapsed = (Date.now() - t0) / 1000;

    const rows = (
      await h.tdb.db.query<{
        contact: string;
        attemptNo: number;
        server: string | null;
        endReason: string | null;
        outcome: string;
        originatedAt: Date | null;
        endedAt: Date;
      }>(
        `SELECT contact_id::text AS contact, attempt_no AS "attemptNo", asterisk_server AS server, end_reason AS "endReason", outcome,
                originated_at AS "originatedAt", ended_at AS "endedAt"
           FROM call_attempts WHERE campaign_id = $1 ORDER BY originated_at`,
        [c.campaignId],
      )
    ).rows;
    // The global calls/s limit holds across both workers: in any 10 s of the ledger's originates
    // at most 10 s of tokens plus the bucket's one-second burst, and 20 % for the gate's queue
    // between a token and the ledger's originated_at, which bunches originates (seen: 288 against
    // 275 tokens); per-worker buckets would allow twice (550).
    const times = rows.map((r) => r.originatedAt!.getTime()).sort((a, b) => a - b);
    let worst = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 10_000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    const spanS = (times.at(-1)! - times[0]!) / 1000;
    console.log(
      `[2x2] ${CONTACTS} contacts in ${elapsed.toFixed(1)} s; ${rows.length} calls; originate span ${spanS.toFixed(1)} s (${(rows.length / spanS).toFixed(1)}/s, limit ${CPS}); worst 10 s window ${worst} (limit ${CPS * 11 * 1.2}); asterisk-1 ${rows.filter((r) => r.server === 'asterisk-1').length}, asterisk-2 ${rows.filter((r) => r.server === 'asterisk-2').length}, lost ${rows.filter((r) => r.endReason === 'lost').length}`,
    );
    expect(worst).toBeLessThanOrEqual(CPS * 11 * 1.2);
    expect(rows.length / spanS).toBeLessThanOrEqual(CPS * 1.1);

    // Every contact dialed: once, or twice when the first call was lost (or its originate died with
    // the server: not_dialled, which heal's reconciler releases for another try); never two at once.
    expect(new Set(rows.map((r) => r.contact)).size).toBe(CONTACTS);
    const byContact = new Map<string, typeof rows>();
    for (const r of rows) byContact.set(r.contact, [...(byContact.get(r.contact) ?? []), r]);
    const twice = [...byContact.values()].filter((list) => list.length > 1);
    expect([...byContact.values()].filter((list) => list.length > 2)).toEqual([]);
    for (const [first, second] of twice.map((list) => [...list].sort((a, b) => a.attemptNo - b.attemptNo))) {
      expect(['lost', 'not_dialled']).toContain(first!.endReason);
      expect(second!.attemptNo).toBe(2);
      expect(second!.originatedAt!.getTime()).toBeGreaterThanOrEqual(first!.endedAt.getTime());
      expect(second!.server).toBe('asterisk-1');
    }
    expect(rows.filter((r) => r.originatedAt === null)).toEqual([]);
    const states = await h.tdb.db.query<{ state: string; n: string }>(
      `SELECT state, count(*) AS n FROM campaign_contacts WHERE campaign_id = $1 GROUP BY state`,
      [c.campaignId],
    );
    expect(states.rows.filter((r) => r.state !== 'completed' && r.state !== 'failed')).toEqual([]);

    // Both servers carried calls (the ledger says which), and server 2's live calls ended as lost.
    const on = (s: string) => rows.filter((r) => r.server === s).length;
    expect(on('asterisk-1')).toBeGreaterThan(CONTACTS / 4);
    expect(on('asterisk-2')).toBeGreaterThan(0);
    const lost = rows.filter((r) => r.endReason === 'lost');
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.filter((r) => r.server !== 'asterisk-2')).toEqual([]);
    expect(twice.length).toBeGreaterThanOrEqual(lost.length);
    // Once its websocket dropped (at once, for a killed process), no new call went to the dead server.
    const late = rows.filter((r) => r.server === 'asterisk-2' && r.originatedAt! > new Date(killedAt.getTime() + 2_000));
    expect(late).toEqual([]);

    // Server 2 comes back: it rejoins and carries calls of the next campaign.
    await sandboxShEnv(['up'], { RINGWISE_SANDBOX_SERVERS: '2' });
    await waitFor('both workers reconnected to server 2', async () => (await sumOver(workers, 'ringwise_ari_connected{server="asterisk-2"}')) === 2, 60_000);
    const c2 = await seedCampaign(h, {
      contacts: Array.from({ length: 40 }, (_, i) => ({ phone: num(String(90 + (i % 10)), 80 + Math.floor(i / 10)) })),
      callsPerSecond: CPS,
      prompt: SHORT_PROMPT,
    });
    await setCampaignState(h, c2.campaignId, 'running');
    await waitFor('second campaign completed', async () => (await campaignState(h, c2.campaignId)) === 'completed', 60_000, 500);
    const after = await h.tdb.db.query<{ server: string; n: string }>(
      `SELECT asterisk_server AS server, count(*) AS n FROM call_attempts WHERE campaign_id = $1 GROUP BY 1`,
      [c2.campaignId],
    );
    expect(Object.fromEntries(after.rows.map((r) => [r.server, Number(r.n)]))).toMatchObject({
      'asterisk-1': expect.any(Number),
      'asterisk-2': expect.any(Number),
    });
    for (const w of workers) expect(w.child.exitCode).toBeNull();
  }, 300_000);
});
