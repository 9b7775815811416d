import { IANAZone } from 'luxon';
import { isAppError, ValidationError } from '../shared/errors.js';
import { validateMenu } from '../dialer/menu.js';
import type { CampaignSettings } from './campaign.repo.js';

export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

/**
 * Checks what a schema cannot: the time zone exists, the calling window is not empty. Returns
 * every problem at once. (Whether overrides are stricter than the global policy is the
 * compliance module's call.)
 */
export function campaignProblems(s: Partial<CampaignSettings>): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (s.defaultTimeZone != null && !IANAZone.isValidZone(s.defaultTimeZone)) {
    out.push({ field: 'defaultTimeZone', code: 'invalid_time_zone', message: `unknown IANA time zone "${s.defaultTimeZone}"` });
  }
  const p = s.policyOverrides;
  // A window may cross midnight (22:00-06:00 for a zone whose policy allows it); only an
  // empty one is malformed. Whether it fits in the global window is the compliance check.
  if (p?.windowStart !== undefined && p.windowEnd !== undefined && p.windowStart === p.windowEnd) {
    out.push({ field: 'policyOverrides.windowEnd', code: 'empty_window', message: 'windowEnd must differ from windowStart' });
  }
  if (p?.allowedWeekdays && new Set(p.allowedWeekdays).size !== p.allowedWeekdays.length) {
    out.push({ field: 'policyOverrides.allowedWeekdays', code: 'duplicate_weekday', message: 'allowedWeekdays lists a day twice' });
  }
  if (s.menu != null) {
    try {
      validateMenu(s.menu);
    } catch (err) {
      if (!isAppError(err)) throw err;
      out.push({ field: 'menu', code: 'invalid_menu', message: err.message });
    }
  }
  return out;
}

/** Throws a 422 naming every problem; the first problem's code is the error code. */
export function assertValidCampaign(s: Partial<CampaignSettings>): void {
  const problems = campaignProblems(s);
  if (problems.length > 0) throw new ValidationError(problems.map((p) => p.message).join('; '), { problems }, problems[0]!.code);
}

/** The zone's canonical spelling (`asia/shanghai` → `Asia/Shanghai`), so stored zones compare equal. */
export function canonicalZone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return zone;
  }
}

/** Validates (422 on problems) and returns the settings with canonical spellings. */
export function normalizeCampaign<T extends Partial<CampaignSettings>>(s: T): T {
  assertValidCampaign(s);
  return s.defaultTimeZone ? { ...s, defaultTimeZone: canonicalZone(s.defaultTimeZone) } : s;
}
