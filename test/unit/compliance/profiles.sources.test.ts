import { describe, expect, it } from 'vitest';
import { PROFILE_DEFINITIONS, profileSources } from '../../../src/compliance/policy.profiles.js';
import type { Policy } from '../../../src/compliance/policy.types.js';
import { OPEN } from './fixtures.js';

describe('profiles cite their sources', () => {
  for (const [name, def] of Object.entries(PROFILE_DEFINITIONS)) {
    it(`${name}: every restriction names the rule it comes from`, () => {
      const restricted = (Object.keys(def.policy) as Array<keyof Policy>).filter(
        (k) => JSON.stringify(def.policy[k]) !== JSON.stringify(OPEN[k]) && k !== 'makeupWorkdays',
      );
      expect(restricted.length).toBeGreaterThan(2);
      for (const k of restricted) expect(profileSources(name)[k], `${name}.${k}`).toMatch(/\w{4,}/);
    });
  }

  it('cn-bank: 08:00-22:00, 6 attempts and 3 conversations a day, from the CBA and NIFA guidelines', () => {
    const s = profileSources('cn-bank');
    expect(PROFILE_DEFINITIONS['cn-bank']!.policy).toMatchObject({ windowStart: '08:00', windowEnd: '22:00', maxAttemptsPerDay: 6, maxConnectedPerDay: 3 });
    expect(s.maxAttemptsPerDay).toMatch(/China Banking Association/);
    expect(s.maxConnectedPerDay).toMatch(/NIFA/);
  });

  it('us-regf: 08:00-21:00, 7 in 7 days, 7 days after a conversation, from Reg F', () => {
    const s = profileSources('us-regf');
    expect(s.windowEnd).toMatch(/1006\.6\(b\)\(1\)\(i\)/);
    expect(s.maxAttemptsInRollingDays).toMatch(/1006\.14\(b\)\(2\)\(i\)\(A\)/);
    expect(s.cooldownAfterConversationDays).toMatch(/1006\.14\(b\)\(2\)\(i\)\(B\)/);
  });
});
