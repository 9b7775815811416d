import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.js';
import { agentEventsChannel, type AgentStreamEvent } from './agent.service.js';

type Listener = (event: AgentStreamEvent) => void;

export interface AgentEventHub {
  /** Resolves once Redis confirmed the subscription (events published after that are seen). */
  subscribe(agentId: number, listener: Listener): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * One Redis subscriber connection per API process, shared by every open SSE stream: a
 * connection per stream would cost Redis a client per agent tab. Channels are subscribed while
 * at least one stream of that agent is open.
 */
export function createAgentEventHub(redis: Redis, prefix: string, log: Logger): AgentEventHub {
  let sub: Redis | undefined;
  const listeners = new Map<string, Set<Listener>>();

  const connection = (): Redis => {
    if (!sub) {
      sub = redis.duplicate();
      sub.on('error', (err) => log.warn({ err }, 'agent events subscriber error'));
      sub.on('message', (channel: string, message: string) => {
        const set = listeners.get(channel);
        if (!set) return;
        let event: AgentStreamEvent;
        try {
          event = JSON.parse(message) as AgentStreamEvent;
        } catch {
          log.warn({ channel }, 'agent event is not JSON');
          return;
        }
        for (const l of [...set]) l(event);
      });
    }
    return sub;
  };

  return {
    async subscribe(agentId, listener) {
      const channel = agentEventsChannel(prefix, agentId);
      let set = listeners.get(channel);
      const first = !set;
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
      }
      set.add(listener);
      if (first) await connection().subscribe(channel);
      return async () => {
        const s = listeners.get(channel);
        if (!s) return;
        s.delete(listener);
        if (s.size === 0) {
          listeners.delete(channel);
          await sub?.unsubscribe(channel).catch(() => undefined);
        }
      };
    },
    async close() {
      listeners.clear();
      if (sub) {
        const s = sub;
        sub = undefined;
        await s.quit().catch(() => s.disconnect());
      }
    },
  };
}
