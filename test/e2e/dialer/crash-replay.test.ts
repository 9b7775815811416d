import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/sandbox-env.js';
import {
  attempts,
  campaignState,
  contactStates,
  createHarness,
  num,
  seedCampaign,
  setCampaignState,
  startWorker,
  waitFor,
  type Harness,
  type RunningWorker,
} from './dialer-harness.js';

describe('dialer e2e: a worker crash mid-call', () => {
  let h: Harness;
  let child: ChildProcess | undefined;
  let w: RunningWorker | undefined;
  let childLog = '';

  beforeAll(async () => {
    // A worker silent for 5 s is dead (30 s by default): its live calls are taken over.
    h = await createHarness({ RINGWISE_DEAD_WORKER_SECONDS: '5' });
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await w?.stop();
    await h?.close();
  });

  it('another worker takes the dead worker’s live call over (its channel moved into its app), never dials it again, and it ends normally', async () => {
    // The first worker is a real `ringwise worker` process; its menu wait keeps the call up.
    child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main.ts'), 'worker'], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...h.env,
        RINGWISE_WORKER_ID: `${h.config.dialer.workerId}-doomed`,
        ARI_APP: `${h.config.ari.app}-doomed`,
        RINGWISE_MENU_TIMEOUT_SECONDS: '60',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (childLog += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (childLog += d.toString()));

    const c = await seedCampaign(h, { contacts: [{ phone: num('02') }], retryPolicy: { failed: { delaySeconds: 1, maxRetries: 2 } } });
    await setCampaignState(h, c.campaignId, 'running');
    const answered = await waitFor(
      'the call to be answered by the child worker',
      async () => (await attempts(h, c.campaignId)).find((a) => a.state === 'answered'),
      30_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\nchild worker log:\n${childLog.slice(-4000)}`);
    });

    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));

    // Another worker (another id): the dead worker's job is replayed here and leaves the live call
    // alone; once the dead worker's heartbeat is stale its call is claimed and adopted.
    w = await startWorker(h);
    await waitFor('the attempt to end', async () => (await attempts(h, c.campaignId)).every((a) => a.state === 'ended'), 45_000);
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 15_000);

    const rows = await attempts(h, c.campaignId);
    expect(rows).toHaveLength(1);
    // The customer was never cut off: the call ended with its real outcome (the menu's timeout).
    expect(rows[0]).toMatchObject({ id: answered.id, attemptNo: 1, state: 'ended', outcome: 'completed', endReason: 'menu_timeout' });
    // Nothing was dialed by the worker that took it over, and the channel is gone.
    expect(w.created).toEqual([]);
    const channels = await w.client.listChannels();
    expect(channels.map((ch) => ch.id)).not.toContain(answered.id);
    expect((await contactStates(h, c.campaignId))[num('02')]).toMatchObject({ state: 'completed', lastOutcome: 'completed' });
  });
});
