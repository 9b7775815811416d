import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.js';
import type { Db } from '../store/db.js';
import { changeAgentState, publishAgentEvent, stateEvent } from './agent.service.js';
import { claimAgent, countRoutable, expireWrapUps, getAgent, releaseStrandedAgents } from './agents.repo.js';
import { hasDisposition } from './dispositions.repo.js';
import type { AgentCallContext } from '../dialer/ports.js';

export interface ClaimedAgent {
  id: number;
  sipUsername: string;
  name: string;
}
/** What the agent's screen shows of the customer: the call's card (dialer/ports.ts) and which attempt it is. */
export type CustomerCard = AgentCallContext['card'] & { attemptId: string };
export interface AgentPool {
  /** Longest-idle agent that is registered, logged in and available, not in `exclude`; marks it ringing for this attempt. null when none. */
  claim(attemptId: string, exclude: readonly number[]): Promise<ClaimedAgent | null>;
  /** ringing -> on_call */
  connected(agentId: number, attemptId: string): Promise<void>;
  /** ringing -> available (agent did not answer, or the customer left first) */
  release(agentId: number, attemptId: string, reason: string): Promise<void>;
  /** on_call -> wrap_up; back to available after the wrap-up time or a disposition */
  callEnded(agentId: number, attemptId: string): Promise<void>;
  /** registered + logged in + available now (for progressive pacing) */
  availableCount(): Promise<number>;
  /** pushes an event (customer card, state change) to the agent's SSE stream, across processes */
  publish(agentId: number, event: { type: string; [k: string]: unknown }): Promise<void>;
  /**
   * Ends wrap-ups whose time is over (timers of a crashed process included), and frees agents
   * left ringing or on a call that ended (a worker died mid-bridge); returns how many changed.
   */
  sweepWrapUps(): Promise<number>;
  /** Clears this process's wrap-up timers (the database keeps the truth; a sweep finishes them). */
  close(): void;
}

// The normal flow moves the agent on before its attempt ends; past this, nobody will.
const STRANDED_GRACE_SECONDS = 30;

export interface AgentPoolDeps {
  db: Db;
  redis: Redis;
  prefix: string;
  wrapUpSeconds: number;
  log: Logger;
}

/**
 * The agents as the dialer sees them, backed by PostgreSQL so every worker shares one truth.
 * State events go to Redis pub/sub so the API process serving the agent's SSE stream sees them.
 * Wrap-up ends by a timer here; `sweepWrapUps` (run periodically by the worker) and the claim
 * query itself (an expired wrap-up counts as available) cover timers lost with a process.
 */
export function createAgentPool(deps: AgentPoolDeps): AgentPool {
  const log = deps.log.child({ component: 'agent-pool' });
  const timers = new Set<NodeJS.Timeout>();
  const publish = async (agentId: number, event: { type: string; [k: string]: unknown }): Promise<void> => {
    await publishAgentEvent(deps.redis, deps.prefix, agentId, event);
  };
  // A state event that cannot be delivered must not fail the call it describes.
  const tell = (agentId: number, event: { type: string; [k: string]: unknown }): void => {
    publish(agentId, event).catch((err: unknown) => log.warn({ err, agentId }, 'agent event not published'));
  };

  const finishWrapUps = async (agentId?: number): Promise<number> => {
    const done = await expireWrapUps(deps.db, agentId);
    for (const d of done) {
      const row = await getAgent(deps.db, d.id);
      if (row) tell(d.id, { ...stateEvent(row), reason: 'wrap_up_time' });
    }
    return done.length;
  };

  return {
    async claim(attemptId, exclude) {
      const agent = await claimAgent(deps.db, attemptId, exclude);
      if (agent) {
        log.info({ agentId: agent.id, attemptId }, 'agent claimed');
        tell(agent.id, { type: 'state', state: 'ringing', pauseReason: null, since: new Date().toISOString(), attemptId, wrapUpUntil: null });
      }
      return agent;
    },
    async connected(agentId, attemptId) {
      const row = await changeAgentState(deps.db, agentId, { type: 'connected' }, { attemptId });
      tell(agentId, stateEvent(row));
    },
    async release(agentId, attemptId, reason) {
      const row = await changeAgentState(deps.db, agentId, { type: 'release' }, { attemptId });
      log.info({ agentId, attemptId, reason }, 'agent released');
      tell(agentId, { ...stateEvent(row), reason });
    },
    async callEnded(agentId, attemptId) {
      const until = new Date(Date.now() + deps.wrapUpSeconds * 1000);
      const row = await changeAgentState(deps.db, agentId, { type: 'call_ended', wrapUpUntil: until }, { attemptId });
      tell(agentId, stateEvent(row));
      // The agent saved the disposition while still talking: nothing left to wrap up.
      if (await hasDisposition(deps.db, attemptId)) {
        const done = await changeAgentState(deps.db, agentId, { type: 'wrap_up_done' }, { attemptId });
        tell(agentId, { ...stateEvent(done), reason: 'disposition' });
        return;
      }
      // A little after the deadline, so now() in PostgreSQL is past it too.
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          finishWrapUps(agentId).catch((err: unknown) => log.warn({ err, agentId }, 'wrap-up end failed'));
        },
        deps.wrapUpSeconds * 1000 + 50,
      );
      timer.unref();
      timers.add(timer);
    },
    availableCount: () => countRoutable(deps.db),
    publish,
    async sweepWrapUps() {
      const wrapped = await finishWrapUps();
      const stranded = await releaseStrandedAgents(deps.db, STRANDED_GRACE_SECONDS);
      for (const a of stranded) {
        log.warn({ agentId: a.id, attemptId: a.attemptId }, 'agent freed: its call ended without the bridge telling the pool');
        const row = await getAgent(deps.db, a.id);
        if (row) tell(a.id, { ...stateEvent(row), reason: 'call_lost' });
      }
      return wrapped + stranded.length;
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
