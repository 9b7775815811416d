import type { GateDecision } from '../dialer/ports.js';
import type { PaceLimits } from './pacing.js';
import type { TokenQueue } from './token-queue.js';

/** A gate answer older than this when the originate would go out is asked for again. */
export const GATE_FRESH_MS = 2_000;
/** Re-asking stops after this many answers: a gate that is always slow must not spin forever. */
const MAX_ASKS = 3;

export interface TokenGateDeps {
  tokens: TokenQueue;
  /** Asks the compliance gate as of now (reserves the attempt when it allows). */
  ask(): Promise<GateDecision>;
  clock?: () => number;
  /** Called once the token is held (the job leaves the preparing crowd, `pacing.admission.ts`). */
  onToken?: () => void;
}

/**
 * Token, then gate, then (the caller's) originate. The calls-per-second token is waited for
 * first, in the process's FIFO (`token-queue.ts`), and the gate runs only once it is held: a
 * reservation (which counts against the customer's caps) exists only when the call can go out
 * now, and the gate sees the moment the call is placed, not the moment the job started waiting
 * (quiet hours may have begun, a DNC entry may have come). The bucket is small (0.1 s), so the
 * gate's few milliseconds are all that lies between the rate and the carrier. An answer that
 * took longer than `GATE_FRESH_MS` to come (PostgreSQL queueing under load) is asked again: the
 * gate decided for a moment already past. A reservation from the first ask is re-checked by the
 * second (the gate releases it when the answer changed).
 */
export async function tokenThenGate(deps: TokenGateDeps, campaignId: string, limits: PaceLimits): Promise<GateDecision> {
  const clock = deps.clock ?? Date.now;
  await deps.tokens.wait(campaignId, limits);
  deps.onToken?.();
  let decision: GateDecision;
  let asks = 0;
  do {
    const askedAt = clock();
    decision = await deps.ask();
    asks++;
    if (decision.kind !== 'allow' || clock() - askedAt <= GATE_FRESH_MS) break;
  } while (asks < MAX_ASKS);
  return decision;
}
