import { AppError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';
import type { AgentCallPlan, AgentHooks, AriPort } from '../dialer/ports.js';
import { adoptBridgedCall, finishBridge } from './bridge.adopt.js';
import { countAbandoned, markBridged } from '../calls/attempts.repo.js';
import { AgentBridge, type BridgePool, type BridgeSettings } from './bridge.session.js';
import { insertRecording } from './recordings.repo.js';
import { agentCallContext, isHighRisk, renderAgentMessages } from './agent-dialing.js';
import { highRiskLimit, type HighRiskCapacity } from './agent-pacing.js';
import type { AbandonGuard } from './abandon-guard.js';

export class AgentHandoffError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 500);
    this.name = 'AgentHandoffError';
  }
}

export interface AgentHooksDeps {
  db: Queryable;
  pool: BridgePool & { availableCount(): Promise<number> };
  settings: BridgeSettings & { pacingRatio: number; callbackDelaySeconds: number; maxCallbacks: number };
  /** High-risk calls in flight, shared by every worker (Redis). */
  capacity: HighRiskCapacity;
  /** The abandon-rate control: over-dialling (pacingRatio > 1) stops near the campaign's target. */
  abandon?: AbandonGuard;
}

/**
 * How the agents module plugs into dialing, given to the Dialer at construction: before each call
 * it renders the agent messages and holds a high-risk lease; when the customer asks for a person
 * (digit 1) or is high risk, it hands the session to its own AgentBridge; after an abandoned call
 * it says when the promised callback is due.
 */
export function createAgentHooks(deps: AgentHooksDeps): AgentHooks {
  const { pool, settings, capacity } = deps;
  return {
    async beforeCall({ campaign, contact, attemptNo, render, log }): Promise<AgentCallPlan> {
      // Abandoned now, this call would earn a callback only within the contact's allowance (callbackDelaySeconds).
      const promiseCallback = contact.abandonedCalls < settings.maxCallbacks;
      const media = await renderAgentMessages(render, { ...contact, id: contact.customerId }, contact.locale, log, promiseCallback);
      const highRisk = isHighRisk(campaign.riskThreshold, contact.riskScore);
      // High-risk calls go to an agent after the greeting: no more in flight than agents to take them.
      const member = `${campaign.id}:${contact.id}:${attemptNo}`;
      const release = () =>
        highRisk ? capacity.release(member).catch((err: unknown) => log.error({ err }, 'high-risk lease release failed')) : Promise.resolve();
      if (highRisk) {
        const available = await pool.availableCount();
        // Over-dialling only: at one line per agent or fewer there is nothing for the abandon rate to slow.
        const ratio =
          deps.abandon && settings.pacingRatio > 1
            ? (
                await deps.abandon.decide({
                  campaignId: campaign.id,
                  inFlight: await capacity.inFlight(),
                  availableAgents: available,
                  ratio: settings.pacingRatio,
                  log,
                })
              ).ratio
            : settings.pacingRatio;
        const limit = highRiskLimit(available, ratio);
        const wait = await capacity.tryAcquire(member, limit);
        if (wait > 0) {
          log.debug({ limit }, 'high-risk contact waits for agent capacity');
          return { waitMs: wait + Math.floor(Math.random() * 100) };
        }
      }
      return {
        waitMs: 0,
        agent: agentCallContext(campaign, contact, highRisk, media, highRisk ? () => void release() : undefined),
        renew: () => {
          if (highRisk) void capacity.renew(member).catch(() => undefined);
        },
        release: async () => {
          await release();
        },
      };
    },

    async handOff(session, call, via) {
      if (!call) throw new AgentHandoffError('agent_context_missing', 'the call was placed without agent context');
      const bridge = new AgentBridge(
        {
          ari: via.ari,
          pool,
          settings,
          store: {
            markBridged: (id, agentId, at) => markBridged(deps.db, id, agentId, at),
            insertRecording: (id, file, bytes) => insertRecording(deps.db, id, file, bytes),
          },
          alias: via.alias,
        },
        session,
        call,
      );
      bridge.start();
    },

    async callbackDelaySeconds(contactId) {
      // Nobody could take the customer: the promised callback, a new attempt that passes the gate again.
      return (await countAbandoned(deps.db, contactId)) <= settings.maxCallbacks ? settings.callbackDelaySeconds : null;
    },

    // Calls a dead worker had bridged to agents (bridge.adopt.ts).
    adoptBridged(session, bridge, agentId, via) {
      adoptBridgedCall({ ...recordingDeps(via.ari), alias: via.alias }, session, bridge, agentId);
    },
    lostBridged(row, ari, log) {
      return finishBridge(recordingDeps(ari), row.id, `${row.id}-bridge`, [], row.agentId, log);
    },
  };

  function recordingDeps(ari: AriPort) {
    return {
      ari,
      pool,
      recordingDir: settings.recordingDir,
      insertRecording: (id: string, file: string, bytes: number) => insertRecording(deps.db, id, file, bytes),
    };
  }
}
