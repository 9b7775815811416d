import { describe, expect, it } from 'vitest';
import { createTokenQueue } from '../../../src/scheduler/token-queue.js';

const limits = { maxChannels: 10, callsPerSecond: 5 };
const tick = () => new Promise((r) => setTimeout(r, 0));

/** A bucket the test fills by hand; records who asked. */
function bucket() {
  let tokens = 0;
  const asked: string[] = [];
  const sleeps: number[] = [];
  let wake: (() => void) | null = null;
  const take = async (campaignId: string) => {
    asked.push(campaignId);
    if (tokens > 0) {
      tokens--;
      return 0;
    }
    return 200;
  };
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      sleeps.push(ms);
      wake = r;
    });
  return {
    take,
    sleep,
    asked,
    sleeps,
    add(n: number) {
      tokens += n;
      const w = wake;
      wake = null;
      w?.();
    },
  };
}

describe('token queue', () => {
  it('hands tokens out in arrival order, and only the head asks the bucket, at the wait it was told', async () => {
    const b = bucket();
    const q = createTokenQueue(b.take, b.sleep);
    const done: number[] = [];
    const waits = [1, 2, 3].map((i) => q.wait('c1', limits).then(() => done.push(i)));
    await tick();
    expect(q.waiting('c1')).toBe(3);
    expect(b.asked).toHaveLength(1); // one Redis call for three waiting jobs
    expect(b.sleeps).toEqual([200]);
    b.add(2);
    await tick();
    await tick();
    expect(done).toEqual([1, 2]);
    b.add(1);
    await Promise.all(waits);
    expect(done).toEqual([1, 2, 3]);
    expect(q.waiting()).toBe(0);
  });

  it('campaigns queue apart: one campaign waiting for its rate does not hold another', async () => {
    const b = bucket();
    let open = 'c2';
    const q = createTokenQueue(async (c) => (c === open ? 0 : 500), b.sleep);
    const slow = q.wait('c1', limits);
    await q.wait('c2', limits);
    expect(q.waiting('c1')).toBe(1);
    open = 'c1';
    b.add(0);
    await slow;
  });

  it('a job that gives up leaves the queue; the token goes to the next one', async () => {
    const b = bucket();
    const q = createTokenQueue(b.take, b.sleep);
    const ac = new AbortController();
    const first = q.wait('c1', limits, ac.signal);
    const second = q.wait('c1', limits);
    await tick();
    ac.abort(new Error('paused'));
    await expect(first).rejects.toThrow('paused');
    expect(q.waiting('c1')).toBe(1);
    b.add(1);
    await second;
    expect(q.waiting('c1')).toBe(0);
  });

  it('a Redis error is retried after a pause, not passed to the job', async () => {
    let calls = 0;
    const q = createTokenQueue(
      async () => {
        calls++;
        if (calls === 1) throw new Error('redis down');
        return 0;
      },
      async () => undefined,
    );
    await q.wait('c1', limits);
    expect(calls).toBe(2);
  });
});
