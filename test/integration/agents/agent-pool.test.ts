import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAgentEventHub, type AgentEventHub } from '../../../src/agents/agent.events-hub.js';
import type { AgentStreamEvent } from '../../../src/agents/agent.service.js';
import { createAgentPool, type AgentPool } from '../../../src/agents/agent-pool.js';
import { getAgent, insertAgent } from '../../../src/agents/agents.repo.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { testEnv } from '../../helpers/sandbox-env.js';

// The pool against real PostgreSQL and Redis: claim order and filters, races between claimers,
// the call's transitions, wrap-up ending by its timer, and events crossing Redis pub/sub.
let t: TestDb;
let redis: Redis;
let hub: AgentEventHub;
let pool: AgentPool;
const prefix = `rwt-${randomBytes(4).toString('hex')}`;
const log = createLogger('silent');

beforeAll(async () => {
  t = await createTestDb();
  redis = new Redis(loadConfig(testEnv()).redisUrl, { maxRetriesPerRequest: null });
  hub = createAgentEventHub(redis, prefix, log);
  pool = createAgentPool({ db: t.db, redis, prefix, wrapUpSeconds: 1, log });
});
afterAll(async () => {
  pool?.close();
  await hub?.close();
  await redis?.quit();
  await t?.drop();
});
beforeEach(async () => {
  await t.db.query('DELETE FROM dispositions');
  await t.db.query('DELETE FROM agents');
});

interface Seed {
  state?: string;
  loggedIn?: boolean;
  registered?: boolean;
  lastCallEndedAt?: Date | null;
  wrapUpUntil?: Date | null;
  attempt?: string | null;
}
async function agent(s: Seed = {}): Promise<number> {
  const a = await insertAgent(t.db, {
    name: 'Test Agent',
    sipUsername: `rwt-agent-${randomBytes(4).toString('hex')}`,
    sipMd5: '0'.repeat(32),
    sipRealm: 'ringwise',
  });
  await t.db.query(
    `UPDATE agents SET state = $2, logged_in = $3, registered = $4, last_call_ended_at = $5, wrap_up_until = $6, current_attempt_id = $7,
            pause_reason = CASE WHEN $2 = 'paused' THEN 'break' END WHERE id = $1`,
    [a.id, s.state ?? 'available', s.loggedIn ?? true, s.registered ?? true, s.lastCallEndedAt ?? null, s.wrapUpUntil ?? null, s.attempt ?? null],
  );
  return a.id;
}
const ago = (s: number) => new Date(Date.now() - s * 1000);
const stateOf = async (id: number) => (await getAgent(t.db, id))!.state;

function collect(
  agentId: number,
): Promise<{ events: AgentStreamEvent[]; waitFor(p: (e: AgentStreamEvent) => boolean): Promise<AgentStreamEvent>; off(): Promise<void> }> {
  const events: AgentStreamEvent[] = [];
  const waiters: Array<{ p: (e: AgentStreamEvent) => boolean; r: (e: AgentStreamEvent) => void }> = [];
  return hub
    .subscribe(agentId, (e) => {
      events.push(e);
      for (const w of [...waiters]) if (w.p(e)) w.r(e);
    })
    .then((off) => ({
      events,
      off,
      waitFor: (p) => {
        const seen = events.find(p);
        return seen ? Promise.resolve(seen) : new Promise((r) => waiters.push({ p, r }));
      },
    }));
}

describe('AgentPool.claim', () => {
  it('takes the longest-idle routable agent, skipping unregistered, logged-out, paused, busy and excluded ones', async () => {
    const recent = await agent({ lastCallEndedAt: ago(10) });
    const oldest = await agent({ lastCallEndedAt: ago(600) });
    const middle = await agent({ lastCallEndedAt: ago(100) });
    await agent({ registered: false, lastCallEndedAt: ago(9000) });
    await agent({ loggedIn: false, state: 'offline', lastCallEndedAt: ago(9000) });
    await agent({ state: 'paused', lastCallEndedAt: ago(9000) });
    await agent({ state: 'on_call', attempt: randomUUID(), lastCallEndedAt: ago(9000) });
    await agent({ state: 'wrap_up', attempt: randomUUID(), wrapUpUntil: new Date(Date.now() + 60_000), lastCallEndedAt: ago(9000) });

    expect(await pool.availableCount()).toBe(3);
    const a1 = randomUUID();
    expect((await pool.claim(a1, [oldest]))?.id).toBe(middle);
    const row = (await getAgent(t.db, middle))!;
    expect(row).toMatchObject({ state: 'ringing', currentAttemptId: a1 });
    expect((await pool.claim(randomUUID(), []))?.id).toBe(oldest);
    expect((await pool.claim(randomUUID(), []))?.id).toBe(recent);
    expect(await pool.claim(randomUUID(), [])).toBeNull();
    expect(await pool.availableCount()).toBe(0);
  });

  it('a wrap-up past its deadline is offered again (its timer may have died with a worker)', async () => {
    const id = await agent({ state: 'wrap_up', attempt: randomUUID(), wrapUpUntil: ago(1), lastCallEndedAt: ago(20) });
    expect(await pool.availableCount()).toBe(1);
    expect((await pool.claim(randomUUID(), []))?.id).toBe(id);
  });

  it('twenty racing claims over three agents: three winners, each agent once', async () => {
    const ids = [await agent(), await agent(), await agent()];
    const got = await Promise.all(Array.from({ length: 20 }, () => pool.claim(randomUUID(), [])));
    const winners = got.filter((g) => g !== null).map((g) => g!.id);
    expect(winners.sort()).toEqual([...ids].sort());
    const { rows } = await t.db.query(`SELECT count(DISTINCT current_attempt_id)::int AS n FROM agents WHERE state = 'ringing'`);
    expect(rows[0].n).toBe(3);
  });
});

describe('AgentPool call transitions', () => {
  it('ringing → on_call → wrap_up → available by the wrap-up timer, each change published', async () => {
    const id = await agent();
    const ev = await collect(id);
    const attempt = randomUUID();
    await pool.claim(attempt, []);
    await pool.connected(id, attempt);
    expect(await stateOf(id)).toBe('on_call');
    await pool.callEnded(id, attempt);
    const row = (await getAgent(t.db, id))!;
    expect(row.state).toBe('wrap_up');
    expect(row.lastCallEndedAt).not.toBeNull();
    await ev.waitFor((e) => e.type === 'state' && e['state'] === 'available');
    expect(await stateOf(id)).toBe('available');
    expect(ev.events.filter((e) => e.type === 'state').map((e) => e['state'])).toEqual(['ringing', 'on_call', 'wrap_up', 'available']);
    expect(ev.events.at(-1)).toMatchObject({ reason: 'wrap_up_time', agentId: id });
    await ev.off();
  });

  it('release puts a ringing agent back; a late event about another attempt or from the wrong state is refused', async () => {
    const id = await agent();
    const attempt = randomUUID();
    await pool.claim(attempt, []);
    await expect(pool.connected(id, randomUUID())).rejects.toMatchObject({ code: 'attempt_mismatch', status: 409 });
    await expect(pool.callEnded(id, attempt)).rejects.toMatchObject({ code: 'not_on_call' });
    await pool.release(id, attempt, 'no_answer');
    expect(await getAgent(t.db, id)).toMatchObject({ state: 'available', currentAttemptId: null });
    await expect(pool.connected(id, attempt)).rejects.toMatchObject({ code: 'attempt_mismatch' });
  });

  it('a disposition saved during the call skips wrap-up when the call ends', async () => {
    const id = await agent();
    const c = await t.db.query(`INSERT INTO customers (external_id, name, phones) VALUES ($1, 'X', ARRAY['+8613800000001']) RETURNING id`, [randomUUID()]);
    const attempt = randomUUID();
    await t.db.query(`INSERT INTO call_attempts (id, customer_id, attempt_no, phone, agent_id) VALUES ($1, $2, 1, '+8613800000001', $3)`, [
      attempt,
      c.rows[0].id,
      id,
    ]);
    await pool.claim(attempt, []);
    await pool.connected(id, attempt);
    await t.db.query(`INSERT INTO dispositions (attempt_id, agent_id, kind) VALUES ($1, $2, 'refused')`, [attempt, id]);
    await pool.callEnded(id, attempt);
    expect(await getAgent(t.db, id)).toMatchObject({ state: 'available', currentAttemptId: null });
  });

  it('sweepWrapUps ends overdue wrap-ups only', async () => {
    const due = await agent({ state: 'wrap_up', attempt: randomUUID(), wrapUpUntil: ago(5) });
    const notYet = await agent({ state: 'wrap_up', attempt: randomUUID(), wrapUpUntil: new Date(Date.now() + 60_000) });
    expect(await pool.sweepWrapUps()).toBe(1);
    expect(await stateOf(due)).toBe('available');
    expect(await stateOf(notYet)).toBe('wrap_up');
  });

  it('the sweep frees agents left ringing or on a call whose attempt ended (a worker died mid-bridge), after a grace period', async () => {
    const attempt = async (state: string, endedAgoS: number | null) => {
      const c = await t.db.query<{ id: string }>(
        `INSERT INTO customers (external_id, name, phones) VALUES ($1, 'C', ARRAY['+8613800000001']) RETURNING id::text`,
        [randomUUID()],
      );
      const r = await t.db.query<{ id: string }>(
        `INSERT INTO call_attempts (customer_id, attempt_no, phone, state, ended_at) VALUES ($1, 1, '+8613800000001', $2, $3) RETURNING id`,
        [c.rows[0]!.id, state, endedAgoS === null ? null : ago(endedAgoS)],
      );
      return r.rows[0]!.id;
    };
    const onLost = await agent({ state: 'on_call', attempt: await attempt('ended', 120) });
    const ringingLost = await agent({ state: 'ringing', attempt: await attempt('ended', 60) });
    const justEnded = await agent({ state: 'on_call', attempt: await attempt('ended', 2) });
    const live = await agent({ state: 'on_call', attempt: await attempt('answered', null) });
    const ev = await collect(onLost);
    expect(await pool.sweepWrapUps()).toBe(2);
    expect(await stateOf(onLost)).toBe('available');
    expect(await stateOf(ringingLost)).toBe('available');
    expect(await stateOf(justEnded)).toBe('on_call');
    expect(await stateOf(live)).toBe('on_call');
    expect((await getAgent(t.db, onLost))!.currentAttemptId).toBeNull();
    await ev.waitFor((e) => e.type === 'state' && (e as { state?: string }).state === 'available');
    await ev.off();
  });

  it('publish reaches a subscriber on another Redis connection (worker → API)', async () => {
    const id = await agent();
    const ev = await collect(id);
    await pool.publish(id, { type: 'customer_card', attemptId: 'x', name: 'Card Name' });
    const got = await ev.waitFor((e) => e.type === 'customer_card');
    expect(got).toMatchObject({ type: 'customer_card', attemptId: 'x', name: 'Card Name', agentId: id });
    await ev.off();
  });
});
