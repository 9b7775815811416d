/**
 * Abandon-rate control for calls meant for an agent: a pure function of the campaign's rolling
 * window (calls/abandon.ts), the calls in flight and the agents free now.
 *
 * The projection is the worst case of dialling one more agent-bound call now: every call in flight
 * beyond the available agents (this one included) is abandoned, and each of them is answered by a
 * person. When that projected rate nears the target (`limitAt` × target), agent-bound calls slow
 * to one line per available agent (no over-dialling); they go back to the configured ratio only
 * once it is clearly below (`recoverAt` × target), so the pacing does not flap at the boundary.
 * A measured rate already at the target limits whatever the projection says.
 */
export interface AbandonPacingInput {
  /** The rolling window: abandoned calls and calls a person answered. */
  readonly abandoned: number;
  readonly liveAnswered: number;
  /** Agent-bound calls in flight still without an agent (dialing, ringing, greeting, waiting). */
  readonly inFlight: number;
  /** Agents available now. */
  readonly availableAgents: number;
  /** Lines per available agent when not limited (RINGWISE_AGENT_PACING_RATIO). */
  readonly ratio: number;
  /** The highest abandon rate allowed (0.03 = 3 %). */
  readonly target: number;
  /** The previous decision for this campaign (hysteresis). */
  readonly limited: boolean;
  /** Limit when the projection reaches this share of the target (default 0.8). */
  readonly limitAt?: number;
  /** Recover when it is below this share (default 0.6). */
  readonly recoverAt?: number;
}

export interface AbandonPacing {
  /** The measured rate over the window; null before anyone answered. */
  readonly rate: number | null;
  /** The rate if one more agent-bound call were dialled now at the configured ratio (worst case). */
  readonly projected: number;
  readonly limited: boolean;
  /** Lines per available agent now: min(ratio, 1) when limited, else the ratio. */
  readonly ratio: number;
  /** Agent-bound calls allowed in flight now: floor(availableAgents × ratio). */
  readonly lines: number;
}

export const DEFAULT_LIMIT_AT = 0.8;
export const DEFAULT_RECOVER_AT = 0.6;

const count = (n: number) => (Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);

/** Calls beyond the free agents if `inFlight + 1` were in flight. */
export function overflow(inFlight: number, availableAgents: number): number {
  return Math.max(0, count(inFlight) + 1 - count(availableAgents));
}

export function projectAbandonRate(i: Pick<AbandonPacingInput, 'abandoned' | 'liveAnswered' | 'inFlight' | 'availableAgents'>): number {
  const inFlight = count(i.inFlight);
  const live = Math.max(count(i.liveAnswered), count(i.abandoned));
  return (Math.min(count(i.abandoned), live) + overflow(inFlight, i.availableAgents)) / (live + inFlight + 1);
}

export function decideAbandonPacing(i: AbandonPacingInput): AbandonPacing {
  const live = count(i.liveAnswered);
  const abandoned = Math.min(count(i.abandoned), live);
  const rate = live > 0 ? abandoned / live : null;
  const projected = projectAbandonRate(i);
  const target = Math.max(0, i.target);
  const threshold = target * (i.limited ? (i.recoverAt ?? DEFAULT_RECOVER_AT) : (i.limitAt ?? DEFAULT_LIMIT_AT));
  const limited = (rate !== null && rate >= target) || projected >= threshold;
  const configured = Math.max(0, i.ratio);
  const ratio = limited ? Math.min(configured, 1) : configured;
  return { rate, projected, limited, ratio, lines: Math.max(0, Math.floor(count(i.availableAgents) * ratio + 1e-9)) };
}
