import type { ClaimedAgent } from '../../src/agents/agent-pool.js';
import type { BridgePool } from '../../src/agents/bridge.session.js';

type State = 'available' | 'ringing' | 'on_call' | 'wrap_up' | 'offline';

/**
 * An in-memory agent pool with AgentPool's semantics (claim the longest-idle available agent and
 * mark it ringing; ringing → on_call → wrap_up), for unit tests and e2e tests that script agent
 * availability. Every transition is kept in order so tests can check what the bridge did.
 */
export class MemoryAgentPool implements BridgePool {
  readonly transitions: Array<{ agentId: number; attemptId: string; from: State; to: State; reason?: string }> = [];
  readonly published: Array<{ agentId: number; event: { type: string; [k: string]: unknown } }> = [];
  private readonly agents = new Map<number, { agent: ClaimedAgent; state: State; idleSince: number }>();
  private tick = 0;

  add(agent: ClaimedAgent, state: State = 'available'): void {
    this.agents.set(agent.id, { agent, state, idleSince: ++this.tick });
  }

  state(agentId: number): State | undefined {
    return this.agents.get(agentId)?.state;
  }

  /** Back to available (what an agent does after wrap-up). */
  makeAvailable(agentId: number): void {
    const a = this.agents.get(agentId);
    if (a) {
      a.state = 'available';
      a.idleSince = ++this.tick;
    }
  }

  async claim(attemptId: string, exclude: readonly number[]): Promise<ClaimedAgent | null> {
    const free = [...this.agents.values()].filter((a) => a.state === 'available' && !exclude.includes(a.agent.id)).sort((x, y) => x.idleSince - y.idleSince);
    const pick = free[0];
    if (!pick) return null;
    this.move(pick.agent.id, attemptId, 'available', 'ringing');
    return pick.agent;
  }

  async connected(agentId: number, attemptId: string): Promise<void> {
    this.move(agentId, attemptId, 'ringing', 'on_call');
  }

  async release(agentId: number, attemptId: string, reason: string): Promise<void> {
    this.move(agentId, attemptId, 'ringing', 'available', reason);
  }

  async callEnded(agentId: number, attemptId: string): Promise<void> {
    this.move(agentId, attemptId, 'on_call', 'wrap_up');
  }

  async availableCount(): Promise<number> {
    return [...this.agents.values()].filter((a) => a.state === 'available').length;
  }

  async publish(agentId: number, event: { type: string; [k: string]: unknown }): Promise<void> {
    this.published.push({ agentId, event });
  }

  private move(agentId: number, attemptId: string, from: State, to: State, reason?: string): void {
    const a = this.agents.get(agentId);
    if (!a || a.state !== from) throw new Error(`agent ${agentId} is ${a?.state ?? 'unknown'}, not ${from}`);
    a.state = to;
    if (to === 'available') a.idleSince = ++this.tick;
    this.transitions.push({ agentId, attemptId, from, to, ...(reason ? { reason } : {}) });
  }
}
