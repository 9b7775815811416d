import { ValidationError } from '../shared/errors.js';
import type { Policy } from './policy.types.js';

const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7] as const;

/**
 * Named starting points for the global policy; sources are in docs/compliance.md. Neither
 * source forbids weekends or public holidays, so both profiles call on them unless the admin
 * turns `observeHolidays` on or narrows `allowedWeekdays`.
 */
export const PROFILES: Readonly<Record<string, Policy>> = Object.freeze({
  // No calls 22:00-08:00 local; ≤ 6 attempts and ≤ 3 connected calls per customer per local
  // day, counted across every campaign.
  'cn-bank': Object.freeze({
    windowStart: '08:00',
    windowEnd: '22:00',
    allowedWeekdays: EVERY_DAY,
    observeHolidays: false,
    holidayCountry: null,
    maxAttemptsPerDay: 6,
    maxConnectedPerDay: 3,
    maxAttemptsInRollingDays: null,
    cooldownAfterConversationDays: null,
    minGapMinutes: null,
    maxAttemptsPerContact: null,
  }),
  // Regulation F: 08:00-21:00 local (12 CFR 1006.6(b)(1)(i)); ≤ 7 calls in 7 consecutive days
  // and none for 7 days after a conversation (12 CFR 1006.14(b)(2)).
  'us-regf': Object.freeze({
    windowStart: '08:00',
    windowEnd: '21:00',
    allowedWeekdays: EVERY_DAY,
    observeHolidays: false,
    holidayCountry: null,
    maxAttemptsPerDay: null,
    maxConnectedPerDay: null,
    maxAttemptsInRollingDays: Object.freeze({ count: 7, days: 7 }),
    cooldownAfterConversationDays: 7,
    minGapMinutes: null,
    maxAttemptsPerContact: null,
  }),
});

export const DEFAULT_PROFILE = 'cn-bank';

export function profileNames(): string[] {
  return Object.keys(PROFILES);
}

export function getProfile(name: string): Policy {
  const p = PROFILES[name];
  if (!p) throw new ValidationError(`unknown policy profile "${name}"`, { profile: name, known: profileNames() }, 'unknown_policy_profile');
  return p;
}
