import type { Redis } from 'ioredis';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { withTransaction, type Db, type DbClient } from '../store/db.js';
import { effectiveStatus, transition, type AgentEvent } from './agent.state.js';
import { getAgent, writeStatus, type AgentRow } from './agents.repo.js';

/** An agent's event stream in Redis: workers publish, the API process holding its SSE serves it. */
export function agentEventsChannel(prefix: string, agentId: number): string {
  return `${prefix}:agent-events:${agentId}`;
}

export type AgentStreamEvent = { type: string; [k: string]: unknown };

export async function publishAgentEvent(redis: Redis, prefix: string, agentId: number, event: AgentStreamEvent): Promise<void> {
  await redis.publish(agentEventsChannel(prefix, agentId), JSON.stringify({ ...event, agentId, at: new Date().toISOString() }));
}

/** The `state` event every change sends to the agent's stream. */
export function stateEvent(a: Pick<AgentRow, 'state' | 'pauseReason' | 'stateSince' | 'currentAttemptId' | 'wrapUpUntil'>): AgentStreamEvent {
  return {
    type: 'state',
    state: a.state,
    pauseReason: a.pauseReason,
    since: a.stateSince.toISOString(),
    attemptId: a.currentAttemptId,
    wrapUpUntil: a.wrapUpUntil?.toISOString() ?? null,
  };
}

export class AgentStateError extends ConflictError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = 'AgentStateError';
  }
}

/**
 * One state change under the row's lock: read, ask the pure state machine, write. With
 * `attemptId` the change applies only to that call (a late event about an older call must not
 * move the agent off the one it is on now).
 */
export async function changeAgentState(
  db: Db,
  agentId: number,
  event: AgentEvent,
  opts: { attemptId?: string; also?: (c: DbClient, before: AgentRow, after: AgentRow) => Promise<void> } = {},
): Promise<AgentRow> {
  return withTransaction(db, (c) => applyAgentEvent(c, agentId, event, opts));
}

/** `changeAgentState` inside the caller's transaction (a disposition ends wrap-up in its own). */
export async function applyAgentEvent(
  c: DbClient,
  agentId: number,
  event: AgentEvent,
  opts: { attemptId?: string; also?: (c: DbClient, before: AgentRow, after: AgentRow) => Promise<void> } = {},
): Promise<AgentRow> {
  const row = await getAgent(c, agentId, { forUpdate: true });
  if (!row) throw new NotFoundError('agent', agentId);
  if (opts.attemptId !== undefined && row.currentAttemptId !== opts.attemptId) {
    throw new AgentStateError('attempt_mismatch', `agent ${agentId} is not on attempt ${opts.attemptId}`, { state: row.state });
  }
  // An overdue wrap-up counts as available for everything but its own end, which must still be
  // written (a disposition saved after the deadline, before any sweep).
  const r = transition(event.type === 'wrap_up_done' ? row : effectiveStatus(row, new Date()), event);
  if (!r.ok) throw new AgentStateError(r.code, r.message, { state: row.state });
  const keepsCall = r.next.state === 'ringing' || r.next.state === 'on_call' || r.next.state === 'wrap_up';
  const after = await writeStatus(c, agentId, r.next, { attemptId: keepsCall ? row.currentAttemptId : null, callEnded: event.type === 'call_ended' });
  if (opts.also) await opts.also(c, row, after);
  return after;
}
