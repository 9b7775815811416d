import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../shared/logger.js';
import type { AriEvent, AriPort } from '../dialer/ports.js';
import type { BridgePool, HandedOverSession } from './bridge.types.js';

/**
 * Calls that were with an agent when the worker that bridged them died. Asterisk keeps the
 * bridge (and its recording) running without us: the customer and the agent go on talking.
 * - adopted (both still up): the new session watches the bridge; either side hanging up ends
 *   both, the recording gets its row from the file on disk, the agent goes to wrap-up;
 * - lost (the customer is gone): what is left is hung up, the bridge destroyed, and the
 *   recording still gets its row, so it can be downloaded and pruned like any other.
 */
export interface AdoptBridgeDeps {
  ari: AriPort;
  pool: Pick<BridgePool, 'callEnded'>;
  recordingDir: string;
  insertRecording(attemptId: string, fileName: string, bytes: number): Promise<void>;
  /** Routes the agent leg's and the bridge's events to the session. */
  alias(id: string): void;
}

const RECORDING_SETTLE_MS = 1_000;

export function adoptBridgedCall(deps: AdoptBridgeDeps, session: HandedOverSession, bridge: { id: string; channels: string[] }, agentId: number | null): void {
  const id = session.attemptId;
  const legs = bridge.channels.filter((c) => c !== id);
  for (const leg of legs) deps.alias(leg);
  deps.alias(bridge.id);
  session.facts.agent = 'bridged';
  session.facts.endReason ??= 'agent_requested';
  let resolveAfter!: () => void;
  const afterwork = new Promise<void>((r) => (resolveAfter = r));
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    void finishBridge(deps, id, bridge.id, [...legs, id], agentId, session.log).finally(resolveAfter);
  };
  session.handOver((e: AriEvent) => {
    if (e.type !== 'ChannelDestroyed' && e.type !== 'ChannelHangupRequest') return;
    // Either side hanging up ends both.
    if (e.channel?.id === id || (e.channel && legs.includes(e.channel.id))) end();
  }, afterwork);
  session.log.warn({ bridge: bridge.id, legs: legs.length, agentId }, 'adopted a call bridged to an agent');
}

/** Hangs up what is left, ends the recording, writes its row, frees the agent. Never throws. */
export async function finishBridge(
  deps: Omit<AdoptBridgeDeps, 'alias'>,
  attemptId: string,
  bridgeId: string,
  channels: string[],
  agentId: number | null,
  log: Logger,
): Promise<void> {
  for (const ch of channels) await deps.ari.hangup(ch).catch(() => undefined);
  await deps.ari.stopRecording(attemptId).catch(() => undefined);
  await new Promise((r) => setTimeout(r, RECORDING_SETTLE_MS));
  await deps.ari.destroyBridge(bridgeId).catch(() => undefined);
  const file = `${attemptId}.wav`;
  try {
    const { size } = await stat(join(deps.recordingDir, file));
    await deps.insertRecording(attemptId, file, size);
    log.info({ file, bytes: size }, 'recording of an adopted or lost agent call saved');
  } catch (err) {
    log.warn({ err, file }, 'no recording saved for the agent call');
  }
  if (agentId !== null) await deps.pool.callEnded(agentId, attemptId).catch((err: unknown) => log.warn({ err }, 'agent not released'));
}
