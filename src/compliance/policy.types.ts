/**
 * The compliance policy and the decision it yields. Everything here is data: the rules live in
 * `decide.ts`, the profiles in `policy.profiles.ts`, strictness checks in `policy.merge.ts`.
 */

export const MAKEUP_WORKDAYS = ['call', 'no_call', 'by_weekday'] as const;
export const VOICEMAIL_MODES = ['limited_content', 'hang_up'] as const;
export type VoicemailMode = (typeof VOICEMAIL_MODES)[number];
export type MakeupWorkdays = (typeof MAKEUP_WORKDAYS)[number];

/** ISO weekday as luxon numbers it: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface RollingCap {
  /** At most `count` attempts … */
  readonly count: number;
  /** … in any `days` consecutive days (both 24-hour spans and local calendar days count). */
  readonly days: number;
}

export interface Policy {
  /** Local wall-clock "HH:mm" the calling window opens (inclusive). */
  readonly windowStart: string;
  /** Local "HH:mm" it closes (exclusive); "24:00" is midnight. Earlier than start = crosses midnight. */
  readonly windowEnd: string;
  /** Local weekdays calls may be placed on (judged by the local date of the instant). */
  readonly allowedWeekdays: readonly Weekday[];
  readonly observeHolidays: boolean;
  /**
   * A make-up working day (China's 调休: a Saturday or Sunday that is a working day):
   * `call` = a working day, callable even when its weekday is not in allowedWeekdays;
   * `no_call` = no calls that day; `by_weekday` = judged by allowedWeekdays like any other day.
   */
  readonly makeupWorkdays: MakeupWorkdays;
  /**
   * What an answering machine gets (after the beep, when the campaign says `message`): a
   * limited-content message (the customer's name, a request to call back, who to ask for and
   * the number; nothing about a debt) or a hang-up.
   */
  readonly voicemail: VoicemailMode;
  /** ISO 3166 alpha-2 calendar to use; null = the country of the number being dialed. */
  readonly holidayCountry: string | null;
  /** Attempts per customer per local calendar day, across campaigns; null = no cap. */
  readonly maxAttemptsPerDay: number | null;
  /** Connected (a person answered) calls per customer per local day, across campaigns. */
  readonly maxConnectedPerDay: number | null;
  readonly maxAttemptsInRollingDays: RollingCap | null;
  /** No attempt for this many days after a connected call (24-hour days and local dates). */
  readonly cooldownAfterConversationDays: number | null;
  /** Minutes between any two attempts to the customer, across campaigns. */
  readonly minGapMinutes: number | null;
  /** Attempts per campaign contact (that is, per customer within one campaign). */
  readonly maxAttemptsPerContact: number | null;
  /**
   * The highest share of a campaign's live-answered calls that may be abandoned over the rolling
   * 30 days (0.03 = 3 %): agent-bound calls slow to one line per available agent as it nears it
   * (compliance/abandon-pacing.ts).
   */
  readonly maxAbandonRate: number;
}

/** The keys a campaign may override, each only in the stricter direction. */
export const OVERRIDE_KEYS = [
  'windowStart',
  'windowEnd',
  'maxAttemptsPerDay',
  'maxConnectedPerDay',
  'maxAttemptsPerContact',
  'minGapMinutes',
  'allowedWeekdays',
  'maxAbandonRate',
] as const;
export type OverrideKey = (typeof OVERRIDE_KEYS)[number];
export type PolicyOverrides = Partial<Pick<Policy, OverrideKey>>;

/** One row of the ledger as the rules see it. */
export interface AttemptRecord {
  /** When the attempt was reserved (call_attempts.reserved_at). */
  readonly at: Date;
  readonly connected: boolean;
  /** When a person answered, if known; the conversation cooldown runs from here. */
  readonly answeredAt?: Date | null;
  readonly campaignId?: number | null;
  readonly contactId?: number | null;
}

/** A do-not-call entry that matched the phone or the customer and has not expired. */
export interface DncMatch {
  readonly reason: string;
  readonly phone?: string | null;
  readonly customerId?: number | null;
  readonly expiresAt?: Date | null;
}

export interface HolidayCalendar {
  /** True when `isoDate` (YYYY-MM-DD, local) is a public holiday in `country`. */
  isHoliday(country: string, isoDate: string): boolean;
  /** True when `isoDate` is a weekend day made a working day (调休); calendars without them omit it. */
  isMakeupWorkday?(country: string, isoDate: string): boolean;
  /** Where the dates of `country` in `year` come from, for explanations. */
  source?(country: string, year: number): string;
}

export interface DecisionInput {
  readonly now: Date;
  readonly policy: Policy;
  readonly customer: { readonly timeZone: string | null; readonly phones: readonly string[] };
  /** The E.164 number about to be dialed. */
  readonly phone: string;
  /** The campaign's default zone, for a customer without one whose number does not settle it. */
  readonly campaignZone?: string | null;
  /** The customer's attempts across all campaigns (at least the window the caps look at). */
  readonly history: readonly AttemptRecord[];
  readonly dnc: readonly DncMatch[];
  /** Attempts already made on this campaign contact. */
  readonly contactAttempts: number;
  /** Defaults to the date-holidays calendar. */
  readonly holidays?: HolidayCalendar;
}

export type RuleName =
  | 'dnc'
  /** Another attempt for the customer is live (the gate's own check, not a policy rule). */
  | 'live_call'
  | 'max_attempts_per_contact'
  | 'time_zone'
  | 'calling_window'
  | 'allowed_weekdays'
  | 'holiday'
  | 'max_attempts_per_day'
  | 'max_connected_per_day'
  | 'max_attempts_rolling'
  | 'cooldown_after_conversation'
  | 'min_gap';

export type Decision =
  | { readonly kind: 'allow' }
  | { readonly kind: 'defer'; readonly until: Date; readonly reason: string; readonly rule: RuleName }
  | { readonly kind: 'block'; readonly reason: string; readonly rule: RuleName | 'no_allowed_time' };

/** One rule's verdict at the decision instant, as the eligibility endpoint shows it. */
export interface RuleVerdict {
  readonly rule: RuleName;
  /** The zone a per-zone rule was judged in. */
  readonly zone?: string;
  readonly status: 'ok' | 'defer' | 'block' | 'off';
  /** For `defer`: the earliest instant this rule alone allows. */
  readonly until?: Date;
  readonly detail: string;
  readonly used?: number;
  readonly limit?: number;
}

export interface Explanation {
  readonly decision: Decision;
  readonly zones: readonly string[];
  readonly zoneSource: 'customer' | 'area_code' | 'phone_country' | 'campaign_default' | 'unknown';
  readonly country: string | null;
  readonly rules: readonly RuleVerdict[];
}
