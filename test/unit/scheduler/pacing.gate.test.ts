import { describe, expect, it } from 'vitest';
import { GATE_FRESH_MS, tokenThenGate } from '../../../src/scheduler/pacing.gate.js';
import type { GateDecision } from '../../../src/dialer/ports.js';
import type { TokenQueue } from '../../../src/scheduler/token-queue.js';

const limits = { maxChannels: 10, callsPerSecond: 5 };
const allow: GateDecision = { kind: 'allow', attemptId: 'a1', existing: false };

/** A clock the gate moves: each ask takes `gateMs[i]` milliseconds. */
function setup(gateMs: number[], answers: GateDecision[] = []) {
  let t = 0;
  const order: string[] = [];
  const tokens: TokenQueue = {
    wait: async () => {
      order.push('token');
    },
    waiting: () => 0,
  };
  let i = 0;
  const ask = async () => {
    order.push('gate');
    t += gateMs[Math.min(i, gateMs.length - 1)]!;
    return answers[i++] ?? allow;
  };
  return { deps: { tokens, ask, clock: () => t }, order };
}

describe('token, then gate', () => {
  it('the token comes first; a prompt gate answer is used as is', async () => {
    const s = setup([5]);
    expect(await tokenThenGate(s.deps, 'c1', limits)).toEqual(allow);
    expect(s.order).toEqual(['token', 'gate']);
  });

  it('an answer that took longer than GATE_FRESH_MS is asked again; the fresh one counts', async () => {
    const block: GateDecision = { kind: 'block', reason: 'do-not-call' };
    const s = setup([GATE_FRESH_MS + 1, 5], [allow, block]);
    expect(await tokenThenGate(s.deps, 'c1', limits)).toEqual(block);
    expect(s.order).toEqual(['token', 'gate', 'gate']);
  });

  it('a gate that is always slow is asked three times at most, and a refusal is never re-asked', async () => {
    const s = setup([GATE_FRESH_MS * 2]);
    expect((await tokenThenGate(s.deps, 'c1', limits)).kind).toBe('allow');
    expect(s.order.filter((o) => o === 'gate')).toHaveLength(3);
    const d = setup([GATE_FRESH_MS * 2], [{ kind: 'defer', until: new Date(0), reason: 'quiet hours' }]);
    expect((await tokenThenGate(d.deps, 'c1', limits)).kind).toBe('defer');
    expect(d.order).toEqual(['token', 'gate']);
  });
});
