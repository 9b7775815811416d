import { createHash } from 'node:crypto';

/**
 * The behaviour scorecard: pure functions from what the ledger and the account know about a
 * customer to a score from 0 (will pay) to 100 (will not), explained factor by factor.
 *
 * Points per factor are fixed bands (so a reader can check a score by hand); how much each
 * factor counts is a weight from configuration. The version names the bands (SCORECARD_BANDS)
 * and a hash of the weights and tier cut-offs, so two scores are comparable only when their
 * versions are equal. Changing a band means raising SCORECARD_BANDS.
 */
export const SCORECARD_BANDS = 1;

export const FACTORS = ['days_past_due', 'dpd_trend', 'amount_due', 'payments', 'promises', 'reachability', 'opt_outs_disputes', 'dispositions'] as const;
export type Factor = (typeof FACTORS)[number];
export type RiskTier = 'low' | 'medium' | 'high';

export interface ScorecardSettings {
  /** Multiplies each factor's points; 0 turns a factor off. */
  weights: Readonly<Record<Factor, number>>;
  /** Points every customer starts from. */
  base: number;
  /** A score at or above `medium` is medium, at or above `high` is high. */
  tiers: Readonly<{ medium: number; high: number }>;
}

export const DEFAULT_SCORECARD: ScorecardSettings = {
  weights: { days_past_due: 1, dpd_trend: 1, amount_due: 1, payments: 1, promises: 1, reachability: 1, opt_outs_disputes: 1, dispositions: 1 },
  base: 20,
  tiers: { medium: 35, high: 60 },
};

/** What a score is computed from; the same shape whether it comes from SQL or the generator. */
export interface RiskInputs {
  daysPastDue: number | null;
  /** Days past due at an earlier score, and how many days before this one (for the trend). */
  previous: { daysPastDue: number; daysAgo: number } | null;
  /** Amount due in the account's currency (as imported); null when unknown. */
  amountDue: number | null;
  paidLast30: number;
  paidLast90: number;
  promisesKept: number;
  promisesBroken: number;
  promisesOpen: number;
  /** Dial attempts and connected (human answered) attempts in the last 90 days. */
  attempts90: number;
  connected90: number;
  /** Unknown-number outcomes and wrong-party dispositions in the last 180 days. */
  wrongNumbers: number;
  optedOut: boolean;
  disputes: number;
  refusals: number;
  paidDispositions: number;
}

export interface FactorScore {
  factor: Factor;
  /** The raw value the band was chosen from, as shown to a reader. */
  value: string;
  points: number;
  weight: number;
  weighted: number;
  reason: string;
}

export interface Scorecard {
  version: string;
  score: number;
  tier: RiskTier;
  base: number;
  factors: FactorScore[];
}

type Band = { points: number; reason: string; value: string };

const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n));

function daysPastDue(i: RiskInputs): Band {
  const d = i.daysPastDue;
  if (d === null) return { points: 0, value: 'unknown', reason: 'days past due not known' };
  const points = d === 0 ? 0 : d <= 7 ? 5 : d <= 30 ? 12 : d <= 60 ? 20 : d <= 90 ? 28 : 35;
  return { points, value: String(d), reason: d === 0 ? 'not past due' : `${d} days past due` };
}

function dpdTrend(i: RiskInputs): Band {
  const p = i.previous;
  if (!p || i.daysPastDue === null || p.daysAgo < 7) return { points: 0, value: 'n/a', reason: 'no earlier score to compare with' };
  const delta = i.daysPastDue - p.daysPastDue;
  const value = `${delta >= 0 ? '+' : ''}${delta} in ${p.daysAgo} d`;
  // Days past due growing about as fast as the calendar: nothing was paid in between.
  if (delta >= p.daysAgo * 0.8) return { points: 8, value, reason: 'arrears kept growing since the last score' };
  if (delta < 0) return { points: -8, value, reason: 'arrears shrank since the last score' };
  return { points: 0, value, reason: 'arrears about level' };
}

function amountDue(i: RiskInputs): Band {
  const a = i.amountDue;
  if (a === null) return { points: 0, value: 'unknown', reason: 'amount due not known' };
  const points = a < 1000 ? 0 : a < 5000 ? 4 : a < 20000 ? 8 : 12;
  return { points, value: a.toFixed(2), reason: points === 0 ? 'small balance' : 'balance band' };
}

function payments(i: RiskInputs): Band {
  const value = `${i.paidLast30.toFixed(2)} in 30 d, ${i.paidLast90.toFixed(2)} in 90 d`;
  if (i.paidLast30 > 0 && i.amountDue !== null && i.paidLast30 >= i.amountDue) return { points: -25, value, reason: 'paid the amount due in the last 30 days' };
  if (i.paidLast30 > 0) return { points: -12, value, reason: 'paid part in the last 30 days' };
  if (i.paidLast90 > 0) return { points: -5, value, reason: 'paid something in the last 90 days' };
  if ((i.daysPastDue ?? 0) > 0) return { points: 8, value, reason: 'past due and no payment in 90 days' };
  return { points: 0, value, reason: 'no payment recorded, none due' };
}

function promises(i: RiskInputs): Band {
  const points = Math.min(30, i.promisesBroken * 10) - Math.min(24, i.promisesKept * 8);
  return { points, value: `${i.promisesKept} kept, ${i.promisesBroken} broken, ${i.promisesOpen} open`, reason: 'promises to pay in the last 180 days' };
}

function reachability(i: RiskInputs): Band {
  const wrong = Math.min(16, i.wrongNumbers * 8);
  const rate = i.attempts90 > 0 ? i.connected90 / i.attempts90 : null;
  const value = `${i.connected90}/${i.attempts90} answered, ${i.wrongNumbers} wrong number${i.wrongNumbers === 1 ? '' : 's'}`;
  // Fewer than three attempts say little about whether someone picks up.
  if (rate === null || i.attempts90 < 3) return { points: wrong, value, reason: wrong ? 'wrong numbers' : 'too few calls to judge' };
  const answer = rate < 0.2 ? 12 : rate < 0.5 ? 6 : 0;
  return { points: answer + wrong, value, reason: answer ? 'rarely answers' : wrong ? 'wrong numbers' : 'usually answers' };
}

function optOutsDisputes(i: RiskInputs): Band {
  const points = (i.optedOut ? 10 : 0) + Math.min(12, i.disputes * 6);
  return {
    points,
    value: `${i.optedOut ? 'opted out' : 'not opted out'}, ${i.disputes} dispute${i.disputes === 1 ? '' : 's'}`,
    reason: points ? 'opt-out or disputes' : 'none',
  };
}

function dispositions(i: RiskInputs): Band {
  const points = Math.min(24, i.refusals * 12) - (i.paidDispositions > 0 ? 10 : 0);
  return { points, value: `${i.refusals} refused, ${i.paidDispositions} said paid`, reason: 'what agents concluded' };
}

const BANDS: Record<Factor, (i: RiskInputs) => Band> = {
  days_past_due: daysPastDue,
  dpd_trend: dpdTrend,
  amount_due: amountDue,
  payments,
  promises,
  reachability,
  opt_outs_disputes: optOutsDisputes,
  dispositions,
};

export function scorecardVersion(s: ScorecardSettings): string {
  const canon = JSON.stringify({ w: FACTORS.map((f) => s.weights[f]), b: s.base, t: [s.tiers.medium, s.tiers.high] });
  return `${SCORECARD_BANDS}.${createHash('sha256').update(canon).digest('hex').slice(0, 8)}`;
}

export function tierOf(score: number, s: ScorecardSettings): RiskTier {
  return score >= s.tiers.high ? 'high' : score >= s.tiers.medium ? 'medium' : 'low';
}

export function scoreCustomer(inputs: RiskInputs, s: ScorecardSettings = DEFAULT_SCORECARD): Scorecard {
  const factors = FACTORS.map((factor): FactorScore => {
    const b = BANDS[factor](inputs);
    const weight = s.weights[factor];
    return { factor, value: b.value, points: b.points, weight, weighted: Math.round(b.points * weight * 100) / 100, reason: b.reason };
  });
  const raw = s.base + factors.reduce((sum, f) => sum + f.weighted, 0);
  const score = clamp(Math.round(raw), 0, 100);
  return { version: scorecardVersion(s), score, tier: tierOf(score, s), base: s.base, factors };
}

/** `days_past_due=1,payments=1.5` → weights over the defaults; problems are returned, not thrown (config lists them all). */
export function parseWeights(spec: string, problems: string[], key: string): Record<Factor, number> {
  const weights = { ...DEFAULT_SCORECARD.weights };
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name = '', raw = ''] = part.split('=').map((x) => x.trim());
    const n = Number(raw);
    if (!(FACTORS as readonly string[]).includes(name)) problems.push(`${key}: unknown factor "${name}" (factors: ${FACTORS.join(', ')})`);
    else if (raw === '' || !Number.isFinite(n) || n < 0 || n > 10) problems.push(`${key}: weight of ${name} must be a number from 0 to 10 (got "${raw}")`);
    else weights[name as Factor] = n;
  }
  return weights;
}
