import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/sandbox-env.js';
import { attempts, campaignState, contactStates, createHarness, num, seedCampaign, setCampaignState, startWorker, waitFor, type Harness, type RunningWorker } from './dialer-harness.js';

describe('dialer e2e: a worker crash mid-call', () => {
  let h: Harness;
  let child: ChildProcess | undefined;
  let w: RunningWorker | undefined;
  let childLog = '';

  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await w?.stop();
    await h?.close();
  });

  it('the replayed job finds its attempt, ends it, and never dials again', async () => {
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

    // A new worker: the dead worker's job lock expires, the job is replayed here.
    w = await startWorker(h);
    await waitFor('the attempt to end', async () => (await attempts(h, c.campaignId)).every((a) => a.state === 'ended'), 30_000);
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 15_000);

    const rows = await attempts(h, c.campaignId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: answered.id, attemptNo: 1, state: 'ended', outcome: 'failed', endReason: 'lost' });
    // Nothing was dialed by the worker that replayed the job, and the orphaned channel is gone.
    expect(w.created).toEqual([]);
    const channels = await w.client.listChannels();
    expect(channels.map((ch) => ch.id)).not.toContain(answered.id);
    // Someone was reached and then lost: not retried as "failed".
    expect((await contactStates(h, c.campaignId))[num('02')]).toMatchObject({ state: 'failed', lastOutcome: 'failed' });
  });
});
