import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { CSV_COLUMNS } from '../../../src/calls/calls.csv.js';
import { listCallsAsc } from '../../../src/calls/calls.repo.js';
import { ALL_CALLS } from '../../../src/auth/roles.js';
import { createSchedule } from '../../../src/schedules/schedule.service.js';
import { runCli } from '../../helpers/cli.js';
import { createHarness, num, startWorker, TEST_PROMPT, type Harness, type RunningWorker } from '../dialer/dialer-harness.js';
import { seedCustomers } from '../../integration/schedules/schedules.helpers.js';

describe('e2e: `ringwise batch run --schedule X --wait` against a real worker, Asterisk and the SIPp carrier', () => {
  let h: Harness;
  let w: RunningWorker;

  beforeAll(async () => {
    h = await createHarness();
    w = await startWorker(h);
  });
  afterAll(async () => {
    await w?.stop();
    await h?.close();
  });

  it('creates the run, waits for it to finish, reports its ledger as CSV; a second run call reuses it and dials nobody again', async () => {
    // In the segment (days past due 1-30): an answering person, a busy line, a rejection.
    // Outside it: 45 days past due, never dialed.
    await seedCustomers(h.tdb.db, [
      { externalId: 'in-answer', phones: [num('01'), num('20', 1)], daysPastDue: 3 },
      { externalId: 'in-busy', phones: [num('20')], daysPastDue: 12 },
      { externalId: 'in-rejected', phones: [num('40')], daysPastDue: 30 },
      { externalId: 'out', phones: [num('02')], daysPastDue: 45 },
    ]);
    await createSchedule(h.tdb.db, null, {
      name: 'nightly-dpd-1-30',
      cron: '0 9 * * *',
      timeZone: 'Asia/Shanghai',
      template: { prompt: TEST_PROMPT, callerId: '+8695500', maxConcurrent: 5, callsPerSecond: 5 },
      segment: { daysPastDueMin: 1, daysPastDueMax: 30 },
      onWindowEnd: 'expire',
      enabled: true,
    });

    const env = { ...h.env, LOG_LEVEL: 'silent' };
    const first = await runCli(['batch', 'run', '--schedule', 'nightly-dpd-1-30', '--wait'], env, 150_000);
    expect(first.code, first.stderr).toBe(0);
    const line = first.stdout.trim();
    expect(line.split('\n')).toHaveLength(1);
    const m = /^run (\d+) created: schedule nightly-dpd-1-30 (\d{4}-\d{2}-\d{2}), campaign (\d+) \(completed\), status completed, 3 contacts/.exec(line);
    expect(m, line).not.toBeNull();
    const runId = m![1]!;
    const campaignId = Number(m![3]);
    // Not a terminal: plain progress lines on stderr, the last one full.
    const progress = first.stderr.trim().split('\n');
    expect(progress.at(-1)).toMatch(new RegExp(`^run ${runId} \\[#+\\] 3/3 100% completed$`));
    expect(first.stderr).not.toContain('\r');

    const ledger = await listCallsAsc(h.tdb.db, ALL_CALLS, { campaignId }, null, 1000);
    expect(ledger.map((a) => a.phone).sort()).toEqual([num('01'), num('20'), num('40')].sort());
    expect(Object.fromEntries(ledger.map((a) => [a.phone, a.outcome]))).toMatchObject({ [num('20')]: 'busy', [num('40')]: 'rejected' });

    const again = await runCli(['batch', 'run', '--schedule', 'nightly-dpd-1-30'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^run ${runId} exists: .*campaign ${campaignId} \\(completed\\).*, 3 attempts\\n$`));

    const csv = await runCli(['report', '--run', runId, '--csv'], env);
    expect(csv.code, csv.stderr).toBe(0);
    const rows = parse(csv.stdout) as string[][];
    expect(rows[0]).toEqual(CSV_COLUMNS.map((c) => c.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`)));
    const after = await listCallsAsc(h.tdb.db, ALL_CALLS, { campaignId }, null, 1000);
    expect(after).toHaveLength(3); // the second `batch run` dialed nobody
    expect(rows.slice(1)).toEqual(
      after.map((a) =>
        CSV_COLUMNS.map((c) => {
          const v = a[c];
          return v === null ? '' : v instanceof Date ? v.toISOString() : String(v);
        }),
      ),
    );

    const report = await runCli(['report', '--run', runId], env);
    expect(JSON.parse(report.stdout)).toMatchObject({
      id: Number(runId),
      status: 'completed',
      contacts: { total: 3 },
      attempts: 3,
      onWindowEnd: 'expire',
      windowAction: null,
    });
    const audit = await h.tdb.db.query(`SELECT action FROM audit_log WHERE details->>'via' = 'cli' ORDER BY id`);
    expect(audit.rows.map((r) => r.action)).toEqual(['campaign.create', 'campaign.launch', 'schedule.run']);
  });

  it('--file with --template: the file is imported into a run of that template, dialed, and the same file again reuses the run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rw-batch-'));
    const file = join(dir, 'contacts.csv');
    await writeFile(file, `external_id,name,phone,locale,days_past_due\nf-1,Test One,${num('03')},en-US,70\nf-2,Test Two,${num('20', 2)},en-US,80\n`);
    const env = { ...h.env, LOG_LEVEL: 'silent' };
    try {
      const first = await runCli(['batch', 'run', '--file', file, '--template', 'nightly-dpd-1-30', '--wait'], env, 150_000);
      expect(first.code, first.stderr).toBe(0);
      const m = /^run (\d+) created: .*campaign (\d+) \(completed\), status completed, 2 contacts/.exec(first.stdout);
      expect(m, first.stdout).not.toBeNull();
      const ledger = await listCallsAsc(h.tdb.db, ALL_CALLS, { campaignId: Number(m![2]) }, null, 1000);
      expect(ledger.map((a) => a.phone).sort()).toEqual([num('03'), num('20', 2)].sort());

      const again = await runCli(['batch', 'run', '--file', file, '--template', 'nightly-dpd-1-30'], env);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(new RegExp(`^run ${m![1]} exists: `));
      expect(await listCallsAsc(h.tdb.db, ALL_CALLS, { campaignId: Number(m![2]) }, null, 1000)).toHaveLength(2);

      // A file that fails validation: nothing imported or dialed, exit 1 with the row errors.
      const bad = join(dir, 'bad.csv');
      await writeFile(bad, `external_id,name,phone\nb-1,Bad,not-a-phone\n`);
      const rejected = await runCli(['batch', 'run', '--file', bad, '--template', 'nightly-dpd-1-30'], env);
      expect(rejected.code).toBe(1);
      expect(rejected.stderr).toMatch(/import rejected.*\n {2}row 1 .*phone/);
      expect((await h.tdb.db.query(`SELECT 1 FROM customers WHERE external_id = 'b-1'`)).rowCount).toBe(0);
      // No run for it; its draft campaign was cancelled, so nothing is left half made.
      expect((await h.tdb.db.query(`SELECT 1 FROM schedule_runs WHERE source = 'file'`)).rowCount).toBe(1);
      expect((await h.tdb.db.query(`SELECT state FROM campaigns WHERE name LIKE '% file %' ORDER BY id`)).rows.map((r) => r.state)).toEqual([
        'completed',
        'cancelled',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
