import { describe, expect, it } from 'vitest';
import { campaignProblems, canonicalZone, normalizeCampaign } from '../../../src/campaigns/campaign.validate.js';
import { ValidationError } from '../../../src/shared/errors.js';

describe('campaign validation beyond the schema', () => {
  it('accepts valid zones and windows', () => {
    expect(
      campaignProblems({ defaultTimeZone: 'Asia/Shanghai', policyOverrides: { windowStart: '08:00', windowEnd: '21:00', allowedWeekdays: [1, 2, 3] } }),
    ).toEqual([]);
    expect(campaignProblems({ defaultTimeZone: null })).toEqual([]);
    expect(campaignProblems({})).toEqual([]);
    // Across midnight is a shape the compliance check judges against the global window.
    expect(campaignProblems({ policyOverrides: { windowStart: '22:00', windowEnd: '06:00' } })).toEqual([]);
  });

  it('names every problem at once', () => {
    const p = campaignProblems({ defaultTimeZone: 'Mars/Base', policyOverrides: { windowStart: '21:00', windowEnd: '21:00', allowedWeekdays: [2, 2] } });
    expect(p.map((x) => x.code)).toEqual(['invalid_time_zone', 'empty_window', 'duplicate_weekday']);
    expect(p.map((x) => x.field)).toEqual(['defaultTimeZone', 'policyOverrides.windowEnd', 'policyOverrides.allowedWeekdays']);
  });

  it('normalizes zone spelling and throws a 422 with the first code', () => {
    expect(canonicalZone('asia/shanghai')).toBe('Asia/Shanghai');
    expect(canonicalZone('utc')).toBe('UTC');
    expect(normalizeCampaign({ defaultTimeZone: 'america/new_york' }).defaultTimeZone).toBe('America/New_York');
    try {
      normalizeCampaign({ defaultTimeZone: 'Nowhere' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).code).toBe('invalid_time_zone');
      expect((err as ValidationError).status).toBe(422);
    }
  });
});
