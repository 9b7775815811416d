import { describe, expect, it } from 'vitest';
import {
  allowedFrom,
  CAMPAIGN_ACTIONS,
  CAMPAIGN_STATES,
  isCampaignState,
  isEditable,
  isFinal,
  targetOf,
  transition,
  type CampaignAction,
  type CampaignState,
} from '../../../src/campaigns/campaign.state.js';

// Every (state, action) pair, written out: the table the API promises.
const EXPECTED: Record<CampaignState, Record<CampaignAction, CampaignState | null>> = {
  draft: { launch: 'running', pause: null, resume: null, cancel: 'cancelled', complete: null },
  running: { launch: null, pause: 'paused', resume: null, cancel: 'cancelled', complete: 'completed' },
  paused: { launch: null, pause: null, resume: 'running', cancel: 'cancelled', complete: null },
  completed: { launch: null, pause: null, resume: null, cancel: null, complete: null },
  cancelled: { launch: null, pause: null, resume: null, cancel: null, complete: null },
};

describe('campaign state machine', () => {
  const pairs = CAMPAIGN_STATES.flatMap((s) => CAMPAIGN_ACTIONS.map((a) => [s, a] as const));

  it('covers all 25 pairs', () => {
    expect(pairs).toHaveLength(25);
  });

  it.each(pairs)('%s --%s-->', (from, action) => {
    const want = EXPECTED[from][action];
    const got = transition(from, action);
    expect(got.from).toBe(from);
    expect(got.to).toBe(targetOf(action));
    if (want === null) expect(got.ok).toBe(false);
    else expect(got).toEqual({ ok: true, from, to: want });
    expect(allowedFrom(action).includes(from)).toBe(want !== null);
  });

  it('never leaves a final state and only draft is editable', () => {
    for (const s of CAMPAIGN_STATES) {
      expect(isEditable(s)).toBe(s === 'draft');
      expect(isFinal(s)).toBe(s === 'completed' || s === 'cancelled');
      if (isFinal(s)) expect(CAMPAIGN_ACTIONS.some((a) => transition(s, a).ok)).toBe(false);
    }
  });

  it('recognises states', () => {
    expect(isCampaignState('running')).toBe(true);
    expect(isCampaignState('archived')).toBe(false);
    expect(isCampaignState(3)).toBe(false);
  });
});
