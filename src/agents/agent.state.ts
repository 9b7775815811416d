/**
 * An agent's working state as pure functions: the API (login, pause...) and the pool (claim,
 * connected...) both ask `transition` first, then write the answer with a conditional UPDATE
 * on the state they read, so a concurrent change makes the write miss instead of corrupting.
 */
export const AGENT_STATES = ['offline', 'available', 'ringing', 'on_call', 'wrap_up', 'paused'] as const;
export type AgentStateName = (typeof AGENT_STATES)[number];

export interface AgentStatus {
  state: AgentStateName;
  pauseReason: string | null;
  /** Set while in wrap-up: it ends here unless a disposition ends it first. */
  wrapUpUntil: Date | null;
}

export type AgentEvent =
  | { type: 'login' }
  | { type: 'logout' }
  | { type: 'pause'; reason: string }
  | { type: 'resume' }
  /** The pool offers the agent a call (its phone rings). */
  | { type: 'claim' }
  | { type: 'connected' }
  /** The agent did not answer, or the customer left while it rang. */
  | { type: 'release' }
  | { type: 'call_ended'; wrapUpUntil: Date }
  /** Wrap-up time is over, or a disposition was saved. */
  | { type: 'wrap_up_done' };

/** Stable codes: the API answers 409 with them. */
export type TransitionRefusal =
  'already_logged_in' | 'not_logged_in' | 'agent_busy' | 'already_paused' | 'not_paused' | 'not_available' | 'not_ringing' | 'not_on_call' | 'not_in_wrap_up';

export type TransitionResult = { ok: true; next: AgentStatus } | { ok: false; code: TransitionRefusal; message: string };

const status = (state: AgentStateName, over: Partial<AgentStatus> = {}): AgentStatus => ({ state, pauseReason: null, wrapUpUntil: null, ...over });
const refuse = (code: TransitionRefusal, message: string): TransitionResult => ({ ok: false, code, message });
const BUSY: readonly AgentStateName[] = ['ringing', 'on_call'];

/**
 * Wrap-up whose time has passed counts as available: the row may not have been swept yet (a
 * crashed worker's timer), and the agent must not be stuck because of it.
 */
export function effectiveStatus(s: AgentStatus, now: Date): AgentStatus {
  if (s.state === 'wrap_up' && s.wrapUpUntil !== null && s.wrapUpUntil.getTime() <= now.getTime()) return status('available');
  return s;
}

export function transition(current: AgentStatus, event: AgentEvent): TransitionResult {
  const s = current.state;
  switch (event.type) {
    case 'login':
      return s === 'offline' ? { ok: true, next: status('available') } : refuse('already_logged_in', `agent is already logged in (${s})`);
    case 'logout':
      if (s === 'offline') return refuse('not_logged_in', 'agent is not logged in');
      if (BUSY.includes(s)) return refuse('agent_busy', `agent is ${s}; log out after the call`);
      return { ok: true, next: status('offline') };
    case 'pause': {
      if (s === 'offline') return refuse('not_logged_in', 'agent is not logged in');
      if (BUSY.includes(s)) return refuse('agent_busy', `agent is ${s}; pause after the call`);
      if (s === 'paused') return refuse('already_paused', `agent is already paused (${current.pauseReason ?? ''})`);
      return { ok: true, next: status('paused', { pauseReason: event.reason }) };
    }
    case 'resume':
      return s === 'paused' ? { ok: true, next: status('available') } : refuse('not_paused', `agent is ${s}, not paused`);
    case 'claim':
      return s === 'available' ? { ok: true, next: status('ringing') } : refuse('not_available', `agent is ${s}, not available`);
    case 'connected':
      return s === 'ringing' ? { ok: true, next: status('on_call') } : refuse('not_ringing', `agent is ${s}, not ringing`);
    case 'release':
      return s === 'ringing' ? { ok: true, next: status('available') } : refuse('not_ringing', `agent is ${s}, not ringing`);
    case 'call_ended':
      return s === 'on_call'
        ? { ok: true, next: status('wrap_up', { wrapUpUntil: event.wrapUpUntil }) }
        : refuse('not_on_call', `agent is ${s}, not on a call`);
    case 'wrap_up_done':
      return s === 'wrap_up' ? { ok: true, next: status('available') } : refuse('not_in_wrap_up', `agent is ${s}, not in wrap-up`);
  }
}

/** Calls are offered only to agents whose phone is registered, who logged in and are free. */
export function isRoutable(a: { registered: boolean; loggedIn: boolean; deleted: boolean } & AgentStatus, now: Date): boolean {
  return a.registered && a.loggedIn && !a.deleted && effectiveStatus(a, now).state === 'available';
}
