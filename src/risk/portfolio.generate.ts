import { addDays, isoDate, type CustomerHistory, type HistoryAttempt, type HistoryDisposition, type HistoryPayment } from './risk.history.js';

/**
 * A synthetic loan portfolio: customers whose behaviour is simulated month by month from a
 * hidden propensity to pay, so a scorecard can be judged against what they do next. Seeded
 * and deterministic (same seed, same portfolio); names and numbers are made up
 * (`Synthetic 0001`, +86 138 0000 00xx: the sandbox carrier's range), never real people.
 */
export interface PortfolioOptions {
  seed: number;
  customers: number;
  /** Months of history before `asOf`. */
  months: number;
  asOf: Date;
}

export interface SyntheticCustomer {
  externalId: string;
  name: string;
  phone: string;
  /** The hidden truth the simulation draws from (0: never pays, 1: always pays). */
  propensity: number;
  segment: 'good' | 'middling' | 'poor';
  instalment: number;
  history: CustomerHistory;
  /** What happens after `asOf`: did the customer pay anything in the next 30 days? */
  paysNextMonth: boolean;
}

/** mulberry32: tiny, fast, good enough for simulations, and the same everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;

export function generatePortfolio(opts: PortfolioOptions): SyntheticCustomer[] {
  const rnd = seededRandom(opts.seed);
  const out: SyntheticCustomer[] = [];
  for (let i = 0; i < opts.customers; i++) out.push(simulateCustomer(i, rnd, opts));
  return out;
}

function simulateCustomer(i: number, rnd: () => number, opts: PortfolioOptions): SyntheticCustomer {
  const between = (lo: number, hi: number): number => lo + (hi - lo) * rnd();
  const int = (lo: number, hi: number): number => Math.floor(between(lo, hi + 1));
  const roll = rnd();
  const segment = roll < 0.6 ? 'good' : roll < 0.85 ? 'middling' : 'poor';
  const propensity = segment === 'good' ? between(0.8, 0.98) : segment === 'middling' ? between(0.4, 0.8) : between(0.03, 0.4);
  const reach = Math.min(0.95, Math.max(0.05, 0.2 + 0.6 * propensity + between(-0.15, 0.15)));
  const wrongNumber = rnd() < 0.03;
  const instalment = int(3, 60) * 100;
  const start = new Date(opts.asOf.getTime() - opts.months * 30 * DAY_MS);

  const payments: HistoryPayment[] = [];
  const attempts: HistoryAttempt[] = [];
  const dispositions: HistoryDisposition[] = [];
  let arrears = 0;
  let optedOut = false;
  const dpdAt: number[] = [];
  const pay = (day: Date, amount: number): void => {
    if (day.getTime() <= opts.asOf.getTime()) payments.push({ amount, paidOn: isoDate(day) });
  };

  for (let m = 0; m < opts.months; m++) {
    const monthStart = new Date(start.getTime() + m * 30 * DAY_MS);
    const dueDay = new Date(monthStart.getTime() + 5 * DAY_MS);
    let paid = false;
    if (rnd() < propensity) {
      paid = true;
      const catchUp = arrears > 0 && rnd() < propensity * 0.6;
      pay(new Date(dueDay.getTime() + int(-3, 10) * DAY_MS), instalment * (catchUp ? arrears + 1 : 1));
      if (catchUp) arrears = 0;
    } else {
      arrears += 1;
    }
    if (arrears > 0 && !optedOut) {
      // Collections: a few calls after the due date; promises follow the same propensity.
      for (let k = int(2, 4); k > 0; k--) {
        const at = new Date(dueDay.getTime() + int(6, 28) * DAY_MS + int(9, 19) * 3_600_000);
        if (at > opts.asOf) continue;
        if (wrongNumber) {
          attempts.push({ at, connected: false, outcome: 'invalid_number' });
          continue;
        }
        const connected = rnd() < reach;
        attempts.push({ at, connected, outcome: connected ? 'answered' : rnd() < 0.5 ? 'no_answer' : 'busy' });
        if (!connected) continue;
        const r = rnd();
        const after = new Date(at.getTime() + 60_000);
        if (r < 0.45) {
          const promisedDate = addDays(isoDate(at), int(2, 7));
          dispositions.push({ kind: 'promise_to_pay', at: after, amount: instalment, promisedDate });
          if (!paid && rnd() < propensity) {
            paid = true;
            arrears = Math.max(0, arrears - 1);
            pay(new Date(Date.parse(`${promisedDate}T10:00:00Z`) - int(0, 2) * DAY_MS), instalment);
          }
        } else if (r < 0.45 + (1 - propensity) * 0.35) dispositions.push({ kind: 'refused', at: after });
        else if (r < 0.85 && rnd() < 0.04) dispositions.push({ kind: 'dispute', at: after });
        if (rnd() < (1 - propensity) * 0.04) {
          optedOut = true;
          break;
        }
      }
    }
    dpdAt.push(arrears > 0 ? (arrears - 1) * 30 + 25 : 0);
  }

  const dpd = dpdAt[dpdAt.length - 1] ?? 0;
  const prevDpd = dpdAt[dpdAt.length - 2];
  const n = String(i + 1).padStart(4, '0');
  return {
    externalId: `SYN-${opts.seed}-${n}`,
    name: `Synthetic ${n}`,
    phone: `+861380000${String(i % 10).padStart(4, '0')}`,
    propensity,
    segment,
    instalment,
    history: {
      daysPastDue: dpd,
      amountDue: arrears > 0 ? arrears * instalment : instalment,
      previous: prevDpd === undefined ? null : { daysPastDue: prevDpd, at: new Date(opts.asOf.getTime() - 30 * DAY_MS) },
      payments,
      attempts,
      dispositions,
      optedOut,
    },
    paysNextMonth: rnd() < propensity,
  };
}
