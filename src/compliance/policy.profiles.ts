import { ValidationError } from '../shared/errors.js';
import type { Policy } from './policy.types.js';

const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7] as const;

/** One profile: its policy and, for each number in it, the rule it comes from. */
export interface ProfileDefinition {
  readonly policy: Policy;
  readonly sources: Readonly<Partial<Record<keyof Policy, string>>>;
}

const CBA_2026 = 'China Banking Association, guideline on personal-loan collection (2026)';
const NIFA = 'NIFA (National Internet Finance Association of China) collection guideline, and the 2025 national standard on debt collection';
const REGF = 'US CFPB Regulation F, 12 CFR part 1006';
const ABANDON =
  'FCC 47 CFR 64.1200(a)(7)(i): at most 3% of the calls answered by a live person abandoned (not connected to a live representative within 2 s of the completed greeting), measured over 30 days per campaign; Ofcom (UK) persistent misuse policy: 3% per 24 hours per campaign';

/**
 * Named starting points for the global policy. Each number says where it comes from (also in
 * the README's Compliance section and docs/compliance.md). Neither source forbids weekends or
 * public holidays, so both profiles call on them unless the admin turns `observeHolidays` on or
 * narrows `allowedWeekdays`. Counting is stricter than the sources where they differ: every
 * attempt counts, answered or not, per customer across campaigns and numbers.
 */
export const PROFILE_DEFINITIONS: Readonly<Record<string, ProfileDefinition>> = Object.freeze({
  'cn-bank': Object.freeze({
    policy: Object.freeze({
      windowStart: '08:00',
      windowEnd: '22:00',
      allowedWeekdays: EVERY_DAY,
      observeHolidays: false,
      makeupWorkdays: 'call',
      voicemail: 'hang_up',
      holidayCountry: null,
      maxAttemptsPerDay: 6,
      maxConnectedPerDay: 3,
      maxAttemptsInRollingDays: null,
      cooldownAfterConversationDays: null,
      minGapMinutes: null,
      maxAttemptsPerContact: null,
      maxAbandonRate: 0.03,
    }),
    sources: Object.freeze({
      windowStart: `${CBA_2026}: no collection calls 22:00-08:00 local`,
      windowEnd: `${CBA_2026}: no collection calls 22:00-08:00 local`,
      maxAttemptsPerDay: `${CBA_2026}: at most 6 unanswered attempts a day per contact (ringwise counts every attempt, answered or not: stricter)`,
      maxConnectedPerDay: `${NIFA}: at most 3 connected calls a day per debtor`,
      makeupWorkdays: 'State Council holiday notices (调休): a make-up working day is a working day',
      voicemail: 'no source permits a message to a machine that a third party may hear (disclosure of the debt): hang up',
      maxAbandonRate: `no Chinese rule sets an abandon rate; the common 3% of ${ABANDON}`,
    }),
  }),
  'us-regf': Object.freeze({
    policy: Object.freeze({
      windowStart: '08:00',
      windowEnd: '21:00',
      allowedWeekdays: EVERY_DAY,
      observeHolidays: false,
      makeupWorkdays: 'by_weekday',
      voicemail: 'limited_content',
      holidayCountry: null,
      maxAttemptsPerDay: null,
      maxConnectedPerDay: null,
      maxAttemptsInRollingDays: Object.freeze({ count: 7, days: 7 }),
      cooldownAfterConversationDays: 7,
      minGapMinutes: null,
      maxAttemptsPerContact: null,
      maxAbandonRate: 0.03,
    }),
    sources: Object.freeze({
      windowStart: `${REGF} §1006.6(b)(1)(i): before 8:00 a.m. local time is inconvenient`,
      windowEnd: `${REGF} §1006.6(b)(1)(i): after 9:00 p.m. local time is inconvenient`,
      maxAttemptsInRollingDays: `${REGF} §1006.14(b)(2)(i)(A): more than 7 calls within 7 consecutive days`,
      cooldownAfterConversationDays: `${REGF} §1006.14(b)(2)(i)(B): within 7 days after a telephone conversation`,
      voicemail: `${REGF} §1006.2(j): a limited-content message (consumer's name, a request to reply, a person to contact, a telephone number; nothing about a debt) is not a communication`,
      maxAbandonRate: `${ABANDON} (the FCC rule binds telemarketing calls; collection calls follow it as the industry's practice)`,
    }),
  }),
});

export const PROFILES: Readonly<Record<string, Policy>> = Object.freeze(
  Object.fromEntries(Object.entries(PROFILE_DEFINITIONS).map(([name, d]) => [name, d.policy])),
);

export const DEFAULT_PROFILE = 'cn-bank';

export function profileNames(): string[] {
  return Object.keys(PROFILES);
}

export function getProfile(name: string): Policy {
  const p = PROFILES[name];
  if (!p) throw new ValidationError(`unknown policy profile "${name}"`, { profile: name, known: profileNames() }, 'unknown_policy_profile');
  return p;
}

/** The sources of a profile's numbers (field → citation). */
export function profileSources(name: string): Readonly<Partial<Record<keyof Policy, string>>> {
  getProfile(name);
  return PROFILE_DEFINITIONS[name]!.sources;
}
