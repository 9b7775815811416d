import { ValidationError } from '../shared/errors.js';
import { MAKEUP_WORKDAYS, OVERRIDE_KEYS, VOICEMAIL_MODES, type OverrideKey, type Policy, type PolicyOverrides, type Weekday } from './policy.types.js';
import { parseHhmm, windowIntervals, windowWithin } from './window.js';

/** A campaign override that would loosen the global policy; `details.field` names the first. */
export class OverrideNotStricterError extends ValidationError {
  readonly field: string;
  constructor(problems: Array<{ field: string; message: string }>) {
    const first = problems[0] ?? { field: 'unknown', message: 'override is not stricter' };
    super(`policy override ${first.field} is not stricter than the global policy: ${first.message}`, { field: first.field, problems }, 'override_not_stricter');
    this.name = 'OverrideNotStricterError';
    this.field = first.field;
  }
}

export class InvalidPolicyError extends ValidationError {
  constructor(problems: Array<{ field: string; message: string }>) {
    super(`invalid policy: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, { problems }, 'invalid_policy');
    this.name = 'InvalidPolicyError';
  }
}

type Problem = { field: string; message: string };

const isCount = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= 100_000;

/** Semantic checks the TypeBox shape cannot express; throws InvalidPolicyError listing all. */
export function validatePolicy(p: Policy): Policy {
  const problems: Problem[] = [];
  const start = parseHhmm(p.windowStart);
  const end = parseHhmm(p.windowEnd);
  if (start === null || start === 1440) problems.push({ field: 'windowStart', message: 'must be HH:mm from 00:00 to 23:59' });
  if (end === null) problems.push({ field: 'windowEnd', message: 'must be HH:mm from 00:00 to 24:00' });
  if (start !== null && end !== null && start === end)
    problems.push({ field: 'windowEnd', message: 'must differ from windowStart (use 00:00-24:00 for all day)' });
  if (
    !Array.isArray(p.allowedWeekdays) ||
    p.allowedWeekdays.length === 0 ||
    p.allowedWeekdays.some((d) => !isCount(d, 1) || d > 7) ||
    new Set(p.allowedWeekdays).size !== p.allowedWeekdays.length
  )
    problems.push({ field: 'allowedWeekdays', message: 'must be distinct ISO weekdays 1 (Monday) to 7 (Sunday), at least one' });
  if (!(VOICEMAIL_MODES as readonly string[]).includes(p.voicemail))
    problems.push({ field: 'voicemail', message: `must be one of ${VOICEMAIL_MODES.join(', ')}` });
  if (!(MAKEUP_WORKDAYS as readonly string[]).includes(p.makeupWorkdays))
    problems.push({ field: 'makeupWorkdays', message: `must be one of ${MAKEUP_WORKDAYS.join(', ')}` });
  if (p.holidayCountry !== null && !/^[A-Z]{2}$/.test(p.holidayCountry))
    problems.push({ field: 'holidayCountry', message: 'must be an ISO 3166 alpha-2 code or null' });
  for (const f of ['maxAttemptsPerDay', 'maxConnectedPerDay', 'maxAttemptsPerContact', 'cooldownAfterConversationDays'] as const) {
    const v = p[f];
    if (v !== null && !isCount(v, 1)) problems.push({ field: f, message: 'must be a positive integer or null' });
  }
  if (typeof p.maxAbandonRate !== 'number' || !Number.isFinite(p.maxAbandonRate) || p.maxAbandonRate < 0 || p.maxAbandonRate > 1)
    problems.push({ field: 'maxAbandonRate', message: 'must be a share from 0 to 1 (0.03 = 3%)' });
  if (p.minGapMinutes !== null && !isCount(p.minGapMinutes, 0)) problems.push({ field: 'minGapMinutes', message: 'must be a non-negative integer or null' });
  const r = p.maxAttemptsInRollingDays;
  if (r !== null && (!isCount(r.count, 1) || !isCount(r.days, 1) || r.days > 366))
    problems.push({ field: 'maxAttemptsInRollingDays', message: 'count and days must be positive integers (days ≤ 366)' });
  if (problems.length > 0) throw new InvalidPolicyError(problems);
  return p;
}

/** A cap: null is "no cap", so any number is stricter than null and null is looser than any. */
function capNotLooser(o: number | null, g: number | null): boolean {
  if (o === null) return g === null;
  return g === null || o <= g;
}

/**
 * Throws OverrideNotStricterError (code `override_not_stricter`, `details.field`) when any
 * override would allow something the global policy forbids, InvalidPolicyError for a malformed
 * value, and rejects keys a campaign may not override.
 */
export function validateOverrides(global: Policy, overrides: PolicyOverrides | Record<string, unknown>): void {
  const o = overrides as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !(OVERRIDE_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw new InvalidPolicyError(unknown.map((field) => ({ field, message: `cannot be overridden by a campaign (allowed: ${OVERRIDE_KEYS.join(', ')})` })));
  const merged = { ...global, ...(o as PolicyOverrides) } as Policy;
  validatePolicy(merged);

  const problems: Problem[] = [];
  if ('windowStart' in o || 'windowEnd' in o) {
    if (!windowWithin({ start: merged.windowStart, end: merged.windowEnd }, { start: global.windowStart, end: global.windowEnd })) {
      // Name the field that steps outside: the start if it opens outside the global window.
      const startInside = windowIntervals(global.windowStart, global.windowEnd).some(([a, b]) => {
        const s = parseHhmm(merged.windowStart) ?? -1;
        return s >= a && s < b;
      });
      const field: OverrideKey = 'windowStart' in o && !startInside ? 'windowStart' : 'windowEnd' in o ? 'windowEnd' : 'windowStart';
      problems.push({ field, message: `window ${merged.windowStart}-${merged.windowEnd} is not inside the global ${global.windowStart}-${global.windowEnd}` });
    }
  }
  for (const f of ['maxAttemptsPerDay', 'maxConnectedPerDay', 'maxAttemptsPerContact'] as const) {
    if (f in o && !capNotLooser(merged[f], global[f])) problems.push({ field: f, message: `${String(merged[f])} is above the global ${String(global[f])}` });
  }
  if ('minGapMinutes' in o) {
    const og = merged.minGapMinutes ?? 0;
    const gg = global.minGapMinutes ?? 0;
    if (og < gg) problems.push({ field: 'minGapMinutes', message: `${og} is below the global ${gg}` });
  }
  if ('maxAbandonRate' in o && merged.maxAbandonRate > global.maxAbandonRate)
    problems.push({ field: 'maxAbandonRate', message: `${merged.maxAbandonRate} is above the global ${global.maxAbandonRate}` });
  if ('allowedWeekdays' in o) {
    const extra = merged.allowedWeekdays.filter((d: Weekday) => !global.allowedWeekdays.includes(d));
    if (extra.length > 0) problems.push({ field: 'allowedWeekdays', message: `weekdays ${extra.join(', ')} are not allowed globally` });
  }
  if (problems.length > 0) throw new OverrideNotStricterError(problems);
}

/** The global policy with a campaign's overrides applied, after proving they are stricter. */
export function mergeStricter(global: Policy, overrides: PolicyOverrides | Record<string, unknown> | null | undefined): Policy {
  if (!overrides || Object.keys(overrides).length === 0) return global;
  validateOverrides(global, overrides);
  return { ...global, ...(overrides as PolicyOverrides) };
}

/**
 * What the gate applies at dial time: every override that is stricter, and the global value
 * wherever an override is looser or malformed (the global policy may have been tightened after
 * the campaign was saved). Never throws, never loosens.
 */
export function effectivePolicy(global: Policy, overrides: unknown): Policy {
  if (!overrides || typeof overrides !== 'object' || Array.isArray(overrides)) return global;
  const o = overrides as Record<string, unknown>;
  let out: Policy = global;
  const tryApply = (part: Record<string, unknown>): void => {
    try {
      validateOverrides(out, part);
      out = { ...out, ...(part as PolicyOverrides) };
    } catch {
      // Looser or malformed: the global value stands.
    }
  };
  const windowPart: Record<string, unknown> = {};
  if ('windowStart' in o) windowPart['windowStart'] = o['windowStart'];
  if ('windowEnd' in o) windowPart['windowEnd'] = o['windowEnd'];
  if (Object.keys(windowPart).length > 0) tryApply(windowPart);
  for (const k of OVERRIDE_KEYS) if (k !== 'windowStart' && k !== 'windowEnd' && k in o) tryApply({ [k]: o[k] });
  return out;
}
