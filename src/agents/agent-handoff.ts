import type { Queryable } from '../store/db.js';
import { AppError } from '../shared/errors.js';
import type { CallSession } from '../dialer/call-session.js';
import type { Dialer } from '../dialer/dialer.js';
import type { AgentCallContext } from '../dialer/ports.js';
import { AgentBridge, type BridgePool, type BridgeSettings } from './bridge.session.js';
import { adoptBridgedCall, finishBridge } from './bridge.adopt.js';
import type { Logger } from '../shared/logger.js';
import { markBridged } from '../calls/attempts.repo.js';
import { insertRecording } from './recordings.repo.js';

export class AgentHandoffError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 500);
    this.name = 'AgentHandoffError';
  }
}

export interface HandoffDeps {
  db: Queryable;
  pool: BridgePool;
  settings: BridgeSettings;
  log: Logger;
}

/**
 * Plugs the agent bridge into the dialer's seam: every call handed over (digit 1, or a high-risk
 * customer after the greeting) gets its own AgentBridge driven through the dialer's ARI port.
 */
export function attachAgentHandoff(dialer: Dialer, deps: HandoffDeps): void {
  dialer.onAgentRequested = async (session: CallSession, call?: AgentCallContext) => {
    if (!call) throw new AgentHandoffError('agent_context_missing', 'the call was placed without agent context');
    const bridge = new AgentBridge(
      {
        ari: dialer.ari,
        pool: deps.pool,
        settings: deps.settings,
        store: {
          markBridged: (id, agentId, at) => markBridged(deps.db, id, agentId, at),
          insertRecording: (id, file, bytes) => insertRecording(deps.db, id, file, bytes),
        },
        alias: (channelId) => dialer.aliasChannel(channelId, session),
      },
      session,
      call,
    );
    bridge.start();
  };
  // Calls a dead worker had bridged to agents (src/agents/bridge.adopt.ts).
  const adoptDeps = {
    ari: dialer.ari,
    pool: deps.pool,
    recordingDir: deps.settings.recordingDir,
    insertRecording: (id: string, file: string, bytes: number) => insertRecording(deps.db, id, file, bytes),
  };
  dialer.onAdoptBridged = (session, bridge, agentId) => adoptBridgedCall({ ...adoptDeps, alias: (id) => dialer.aliasChannel(id, session) }, session, bridge, agentId);
  dialer.onLostBridged = (row) => finishBridge(adoptDeps, row.id, `${row.id}-bridge`, [], row.agentId, deps.log);
}
