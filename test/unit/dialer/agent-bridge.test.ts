import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { Dialer } from '../../../src/dialer/dialer.js';
import type { AgentCallContext, OriginateParams } from '../../../src/dialer/ports.js';
import type { Db } from '../../../src/store/db.js';
import { createAgentHooks } from '../../../src/agents/agent-hooks.js';
import type { HighRiskCapacity } from '../../../src/agents/agent-pacing.js';
import { MemoryAgentPool } from '../../helpers/memory-agent-pool.js';
import { FakeAri } from './fake-ari.js';

const log = pino({ level: 'silent' });
const ID = 'att-1';

function agentContext(over: Partial<AgentCallContext> = {}): AgentCallContext {
  return {
    highRisk: false,
    displayName: 'Wang Xiaoming 3200CNY 12d',
    callerNumber: '+8695500',
    card: { customerId: 7, name: 'Wang Xiaoming', amountDue: '3200.00', currency: 'CNY', daysPastDue: 12, riskScore: 80, campaignId: 3 },
    media: { connecting: ['sound:connecting'], abandoned: ['sound:sorry-callback'] },
    ...over,
  };
}

function setup(o: { agents?: number; waitSeconds?: number } = {}) {
  const ari = new FakeAri();
  const queries: Array<{ sql: string; params: unknown[] }> = [];
  const db = {
    query: vi.fn(async (sql: string, params: unknown[] = []) => {
      queries.push({ sql, params });
      return { rowCount: 1, rows: [] };
    }),
  } as unknown as Db;
  const pool = new MemoryAgentPool();
  for (let i = 1; i <= (o.agents ?? 2); i++) pool.add({ id: i, sipUsername: `agent-${i}`, name: `Agent ${i}` });
  const recordingDir = mkdtempSync(join(tmpdir(), 'rw-rec-'));
  // The hand-off only: these calls are placed with their agent context already built.
  const capacity: HighRiskCapacity = { tryAcquire: async () => 0, release: async () => undefined, renew: async () => undefined, inFlight: async () => 0 };
  const settings = {
    ringSeconds: 10,
    waitSeconds: o.waitSeconds ?? 0,
    maxHoldSeconds: 30,
    recordingDir,
    pacingRatio: 1,
    callbackDelaySeconds: 60,
    maxCallbacks: 1,
  };
  const hooks = createAgentHooks({ db, pool, settings, capacity });
  const dialer = new Dialer(ari, db, log, { dialTemplate: 'PJSIP/{number}@carrier', ringTimeoutSeconds: 20, menuTimeoutSeconds: 2, workerId: 'w1' }, hooks);
  ari.channels.add(ID);
  const place = (agent: AgentCallContext, media = ['sound:greeting', 'sound:menu']) =>
    dialer.placeCall({
      attemptId: ID,
      phone: '+8613800000001',
      customerId: '7',
      callerId: '+8695500',
      media,
      promptVersion: 'v1',
      amd: { enabled: false, machineAction: 'hangup' },
      agent,
      log,
    });
  const customer = (type: string, extra: Record<string, unknown> = {}) => ari.emit({ type, channel: { id: ID, state: 'Up' }, ...extra });
  const finishPlayback = (id = ari.lastPlaybackId()) => ari.emit({ type: 'PlaybackFinished', playback: { id, target_uri: `channel:${ID}`, state: 'done' } });
  // Agent legs only (the customer's own leg is an originate too).
  const originates = () =>
    ari.calls
      .filter((c) => c.op === 'originate')
      .map((c) => c.args[0] as OriginateParams)
      .filter((p) => p.appArgs === 'agent');
  /** Answers the call and presses 1 once the prompt plays. */
  const answerAndPress1 = async () => {
    await vi.waitFor(() => expect(ari.ops()).toContain('originate'));
    ari.answer(ID);
    await vi.waitFor(() => expect(ari.ops()).toContain('play'));
    customer('ChannelDtmfReceived', { digit: '1' });
  };
  /** Digit 1, and agent 1 answers: the call is bridged. */
  const bridged = async () => {
    await answerAndPress1();
    await vi.waitFor(() => expect(originates()).toHaveLength(1));
    const leg = originates()[0]!.channelId;
    ari.emit({ type: 'StasisStart', channel: { id: leg, state: 'Up' }, args: ['agent'] });
    await vi.waitFor(() => expect(ari.ops()).toContain('recordBridge'));
    return leg;
  };
  return { ari, dialer, queries, pool, place, customer, finishPlayback, originates, answerAndPress1, bridged, recordingDir };
}

describe('agent bridge (fake ARI, in-memory pool)', () => {
  it('digit 1: connecting prompt, music on hold, the agent rings with the customer as caller-id name, one mixing bridge, recorded; customer hangs up → both end, wrap-up', async () => {
    const t = setup();
    const done = t.place(agentContext());
    await t.answerAndPress1();
    await vi.waitFor(() => expect(t.originates()).toHaveLength(1));
    expect(t.ari.calls.find((c) => c.op === 'play' && (c.args[1] as string[])[0] === 'sound:connecting')).toBeDefined();
    const leg = t.originates()[0]!;
    expect(leg).toMatchObject({ endpoint: 'PJSIP/agent-1', callerId: '"Wang Xiaoming 3200CNY 12d" <+8695500>', timeoutSeconds: 10 });
    t.finishPlayback();
    expect(t.ari.ops()).toContain('startMoh');
    expect(t.pool.state(1)).toBe('ringing');

    t.ari.emit({ type: 'StasisStart', channel: { id: leg.channelId, state: 'Up' }, args: ['agent'] });
    await vi.waitFor(() => expect(t.ari.ops()).toContain('recordBridge'));
    expect(t.ari.calls).toContainEqual({ op: 'createBridge', args: [`${ID}-bridge`, 'mixing'] });
    expect(t.ari.calls).toContainEqual({ op: 'addToBridge', args: [`${ID}-bridge`, [ID, leg.channelId]] });
    expect(t.ari.calls).toContainEqual({ op: 'recordBridge', args: [`${ID}-bridge`, ID] });
    expect(t.ari.calls).toContainEqual({ op: 'stopMoh', args: [ID] });
    expect(t.pool.state(1)).toBe('on_call');
    expect(t.pool.published).toEqual([
      { agentId: 1, event: expect.objectContaining({ type: 'customer_card', attemptId: ID, name: 'Wang Xiaoming', riskScore: 80 }) },
    ]);
    expect(t.queries.find((q) => q.sql.includes('SET agent_id'))?.params.slice(0, 2)).toEqual([ID, 1]);

    writeFileSync(join(t.recordingDir, `${ID}.wav`), Buffer.alloc(4096));
    t.customer('ChannelDestroyed', { cause: 16 });
    await vi.waitFor(() => expect(t.ari.calls).toContainEqual({ op: 'hangup', args: [leg.channelId] }));
    t.ari.emit({ type: 'ChannelDestroyed', channel: { id: leg.channelId }, cause: 16 });
    // The recording is stopped while the bridge still exists; the bridge goes once it finished.
    await vi.waitFor(() => expect(t.ari.calls).toContainEqual({ op: 'stopRecording', args: [ID] }));
    expect(t.ari.ops()).not.toContain('destroyBridge');
    t.ari.emit({ type: 'RecordingFinished', recording: { name: ID, target_uri: `bridge:${ID}-bridge`, state: 'done' } });
    const r = await done;
    expect(t.ari.ops()).toContain('destroyBridge');
    expect(r.outcome).toBe('answered_human');
    expect(t.pool.state(1)).toBe('wrap_up');
    expect(t.queries.find((q) => q.sql.includes('INSERT INTO recordings'))?.params).toEqual([ID, `${ID}.wav`, 4096]);
    expect(t.queries.find((q) => q.sql.includes("state = 'ended'"))?.params[1]).toBe('answered_human');
  });

  it('high risk: only the greeting plays, then the call goes to an agent without a menu', async () => {
    const t = setup();
    void t.place(agentContext({ highRisk: true }));
    await vi.waitFor(() => expect(t.ari.ops()).toContain('originate'));
    t.ari.answer(ID);
    await vi.waitFor(() => expect(t.ari.ops()).toContain('play'));
    expect(t.ari.calls.find((c) => c.op === 'play')?.args[1]).toEqual(['sound:greeting']);
    t.finishPlayback();
    await vi.waitFor(() => expect(t.originates()).toHaveLength(1));
    t.customer('ChannelDestroyed', { cause: 16 });
  });

  it('an agent who does not answer is released and the next one rings (the first is not tried again)', async () => {
    const t = setup();
    const done = t.place(agentContext());
    await t.answerAndPress1();
    await vi.waitFor(() => expect(t.originates()).toHaveLength(1));
    const first = t.originates()[0]!;
    t.ari.emit({ type: 'ChannelDestroyed', channel: { id: first.channelId }, cause: 19, tech_cause: 480 });
    await vi.waitFor(() => expect(t.originates()).toHaveLength(2));
    expect(t.originates()[1]!.endpoint).toBe('PJSIP/agent-2');
    expect(t.pool.transitions.filter((x) => x.agentId === 1).map((x) => `${x.to}${x.reason ? `:${x.reason}` : ''}`)).toEqual([
      'ringing',
      'available:no_answer',
    ]);
    t.ari.emit({ type: 'StasisStart', channel: { id: t.originates()[1]!.channelId, state: 'Up' }, args: ['agent'] });
    await vi.waitFor(() => expect(t.pool.state(2)).toBe('on_call'));
    // The agent hangs up first: the customer is hung up too.
    t.ari.emit({ type: 'ChannelDestroyed', channel: { id: t.originates()[1]!.channelId }, cause: 16 });
    await vi.waitFor(() => expect(t.ari.calls).toContainEqual({ op: 'hangup', args: [ID] }));
    t.customer('ChannelDestroyed', { cause: 16 });
    t.ari.emit({ type: 'RecordingFinished', recording: { name: ID, target_uri: `bridge:${ID}-bridge` } });
    expect((await done).outcome).toBe('answered_human');
    expect(t.pool.state(2)).toBe('wrap_up');
  });

  it('no agent free within the wait: the callback message plays, then we hang up; outcome abandoned', async () => {
    const t = setup({ agents: 0 });
    const done = t.place(agentContext());
    await t.answerAndPress1();
    await vi.waitFor(() => expect(t.ari.calls.some((c) => c.op === 'play' && (c.args[1] as string[])[0] === 'sound:sorry-callback')).toBe(true));
    expect(t.originates()).toHaveLength(0);
    t.finishPlayback();
    await vi.waitFor(() => expect(t.ari.calls).toContainEqual({ op: 'hangup', args: [ID] }));
    t.customer('ChannelDestroyed', { cause: 16 });
    const r = await done;
    expect(r.outcome).toBe('abandoned');
    expect(t.queries.find((q) => q.sql.includes("state = 'ended'"))?.params.slice(1, 2)).toEqual(['abandoned']);
  });

  it('the customer hangs up while the agent rings: the leg is cancelled, the agent released, outcome abandoned', async () => {
    const t = setup();
    const done = t.place(agentContext());
    await t.answerAndPress1();
    await vi.waitFor(() => expect(t.originates()).toHaveLength(1));
    const leg = t.originates()[0]!;
    t.customer('ChannelDestroyed', { cause: 16 });
    const r = await done;
    expect(r.outcome).toBe('abandoned');
    expect(t.ari.calls).toContainEqual({ op: 'hangup', args: [leg.channelId] });
    expect(t.pool.state(1)).toBe('available');
    expect(t.pool.transitions.at(-1)).toMatchObject({ agentId: 1, to: 'available', reason: 'customer_gone' });
  });

  it('shutdown (drain deadline) hangs up a call that is with an agent, and the agent leg with it', async () => {
    const t = setup();
    const done = t.place(agentContext());
    const leg = await t.bridged();
    t.ari.emit({ type: 'RecordingFinished', recording: { name: ID, target_uri: `bridge:${ID}-bridge` } });
    void t.dialer.drain(0);
    await vi.waitFor(() => expect(t.ari.calls).toContainEqual({ op: 'hangup', args: [ID] }));
    t.customer('ChannelDestroyed', { cause: 16 });
    await vi.waitFor(() => expect(t.ari.calls).toContainEqual({ op: 'hangup', args: [leg] }));
    expect((await done).outcome).toBe('answered_human');
    expect(t.pool.state(1)).toBe('wrap_up');
  });

  it('a bridged call whose channels vanished during an ARI outage: the agent leg is hung up and the agent freed', async () => {
    const t = setup();
    const done = t.place(agentContext());
    const leg = await t.bridged();
    t.ari.emit({ type: 'RecordingFinished', recording: { name: ID, target_uri: `bridge:${ID}-bridge` } });
    t.ari.setConnected(false);
    t.ari.channels.delete(ID);
    t.ari.setConnected(true);
    const r = await done;
    expect(r.facts.endReason).toBe('lost');
    expect(r.outcome).toBe('answered_human');
    expect(t.ari.calls).toContainEqual({ op: 'hangup', args: [leg] });
    expect(t.pool.state(1)).toBe('wrap_up');
  });

  it('the customer hangs up while no agent is free yet (still within the wait): abandoned, nobody rung', async () => {
    const t = setup({ agents: 0, waitSeconds: 60 });
    const done = t.place(agentContext());
    await t.answerAndPress1();
    await vi.waitFor(() => expect(t.ari.calls.some((c) => c.op === 'play' && (c.args[1] as string[])[0] === 'sound:connecting')).toBe(true));
    t.customer('ChannelDestroyed', { cause: 16 });
    const r = await done;
    expect(r.outcome).toBe('abandoned');
    expect(t.originates()).toHaveLength(0);
    expect(t.ari.calls.some((c) => c.op === 'play' && (c.args[1] as string[])[0] === 'sound:sorry-callback')).toBe(false);
  });

  it('the customer leaves while the agent leg is still being originated: the leg is hung up once it exists', async () => {
    const t = setup();
    let created!: () => void;
    const original = t.ari.originate.bind(t.ari);
    // Only the agent leg's originate is held back; the customer's own goes through.
    t.ari.originate = async (p) => {
      if (p.appArgs === 'agent') await new Promise<void>((r) => (created = r));
      return original(p);
    };
    const done = t.place(agentContext());
    await t.answerAndPress1();
    await vi.waitFor(() => expect(created).toBeTypeOf('function'));
    t.customer('ChannelDestroyed', { cause: 16 });
    expect((await done).outcome).toBe('abandoned');
    created();
    await vi.waitFor(() => expect(t.ari.calls.filter((c) => c.op === 'hangup' && c.args[0] === `${ID}-a1`)).toHaveLength(2));
    expect(t.pool.state(1)).toBe('available');
  });

  it('a call a dead worker had bridged stays bridged when adopted; either side hanging up ends both, with the recording row from disk and the agent in wrap-up', async () => {
    const t = setup();
    // The agent (1) was on this call when the worker died: the pool says so.
    await t.pool.claim(ID, []);
    await t.pool.connected(1, ID);
    writeFileSync(join(t.recordingDir, `${ID}.wav`), Buffer.alloc(1234));
    t.ari.bridges.set(`${ID}-bridge`, [ID, `${ID}-a1`]);
    t.ari.channels.add(`${ID}-a1`);
    const done = t.dialer.adoptCall(
      {
        attemptId: ID,
        phone: '+8613800000001',
        customerId: '7',
        callerId: null,
        media: ['sound:greeting'],
        promptVersion: 'v1',
        amd: { enabled: false, machineAction: 'hangup' },
        agent: agentContext(),
        log,
      },
      { state: 'Up', inStasis: true, inAmd: false, stasisApp: t.ari.app, originatedAt: null, answeredAt: null, promptHeard: true, agentId: 1 },
    );
    await new Promise((r) => setTimeout(r, 20));
    // Nothing played, nothing hung up: the customer is still talking to the agent.
    expect(t.ari.ops()).not.toContain('play');
    expect(t.ari.ops()).not.toContain('hangup');
    // The agent hangs up: the customer's leg is hung up too.
    t.ari.emit({ type: 'ChannelDestroyed', channel: { id: `${ID}-a1` }, cause: 16 });
    await vi.waitFor(() => expect(t.ari.calls).toContainEqual({ op: 'hangup', args: [ID] }));
    t.customer('ChannelDestroyed', { cause: 16 });
    const r = await done;
    expect(r.outcome).toBe('answered_human');
    await vi.waitFor(() => expect(t.queries.some((q) => q.sql.includes('INSERT INTO recordings') && q.params[2] === 1234)).toBe(true), { timeout: 4_000 });
    expect(t.ari.calls).toContainEqual({ op: 'destroyBridge', args: [`${ID}-bridge`] });
    expect(t.pool.state(1)).toBe('wrap_up');
  });
});
