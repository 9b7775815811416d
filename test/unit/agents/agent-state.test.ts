import { describe, expect, it } from 'vitest';
import {
  AGENT_STATES,
  effectiveStatus,
  isRoutable,
  transition,
  type AgentEvent,
  type AgentStateName,
  type AgentStatus,
} from '../../../src/agents/agent.state.js';

const until = new Date('2026-01-01T00:00:15Z');
const EVENTS: AgentEvent[] = [
  { type: 'login' },
  { type: 'logout' },
  { type: 'pause', reason: 'lunch' },
  { type: 'resume' },
  { type: 'claim' },
  { type: 'connected' },
  { type: 'release' },
  { type: 'call_ended', wrapUpUntil: until },
  { type: 'wrap_up_done' },
];

function at(state: AgentStateName): AgentStatus {
  return { state, pauseReason: state === 'paused' ? 'break' : null, wrapUpUntil: state === 'wrap_up' ? until : null };
}

// The whole table: every (state, event) pair, what it leads to or which stable code refuses it.
const TABLE: Record<AgentStateName, Record<AgentEvent['type'], AgentStateName | string>> = {
  offline: {
    login: 'available',
    logout: '!not_logged_in',
    pause: '!not_logged_in',
    resume: '!not_paused',
    claim: '!not_available',
    connected: '!not_ringing',
    release: '!not_ringing',
    call_ended: '!not_on_call',
    wrap_up_done: '!not_in_wrap_up',
  },
  available: {
    login: '!already_logged_in',
    logout: 'offline',
    pause: 'paused',
    resume: '!not_paused',
    claim: 'ringing',
    connected: '!not_ringing',
    release: '!not_ringing',
    call_ended: '!not_on_call',
    wrap_up_done: '!not_in_wrap_up',
  },
  ringing: {
    login: '!already_logged_in',
    logout: '!agent_busy',
    pause: '!agent_busy',
    resume: '!not_paused',
    claim: '!not_available',
    connected: 'on_call',
    release: 'available',
    call_ended: '!not_on_call',
    wrap_up_done: '!not_in_wrap_up',
  },
  on_call: {
    login: '!already_logged_in',
    logout: '!agent_busy',
    pause: '!agent_busy',
    resume: '!not_paused',
    claim: '!not_available',
    connected: '!not_ringing',
    release: '!not_ringing',
    call_ended: 'wrap_up',
    wrap_up_done: '!not_in_wrap_up',
  },
  wrap_up: {
    login: '!already_logged_in',
    logout: 'offline',
    pause: 'paused',
    resume: '!not_paused',
    claim: '!not_available',
    connected: '!not_ringing',
    release: '!not_ringing',
    call_ended: '!not_on_call',
    wrap_up_done: 'available',
  },
  paused: {
    login: '!already_logged_in',
    logout: 'offline',
    pause: '!already_paused',
    resume: 'available',
    claim: '!not_available',
    connected: '!not_ringing',
    release: '!not_ringing',
    call_ended: '!not_on_call',
    wrap_up_done: '!not_in_wrap_up',
  },
};

describe('agent state machine', () => {
  for (const state of AGENT_STATES) {
    for (const event of EVENTS) {
      const expected = TABLE[state][event.type];
      it(`${state} + ${event.type} → ${expected}`, () => {
        const r = transition(at(state), event);
        if (expected.startsWith('!')) {
          expect(r).toMatchObject({ ok: false, code: expected.slice(1) });
        } else {
          expect(r.ok).toBe(true);
          if (r.ok) expect(r.next.state).toBe(expected);
        }
      });
    }
  }

  it('pause keeps its reason; leaving pause clears it', () => {
    const p = transition(at('available'), { type: 'pause', reason: 'training' });
    expect(p).toEqual({ ok: true, next: { state: 'paused', pauseReason: 'training', wrapUpUntil: null } });
    const r = transition(at('paused'), { type: 'resume' });
    expect(r).toEqual({ ok: true, next: { state: 'available', pauseReason: null, wrapUpUntil: null } });
  });

  it('call_ended carries the wrap-up deadline; leaving wrap-up clears it', () => {
    const r = transition(at('on_call'), { type: 'call_ended', wrapUpUntil: until });
    expect(r).toEqual({ ok: true, next: { state: 'wrap_up', pauseReason: null, wrapUpUntil: until } });
    expect(transition(at('wrap_up'), { type: 'wrap_up_done' })).toEqual({ ok: true, next: { state: 'available', pauseReason: null, wrapUpUntil: null } });
  });

  it('a wrap-up past its deadline counts as available; before it, it does not', () => {
    expect(effectiveStatus(at('wrap_up'), new Date(until.getTime() - 1)).state).toBe('wrap_up');
    expect(effectiveStatus(at('wrap_up'), until).state).toBe('available');
    expect(effectiveStatus(at('paused'), new Date(until.getTime() + 60_000)).state).toBe('paused');
  });

  it('routable only when registered, logged in, not deleted and (effectively) available', () => {
    const now = new Date(until.getTime() + 1);
    const base = { ...at('available'), registered: true, loggedIn: true, deleted: false };
    expect(isRoutable(base, now)).toBe(true);
    expect(isRoutable({ ...base, registered: false }, now)).toBe(false);
    expect(isRoutable({ ...base, loggedIn: false }, now)).toBe(false);
    expect(isRoutable({ ...base, deleted: true }, now)).toBe(false);
    expect(isRoutable({ ...base, ...at('paused') }, now)).toBe(false);
    expect(isRoutable({ ...base, ...at('wrap_up') }, now)).toBe(true);
    expect(isRoutable({ ...base, ...at('wrap_up') }, new Date(until.getTime() - 1))).toBe(false);
  });
});
