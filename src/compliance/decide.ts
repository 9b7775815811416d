import { createHolidayCalendar } from './holidays.js';
import { DAY } from './local-time.js';
import type { Decision, DecisionInput, Explanation, HolidayCalendar, Policy, RuleName, RuleVerdict } from './policy.types.js';
import { cooldownRule, dailyCapRule, holidayRule, minGapRule, rollingCapRule, weekdayRule, windowRule, type TimeRule } from './rules.js';
import { resolveZones, type ResolvedZones } from './zones.js';

/** How far ahead a deferral may land before the engine calls it a block. */
export const HORIZON_DAYS = 400;
const MAX_STEPS = 20_000;

// Shared lazily so a pure call needs no setup; callers with a long life pass their own.
let sharedCalendar: HolidayCalendar | undefined;
const defaultCalendar = (): HolidayCalendar => (sharedCalendar ??= createHolidayCalendar());

interface Blocker {
  rule: RuleName;
  blocked: boolean;
  detail: string;
  used?: number;
  limit?: number;
}

function zoneDetail(r: ResolvedZones): string {
  const every = r.zones.length > 1 ? `: every one of ${r.zones.join(', ')} must allow the call` : ` ${r.zones.join('')}`;
  switch (r.source) {
    case 'customer':
      return `customer's zone ${r.zones.join('')}`;
    case 'area_code':
      return `from the number's area code${every}`;
    case 'campaign_default':
      return `campaign's default zone ${r.zones.join('')} (the number's country ${r.country ?? 'is unknown'} does not settle it)`;
    case 'phone_country':
      return `inferred from the number's country ${r.country ?? '?'}${every}`;
    default:
      return 'no time zone on the customer and none can be inferred from the number';
  }
}

function blockers(input: DecisionInput, resolved: ResolvedZones): Blocker[] {
  const now = input.now.getTime();
  const dnc = input.dnc.filter((d) => d.expiresAt === null || d.expiresAt === undefined || d.expiresAt.getTime() > now);
  const max = input.policy.maxAttemptsPerContact;
  return [
    {
      rule: 'dnc',
      blocked: dnc.length > 0,
      detail:
        dnc.length > 0
          ? `on the do-not-call list (${dnc.map((d) => `${d.customerId != null ? 'customer' : 'phone'}: ${d.reason}`).join('; ')})`
          : 'no do-not-call entry',
    },
    {
      rule: 'max_attempts_per_contact',
      blocked: max !== null && input.contactAttempts >= max,
      detail: max === null ? 'no per-contact cap' : `attempts on this campaign contact: ${input.contactAttempts}/${max}`,
      ...(max === null ? {} : { used: input.contactAttempts, limit: max }),
    },
    {
      rule: 'time_zone',
      blocked: resolved.zones.length === 0,
      detail: zoneDetail(resolved),
    },
  ];
}

function timeRules(input: DecisionInput, resolved: ResolvedZones): TimeRule[] {
  const p = input.policy;
  const cal = input.holidays ?? defaultCalendar();
  const country = p.holidayCountry ?? resolved.country;
  const out: TimeRule[] = [];
  const perZone = (f: (zone: string) => TimeRule): void => {
    for (const z of resolved.zones) out.push(f(z));
  };
  perZone((z) => windowRule(z, p));
  if (p.allowedWeekdays.length < 7 || p.makeupWorkdays === 'no_call') perZone((z) => weekdayRule(z, p, country, cal));
  if (p.observeHolidays && country) perZone((z) => holidayRule(z, country, cal));
  if (p.maxAttemptsPerDay !== null) perZone((z) => dailyCapRule('max_attempts_per_day', z, input.history, p.maxAttemptsPerDay ?? 0));
  if (p.maxConnectedPerDay !== null) perZone((z) => dailyCapRule('max_connected_per_day', z, input.history, p.maxConnectedPerDay ?? 0));
  const r = p.maxAttemptsInRollingDays;
  if (r !== null) perZone((z) => rollingCapRule(z, input.history, r.count, r.days));
  if (p.cooldownAfterConversationDays !== null) perZone((z) => cooldownRule(z, input.history, p.cooldownAfterConversationDays ?? 0));
  if (p.minGapMinutes !== null && p.minGapMinutes > 0) out.push(minGapRule(input.history, p.minGapMinutes));
  return out;
}

/** Rules the policy switches off, so the eligibility endpoint can say so. */
function offRules(p: Policy): RuleVerdict[] {
  const off: Array<[RuleName, boolean, string]> = [
    ['allowed_weekdays', p.allowedWeekdays.length === 7 && p.makeupWorkdays !== 'no_call', 'every weekday allowed'],
    ['holiday', !p.observeHolidays, 'holidays not observed'],
    ['max_attempts_per_day', p.maxAttemptsPerDay === null, 'no daily attempt cap'],
    ['max_connected_per_day', p.maxConnectedPerDay === null, 'no daily connected-call cap'],
    ['max_attempts_rolling', p.maxAttemptsInRollingDays === null, 'no rolling cap'],
    ['cooldown_after_conversation', p.cooldownAfterConversationDays === null, 'no cooldown after a conversation'],
    ['min_gap', p.minGapMinutes === null || p.minGapMinutes === 0, 'no minimum gap'],
  ];
  return off.filter(([, isOff]) => isOff).map(([rule, , detail]) => ({ rule, status: 'off', detail }));
}

/**
 * The earliest instant ≥ from that every rule allows. Each rule's `next` never passes the first
 * instant it allows, so neither does the joint answer: stepping to the latest lower bound
 * until all agree gives the exact earliest instant.
 */
function earliestAllowed(rules: readonly TimeRule[], from: number): number | null {
  const limit = from + HORIZON_DAYS * DAY;
  let t = from;
  for (let step = 0; step < MAX_STEPS; step++) {
    let moved = false;
    for (const rule of rules) {
      if (rule.ok(t)) continue;
      const n = rule.next(t, limit);
      if (n === null || n >= limit) return null;
      if (n <= t) throw new Error(`compliance rule ${rule.name} did not advance from ${new Date(t).toISOString()}`);
      t = n;
      moved = true;
    }
    if (!moved) return t;
  }
  return null;
}

function evaluate(input: DecisionInput, full: boolean): Explanation {
  const resolved = resolveZones(input.customer.timeZone, input.phone, input.campaignZone ?? null);
  const now = input.now.getTime();
  const blocks = blockers(input, resolved);
  const verdicts: RuleVerdict[] = blocks.map((b) => ({
    rule: b.rule,
    status: b.blocked ? 'block' : 'ok',
    detail: b.detail,
    ...(b.used === undefined ? {} : { used: b.used, limit: b.limit }),
  }));
  const base = { zones: resolved.zones, zoneSource: resolved.source, country: resolved.country };

  const firstBlock = blocks.find((b) => b.blocked);
  if (firstBlock && !full) return { ...base, decision: { kind: 'block', rule: firstBlock.rule, reason: firstBlock.detail }, rules: verdicts };

  // explain() still shows every time rule under a block, so one look shows everything wrong.
  const rules = timeRules(input, resolved);
  const limit = now + HORIZON_DAYS * DAY;
  let firstFailing: { rule: TimeRule; detail: string } | undefined;
  for (const rule of rules) {
    const ok = rule.ok(now);
    if (ok && !full) continue;
    const d = rule.describe(now);
    if (!ok && !firstFailing) firstFailing = { rule, detail: rule.zone === undefined ? d.detail : `${d.detail} (${rule.zone})` };
    if (!full) break;
    const until = ok ? null : rule.next(now, limit);
    verdicts.push({
      rule: rule.name,
      ...(rule.zone === undefined ? {} : { zone: rule.zone }),
      status: ok ? 'ok' : until === null ? 'block' : 'defer',
      ...(until === null ? {} : { until: new Date(until) }),
      ...d,
    });
  }
  if (full) verdicts.push(...offRules(input.policy));
  if (firstBlock) return { ...base, decision: { kind: 'block', rule: firstBlock.rule, reason: firstBlock.detail }, rules: verdicts };
  if (!firstFailing) return { ...base, decision: { kind: 'allow' }, rules: verdicts };

  const until = earliestAllowed(rules, now);
  const decision: Decision =
    until === null
      ? {
          kind: 'block',
          rule: 'no_allowed_time',
          reason: `no instant in the next ${HORIZON_DAYS} days satisfies every rule (first: ${firstFailing.rule.name}: ${firstFailing.detail})`,
        }
      : { kind: 'defer', until: new Date(until), rule: firstFailing.rule.name, reason: firstFailing.detail };
  return { ...base, decision, rules: verdicts };
}

/** allow, defer to the earliest instant every rule allows, or block. Pure apart from the clock-free input. */
export function decide(input: DecisionInput): Decision {
  return evaluate(input, false).decision;
}

/** The decision plus every rule's own verdict at `input.now`, for the eligibility endpoint. */
export function explain(input: DecisionInput): Explanation {
  return evaluate(input, true);
}
