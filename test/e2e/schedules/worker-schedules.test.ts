import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchedule } from '../../../src/schedules/schedule.service.js';
import { QUEUE_SCHEDULE, scheduleJobSchedulerId } from '../../../src/schedules/schedule.jobs.js';
import { ROOT } from '../../helpers/sandbox-env.js';
import { createHarness, TEST_PROMPT, waitFor, type Harness } from '../dialer/dialer-harness.js';
import { seedCustomers } from '../../integration/schedules/schedules.helpers.js';

describe('e2e: `ringwise worker` processes register schedules at start and fire them', () => {
  let h: Harness;
  const children: ChildProcess[] = [];
  let logs = '';

  const startWorkerProcess = (n: number): ChildProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main.ts'), 'worker'], {
      cwd: ROOT,
      env: { ...process.env, ...h.env, RINGWISE_WORKER_ID: `${h.config.dialer.workerId}-${n}`, ARI_APP: `${h.config.ari.app}-${n}`, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
    children.push(child);
    return child;
  };
  const stop = async (child: ChildProcess) => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };

  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await h?.close();
  });

  it('two workers, each re-registering every enabled schedule, leave one job scheduler; an every-second schedule makes one run per local day', async () => {
    await seedCustomers(h.tdb.db, [{ externalId: 'nobody-matches', phones: ['+8613800000001'], daysPastDue: 2, riskScore: 10 }]);
    // The segment matches nobody: this test is about firings, not calls.
    const s = await createSchedule(h.tdb.db, null, {
      name: 'every-second',
      cron: '* * * * * *',
      timeZone: 'Asia/Shanghai',
      template: { prompt: TEST_PROMPT, callerId: '+8695500' },
      segment: { minRiskScore: 100 },
      onWindowEnd: 'defer',
      enabled: true,
    });
    const queue = new Queue(QUEUE_SCHEDULE, { connection: h.redis, prefix: h.config.queuePrefix });
    try {
      startWorkerProcess(1);
      const run = await waitFor(
        'a run made by the job scheduler',
        async () => {
          const r = await h.tdb.db.query<{ id: number; via: string; local_date: string }>(
            `SELECT id, via, local_date::text FROM schedule_runs WHERE schedule_id = $1`,
            [s.id],
          );
          return r.rows[0];
        },
        60_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}\nworker log:\n${logs.slice(-3000)}`);
      });
      expect(run.via).toBe('schedule');

      // A second worker (a redeploy, another machine) registers the same schedule again.
      startWorkerProcess(2);
      await waitFor('the second worker to register schedules', async () => (logs.match(/schedules registered/g) ?? []).length >= 2, 60_000);
      const firedBefore = (logs.match(/schedule fired/g) ?? []).length;
      await waitFor('more firings from both workers', async () => (logs.match(/schedule fired/g) ?? []).length >= firedBefore + 3, 60_000);

      const schedulers = (await queue.getJobSchedulers(0, -1)).map((j) => j.key).filter((k) => k !== 'schedule-window-sweep' && k.startsWith('schedule-'));
      expect(schedulers).toEqual([scheduleJobSchedulerId(s.id)]);
      const runs = await h.tdb.db.query<{ local_date: string }>(`SELECT local_date::text FROM schedule_runs WHERE schedule_id = $1`, [s.id]);
      // One per local day (two only if Shanghai's midnight passed during the test).
      expect(runs.rows.length).toBe(new Set(runs.rows.map((r) => r.local_date)).size);
      expect(runs.rows.length).toBeLessThanOrEqual(2);
      expect(logs).not.toMatch(/"level":50/);
    } finally {
      for (const c of children) await stop(c);
      await queue.close();
    }
  });
});
