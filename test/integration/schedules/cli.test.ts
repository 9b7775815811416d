import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { runCli } from '../../helpers/cli.js';
import { testEnv } from '../../helpers/sandbox-env.js';
import { COMMANDS } from '../../../src/cli/cli.args.js';
import { loadConfig } from '../../../src/config.js';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { TEMPLATE } from './schedules.helpers.js';

describe('ringwise CLI as a child process (real PostgreSQL + Redis): help, input errors, exit codes', () => {
  let t: TestDb;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await createTestDb();
    dir = await mkdtemp(join(tmpdir(), 'rw-cli-'));
    await writeFile(join(dir, 'template.json'), JSON.stringify(TEMPLATE));
    await writeFile(join(dir, 'loose.json'), JSON.stringify({ ...TEMPLATE, policyOverrides: { windowStart: '05:00', windowEnd: '23:00' } }));
    env = testEnv({ DATABASE_URL: t.url, RINGWISE_QUEUE_PREFIX: `rwt-cli-${Date.now()}`, LOG_LEVEL: 'silent' });
  });
  afterAll(async () => {
    await t?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('every command answers --help with its usage on stdout and exit 0; the new ones list their exit codes', async () => {
    for (const name of Object.keys(COMMANDS)) {
      const r = await runCli([name, '--help'], env);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/^usage: ringwise /);
      if (['batch', 'campaigns', 'report', 'schedules'].includes(name)) expect(r.stdout).toContain('3  not found');
    }
    const top = await runCli(['--help'], env);
    expect(top.stdout).toContain('batch');
  });

  it('a bad cron or an unknown time zone: exit 2 with the code and a message, nothing saved', async () => {
    const base = ['schedules', 'create', '--name', 'nightly', '--time-zone', 'Asia/Shanghai', '--template', join(dir, 'template.json')];
    const badCron = await runCli([...base, '--cron', '61 * * * *'], env);
    expect(badCron.code).toBe(2);
    expect(badCron.stderr).toMatch(/invalid_cron: invalid cron "61 \* \* \* \*"/);
    const badZone = await runCli(
      ['schedules', 'create', '--name', 'nightly', '--cron', '0 9 * * *', '--time-zone', 'Mars/Olympus', '--template', join(dir, 'template.json')],
      env,
    );
    expect(badZone.code).toBe(2);
    expect(badZone.stderr).toContain('invalid_time_zone: unknown IANA time zone "Mars/Olympus"');
    const loose = await runCli(
      ['schedules', 'create', '--name', 'nightly', '--cron', '0 9 * * *', '--time-zone', 'Asia/Shanghai', '--template', join(dir, 'loose.json')],
      env,
    );
    expect(loose.code).toBe(2);
    expect(loose.stderr).toContain('override_not_stricter');
    expect((await t.db.query('SELECT 1 FROM schedules')).rowCount).toBe(0);

    const ok = await runCli([...base, '--cron', '0 9 * * *', '--segment', join(dir, 'template.json')], env);
    expect(ok.code).toBe(2); // a template is not a segment: the API's schema says so
    expect(ok.stderr).toContain('invalid_request');
  });

  it('usage errors exit 2, unknown names and ids exit 3, a refused state change exits 4', async () => {
    expect((await runCli(['batch', 'run'], env)).code).toBe(2);
    expect((await runCli(['batch', 'run', '--schedule', 'x', '--file', 'f.csv'], env)).code).toBe(2);
    expect((await runCli(['report'], env)).code).toBe(2);
    expect((await runCli(['campaigns', 'pause', 'abc'], env)).code).toBe(2);
    const missing = await runCli(['batch', 'run', '--schedule', 'no-such-schedule'], env);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('schedule no-such-schedule not found');
    expect((await runCli(['report', '--run', '999999'], env)).code).toBe(3);
    expect((await runCli(['campaigns', 'status', '999999'], env)).code).toBe(3);

    const c = await t.db.query<{ id: number }>(`INSERT INTO campaigns (name, state) VALUES ('done', 'completed') RETURNING id`);
    const refused = await runCli(['campaigns', 'pause', String(c.rows[0]!.id)], env);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('invalid_transition');
  });

  it('campaigns launch/pause/resume/cancel use the service (audited via cli) and tell the workers; status and list read', async () => {
    const c = await t.db.query<{ id: number }>(`INSERT INTO campaigns (name) VALUES ('cli-driven') RETURNING id`);
    const id = String(c.rows[0]!.id);
    const redis = new Redis(loadConfig(env).redisUrl, { maxRetriesPerRequest: null });
    const expand = new Queue('campaign', { connection: redis, prefix: env['RINGWISE_QUEUE_PREFIX']! });
    try {
      for (const [action, state] of [
        ['launch', 'running'],
        ['pause', 'paused'],
        ['resume', 'running'],
        ['cancel', 'cancelled'],
      ] as const) {
        const r = await runCli(['campaigns', action, id], env);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toBe(`campaign ${id} ${state}\n`);
        // Launch queued the expand job a worker picks up, as the API's hook does.
        if (action === 'launch') expect((await expand.getJob(`expand-${id}`))?.data).toEqual({ campaignId: id });
      }
      const audit = await t.db.query(`SELECT action, details->>'via' AS via FROM audit_log WHERE target_type = 'campaign' AND target_id = $1 ORDER BY id`, [
        id,
      ]);
      expect(audit.rows).toEqual(['launch', 'pause', 'resume', 'cancel'].map((a) => ({ action: `campaign.${a}`, via: 'cli' })));
      const status = await runCli(['campaigns', 'status', id], env);
      expect(JSON.parse(status.stdout)).toMatchObject({ id: Number(id), state: 'cancelled', contacts: { total: 0 } });
      const list = await runCli(['campaigns', 'list', '--state', 'cancelled'], env);
      expect(list.stdout).toMatch(new RegExp(`^${id} +cancelled +\\S+ +cli-driven$`, 'm'));
    } finally {
      await expand.obliterate({ force: true }).catch(() => undefined);
      await expand.close();
      await redis.quit();
    }
  });
});
