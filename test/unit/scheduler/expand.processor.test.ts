import { DelayedError, type Job } from 'bullmq';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DialJob, ExpandJob } from '../../../src/scheduler/queues.js';

// The repo, in memory: contacts with a state and a next_attempt_at, one campaign.
interface MemContact {
  id: string;
  state: string;
  nextAttemptAt: number | null;
}
const mem = vi.hoisted(() => ({
  campaign: { state: 'running' as string, callsPerSecond: 1, maxConcurrent: 10 },
  contacts: [] as { id: string; state: string; nextAttemptAt: number | null }[],
  log: [] as string[],
  completed: 0,
  pauseAfterPages: Infinity,
  pages: 0,
}));

vi.mock('../../../src/campaigns/campaign.repo.js', () => ({
  getDialCampaign: async (_db: unknown, id: string) => ({ id, ...mem.campaign }),
  getCampaignState: async () => (mem.pages >= mem.pauseAfterPages ? 'paused' : mem.campaign.state),
  completeCampaignIfDone: async () => {
    mem.completed++;
    return true;
  },
}));
vi.mock('../../../src/contacts/contacts.repo.js', () => ({
  countDueContacts: async () =>
    mem.contacts.filter((c) => (c.state === 'queued' || c.state === 'deferred') && (c.nextAttemptAt === null || c.nextAttemptAt <= Date.now())).length,
  hasPendingContacts: async () => mem.contacts.some((c) => c.state === 'pending'),
  pendingContactsPage: async (_db: unknown, _c: string, afterId: string, limit: number) => {
    mem.pages++;
    return mem.contacts
      .filter((c) => c.state === 'pending' && Number(c.id) > Number(afterId))
      .slice(0, limit)
      .map((c) => ({ id: c.id, nextAttemptNo: 1 }));
  },
  markQueued: async (_db: unknown, ids: string[]) => {
    mem.log.push(`markQueued ${ids.length}`);
    for (const c of mem.contacts) if (ids.includes(c.id) && c.state === 'pending') Object.assign(c, { state: 'queued', nextAttemptAt: null });
  },
}));

const { processExpand, createTopUpTrigger } = await import('../../../src/scheduler/expand.processor.js');

const silent = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined, child: () => silent };
const added: string[] = [];
const queues = {
  dial: {
    addBulk: async (jobs: { opts: { jobId: string }; data: DialJob }[]) => {
      mem.log.push(`addBulk ${jobs.length}`);
      added.push(...jobs.map((j) => j.opts.jobId));
      return [];
    },
  },
};
function fakeJob() {
  const j = {
    data: { campaignId: '7' },
    delayedTo: null as number | null,
    token: undefined as string | undefined,
    updateProgress: async () => undefined,
    moveToDelayed: async (ts: number, token?: string) => {
      j.delayedTo = ts;
      j.token = token;
    },
  };
  return j;
}
const ctx = { db: {} as never, log: silent as never, queues: queues as never, chunk: 50, now: () => 1_000_000 };
const run = (j: ReturnType<typeof fakeJob>) => processExpand(ctx, j as unknown as Job<ExpandJob>, 'tok');
const seed = (n: number, state = 'pending', nextAttemptAt: number | null = null) => {
  const start = mem.contacts.length;
  for (let i = 1; i <= n; i++) mem.contacts.push({ id: String(start + i), state, nextAttemptAt } satisfies MemContact);
};
const count = (state: string) => mem.contacts.filter((c) => c.state === state).length;

beforeEach(() => {
  Object.assign(mem, {
    campaign: { state: 'running', callsPerSecond: 1, maxConcurrent: 10 },
    contacts: [],
    log: [],
    completed: 0,
    pauseAfterPages: Infinity,
    pages: 0,
  });
  added.length = 0;
});

describe('processExpand (dial window)', () => {
  it('queues only the window (200 here), jobs before markQueued, and schedules itself again', async () => {
    seed(1_000);
    const j = fakeJob();
    await expect(run(j)).rejects.toBeInstanceOf(DelayedError);
    expect(count('queued')).toBe(200);
    expect(added).toHaveLength(200);
    expect(new Set(added).size).toBe(200);
    expect(added[0]).toBe('dial-7-1-1');
    expect(mem.log.slice(0, 2)).toEqual(['addBulk 50', 'markQueued 50']);
    // Half of the 200-job window at 1 call/s is 100 s: the 30 s ceiling.
    expect(j.delayedTo).toBe(1_000_000 + 30_000);
    expect(j.token).toBe('tok');
  });

  it('tops up only what drained, once at least a tenth of the window is free', async () => {
    seed(150, 'queued');
    seed(500);
    await expect(run(fakeJob())).rejects.toBeInstanceOf(DelayedError);
    expect(added).toHaveLength(50);
    // 50 dialed: 50 more.
    added.length = 0;
    mem.contacts.slice(0, 50).forEach((c) => (c.state = 'completed'));
    await expect(run(fakeJob())).rejects.toBeInstanceOf(DelayedError);
    expect(added).toHaveLength(50);
    // 10 dialed: 190 due, 10 free is under a tenth of 200, so nothing is written yet.
    added.length = 0;
    mem.contacts
      .filter((c) => c.state === 'queued')
      .slice(0, 10)
      .forEach((c) => (c.state = 'completed'));
    await expect(run(fakeJob())).rejects.toBeInstanceOf(DelayedError);
    expect(added).toHaveLength(0);
  });

  it('counts deferred contacts that are due, not parked retries or deferrals', async () => {
    seed(100, 'queued', Date.now() + 3_600_000); // retries waiting an hour
    seed(100, 'deferred', Date.now() + 3_600_000); // deferred to the morning
    seed(50, 'deferred', Date.now() - 1_000); // deferral over: competing for pacing again
    seed(500);
    await expect(run(fakeJob())).rejects.toBeInstanceOf(DelayedError);
    expect(added).toHaveLength(150);
  });

  it('queues the rest and completes when fewer contacts than the window are pending', async () => {
    seed(120);
    await expect(run(fakeJob())).resolves.toBe(120);
    expect(count('queued')).toBe(120);
    expect(mem.completed).toBe(0);
  });

  it('completes the campaign when nothing is pending or due', async () => {
    seed(3, 'completed');
    await expect(run(fakeJob())).resolves.toBe(0);
    expect(mem.completed).toBe(1);
  });

  it('does nothing for a campaign that is not running', async () => {
    seed(300);
    mem.campaign.state = 'paused';
    await expect(run(fakeJob())).resolves.toBe(0);
    expect(added).toHaveLength(0);
  });

  it('stops between chunks when the campaign is paused meanwhile', async () => {
    seed(300);
    mem.pauseAfterPages = 2;
    await expect(run(fakeJob())).rejects.toBeInstanceOf(DelayedError);
    expect(added).toHaveLength(100);
  });
});

describe('createTopUpTrigger', () => {
  it('asks for an expand at most once per second per campaign', async () => {
    let t = 0;
    const asked: string[] = [];
    const queue = {
      add: async (_n: string, data: ExpandJob, opts: { jobId: string }) => {
        asked.push(`${data.campaignId}:${opts.jobId}`);
        return { isDelayed: async () => false };
      },
    };
    const trigger = createTopUpTrigger(queue as never, silent as never, 1_000, () => t);
    trigger('1');
    trigger('1');
    trigger('2');
    t = 999;
    trigger('1');
    t = 1_000;
    trigger('1');
    await new Promise((r) => setImmediate(r));
    expect(asked).toEqual(['1:expand-1', '2:expand-2', '1:expand-1']);
  });

  it('promotes an expand job that waits for its next top-up', async () => {
    const promoted: string[] = [];
    const queue = { add: async () => ({ isDelayed: async () => true, promote: async () => void promoted.push('expand-3') }) };
    createTopUpTrigger(queue as never, silent as never)('3');
    await new Promise((r) => setImmediate(r));
    expect(promoted).toEqual(['expand-3']);
  });
});
