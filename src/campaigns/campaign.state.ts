/**
 * The campaign state machine, pure. The API drives launch/pause/resume/cancel; the dialer
 * drives complete. Cancelled never changes again; completed changes in one way only:
 *
 *   draft ──launch──▶ running ──pause──▶ paused
 *     │                 ▲ │ ◀──resume──┘  │
 *     │                 │ └─complete──▶ completed ──(callback owed)──▶ running
 *     └──cancel──▶ cancelled ◀──cancel──(running | paused)
 *
 * Decided (issue 13): a completed campaign goes back to running when an agent's disposition
 * asks for a callback after its last contact settled (reopenCompletedCampaign, campaign.repo.ts).
 * The callback is a promise made to a customer on a call, so it must be dialed, through the gate
 * like any attempt, and the campaign is where its settings (prompt, caller id, policy) live; it
 * completes again once that contact is settled. No client action can do this (it is not in
 * TABLE, so `transition` still refuses every action from completed), and a cancelled campaign is
 * never reopened: an operator's cancel wins over an agent's callback.
 */
export const CAMPAIGN_STATES = ['draft', 'running', 'paused', 'completed', 'cancelled'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

export const CAMPAIGN_ACTIONS = ['launch', 'pause', 'resume', 'cancel', 'complete'] as const;
export type CampaignAction = (typeof CAMPAIGN_ACTIONS)[number];

const TABLE: Record<CampaignAction, { from: readonly CampaignState[]; to: CampaignState }> = {
  launch: { from: ['draft'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  cancel: { from: ['draft', 'running', 'paused'], to: 'cancelled' },
  complete: { from: ['running'], to: 'completed' },
};

export type TransitionResult = { ok: true; from: CampaignState; to: CampaignState } | { ok: false; from: CampaignState; to: CampaignState };

/** What `action` does from `from`: the target state, or a refusal naming both ends. */
export function transition(from: CampaignState, action: CampaignAction): TransitionResult {
  const t = TABLE[action];
  return { ok: t.from.includes(from), from, to: t.to };
}

/** The states `action` may start from: the `WHERE state = ANY(...)` of a race-safe UPDATE. */
export function allowedFrom(action: CampaignAction): readonly CampaignState[] {
  return TABLE[action].from;
}

export function targetOf(action: CampaignAction): CampaignState {
  return TABLE[action].to;
}

/** Settings can change only before launch: a running campaign's contacts were judged by them. */
export function isEditable(state: CampaignState): boolean {
  return state === 'draft';
}

/** No client action leaves these states (a completed campaign may still be reopened for a callback: see above). */
export function isFinal(state: CampaignState): boolean {
  return state === 'completed' || state === 'cancelled';
}

export function isCampaignState(v: unknown): v is CampaignState {
  return typeof v === 'string' && (CAMPAIGN_STATES as readonly string[]).includes(v);
}
