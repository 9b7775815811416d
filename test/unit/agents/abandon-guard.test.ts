import { describe, expect, it } from 'vitest';
import { ABANDON_HOLD_REASON, createAbandonGuard, refreshEveryMs } from '../../../src/agents/abandon-guard.js';
import type { Queryable } from '../../../src/store/db.js';
import { createLogger } from '../../../src/shared/logger.js';

/** A database that only records the pacing-hold statements it is sent. */
function fakeDb() {
  const sent: Array<{ sql: string; params: unknown[] }> = [];
  let next = 1;
  const db = {
    query: async (sql: string, params: unknown[] = []) => {
      sent.push({ sql, params });
      if (/INSERT INTO pacing_holds/.test(sql)) return { rows: (params[0] as string[]).map(() => ({ id: String(next++) })), rowCount: 1 };
      return { rows: [], rowCount: 1 };
    },
  } as unknown as Queryable;
  return {
    db,
    sent,
    opened: () => sent.filter((s) => /INSERT INTO pacing_holds/.test(s.sql)),
    closed: () => sent.filter((s) => /UPDATE pacing_holds/.test(s.sql)),
  };
}

const log = createLogger('silent');

describe('abandon guard: the per-worker state around the pure decision', () => {
  it('opens one abandon_rate hold when a campaign is limited, keeps it while limited, closes it on recovery', async () => {
    const f = fakeDb();
    let now = 0;
    const window = { abandoned: 40, liveAnswered: 1000 };
    const g = createAbandonGuard({
      db: f.db,
      workerId: 'w1',
      defaultProfile: 'cn-bank',
      clock: () => now,
      loadWindow: async () => ({ ...window }),
      loadTarget: async () => 0.03,
    });
    const ask = () => g.decide({ campaignId: '7', inFlight: 1, availableAgents: 2, ratio: 2, log });

    expect(await ask()).toMatchObject({ limited: true, lines: 2 });
    now += 500;
    expect(await ask()).toMatchObject({ limited: true });
    await new Promise((r) => setImmediate(r));
    expect(f.opened()).toHaveLength(1);
    expect(f.opened()[0]!.params).toEqual([['7'], 'w1', ABANDON_HOLD_REASON, 0.5]);
    expect(f.closed()).toHaveLength(0);

    // Within the refresh period the window is not read again; after it, the better window is.
    window.abandoned = 5;
    now += 500;
    expect(await ask()).toMatchObject({ limited: true });
    now += 2_000;
    expect(await ask()).toMatchObject({ limited: false, lines: 4 });
    await new Promise((r) => setImmediate(r));
    expect(f.closed()).toHaveLength(1);
    expect(f.closed()[0]!.params).toEqual([['1'], [ABANDON_HOLD_REASON], 0.5]);
  });

  it('a window that cannot be read limits (the safe side), and close() ends every open hold', async () => {
    const f = fakeDb();
    const g = createAbandonGuard({
      db: f.db,
      workerId: 'w1',
      defaultProfile: 'cn-bank',
      loadWindow: async () => {
        throw new Error('connection terminated');
      },
      loadTarget: async () => 0.03,
    });
    expect(await g.decide({ campaignId: '9', inFlight: 0, availableAgents: 3, ratio: 3, log })).toMatchObject({ limited: true, lines: 3 });
    await g.close();
    expect(f.opened()).toHaveLength(1);
    expect(f.closed()).toHaveLength(1);
  });

  it('a limited campaign that stops dialing agent calls has its hold ended by the next decision after a minute', async () => {
    const f = fakeDb();
    let now = 0;
    const g = createAbandonGuard({
      db: f.db,
      workerId: 'w1',
      defaultProfile: 'cn-bank',
      clock: () => now,
      loadWindow: async (id) => (id === '1' ? { abandoned: 100, liveAnswered: 100 } : { abandoned: 0, liveAnswered: 10_000 }),
      loadTarget: async () => 0.03,
    });
    await g.decide({ campaignId: '1', inFlight: 0, availableAgents: 1, ratio: 2, log });
    now += 61_000;
    await g.decide({ campaignId: '2', inFlight: 0, availableAgents: 1, ratio: 2, log });
    await new Promise((r) => setImmediate(r));
    expect(f.opened().map((o) => o.params[0])).toEqual([['1']]);
    expect(f.closed()).toHaveLength(1);
  });

  it('two dial jobs deciding at once for a new campaign open one hold, not two', async () => {
    const f = fakeDb();
    const g = createAbandonGuard({
      db: f.db,
      workerId: 'w1',
      defaultProfile: 'cn-bank',
      loadWindow: async () => ({ abandoned: 10, liveAnswered: 100 }),
      loadTarget: async () => 0.03,
    });
    const ask = () => g.decide({ campaignId: '3', inFlight: 0, availableAgents: 1, ratio: 2, log });
    expect((await Promise.all([ask(), ask(), ask()])).every((d) => d.limited)).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(f.opened()).toHaveLength(1);
  });

  it('reads a large window less often (one more call moves its rate very little)', () => {
    expect([0, 20_000, 100_000, 1_000_000, 10_000_000].map(refreshEveryMs)).toEqual([2_000, 2_000, 10_000, 100_000, 120_000]);
  });
});
