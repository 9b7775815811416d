import type { RiskInputs } from './scorecard.js';

/**
 * A customer's behaviour as plain data, and the one definition of how it becomes scorecard
 * inputs. The SQL loader (risk.inputs.sql.ts) computes the same numbers in the database; an
 * integration test holds the two to each other on generated portfolios.
 */
export const WINDOWS = {
  /** Payments count as recent inside these many days (paid_on > as-of date − N). */
  paymentsShort: 30,
  paymentsLong: 90,
  /** Answer rate looks at attempts of the last 90 days. */
  attempts: 90,
  /** Promises, wrong numbers, disputes and other dispositions of the last 180 days. */
  behaviour: 180,
  /** A promise is kept when enough is paid by its date plus these days. */
  promiseGraceDays: 3,
  /** The trend compares with the latest score at least this old, and no older than trendMax. */
  trendMin: 25,
  trendMax: 60,
} as const;

export interface HistoryPayment {
  amount: number;
  /** yyyy-mm-dd */
  paidOn: string;
}
export interface HistoryAttempt {
  at: Date;
  connected: boolean;
  outcome: string;
}
export interface HistoryDisposition {
  kind: 'promise_to_pay' | 'dispute' | 'wrong_party' | 'callback' | 'refused' | 'paid';
  at: Date;
  amount?: number;
  /** yyyy-mm-dd, promises only */
  promisedDate?: string;
}

export interface CustomerHistory {
  daysPastDue: number | null;
  amountDue: number | null;
  previous: { daysPastDue: number; at: Date } | null;
  payments: HistoryPayment[];
  attempts: HistoryAttempt[];
  dispositions: HistoryDisposition[];
  optedOut: boolean;
}

const DAY_MS = 86_400_000;

export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
export function addDays(date: string, days: number): string {
  return isoDate(new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS));
}

/** Promise outcome as of `asOf`: kept when payments from its day to its date + grace cover it. */
export function promiseState(p: HistoryDisposition, payments: HistoryPayment[], asOf: Date): 'kept' | 'broken' | 'open' {
  const from = isoDate(p.at);
  const until = addDays(p.promisedDate!, WINDOWS.promiseGraceDays);
  const today = isoDate(asOf);
  const paid = payments.filter((x) => x.paidOn >= from && x.paidOn <= until && x.paidOn <= today).reduce((s, x) => s + x.amount, 0);
  if (paid + 1e-9 >= (p.amount ?? 0)) return 'kept';
  return today > until ? 'broken' : 'open';
}

export function inputsFromHistory(h: CustomerHistory, asOf: Date): RiskInputs {
  const today = isoDate(asOf);
  const since = (days: number): Date => new Date(asOf.getTime() - days * DAY_MS);
  const paidSince = (days: number): number => {
    const from = addDays(today, -days);
    const sum = h.payments.filter((p) => p.paidOn > from && p.paidOn <= today).reduce((s, p) => s + p.amount, 0);
    return Math.round(sum * 100) / 100;
  };
  const attempts = h.attempts.filter((a) => a.at > since(WINDOWS.attempts) && a.at <= asOf);
  const recent = h.dispositions.filter((d) => d.at > since(WINDOWS.behaviour) && d.at <= asOf);
  const count = (kind: HistoryDisposition['kind']): number => recent.filter((d) => d.kind === kind).length;
  const states = recent.filter((d) => d.kind === 'promise_to_pay').map((p) => promiseState(p, h.payments, asOf));
  const invalid = h.attempts.filter((a) => a.outcome === 'invalid_number' && a.at > since(WINDOWS.behaviour) && a.at <= asOf).length;
  let previous: RiskInputs['previous'] = null;
  if (h.previous) {
    const daysAgo = Math.floor((asOf.getTime() - h.previous.at.getTime()) / DAY_MS);
    if (daysAgo >= WINDOWS.trendMin && daysAgo <= WINDOWS.trendMax) previous = { daysPastDue: h.previous.daysPastDue, daysAgo };
  }
  return {
    daysPastDue: h.daysPastDue,
    previous,
    amountDue: h.amountDue,
    paidLast30: paidSince(WINDOWS.paymentsShort),
    paidLast90: paidSince(WINDOWS.paymentsLong),
    promisesKept: states.filter((s) => s === 'kept').length,
    promisesBroken: states.filter((s) => s === 'broken').length,
    promisesOpen: states.filter((s) => s === 'open').length,
    attempts90: attempts.length,
    connected90: attempts.filter((a) => a.connected).length,
    wrongNumbers: invalid + count('wrong_party'),
    optedOut: h.optedOut,
    disputes: count('dispute'),
    refusals: count('refused'),
    paidDispositions: count('paid'),
  };
}
