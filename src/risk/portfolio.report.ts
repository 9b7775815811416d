import { inputsFromHistory } from './risk.history.js';
import { DEFAULT_SCORECARD, scoreCustomer, type RiskTier, type ScorecardSettings } from './scorecard.js';
import type { SyntheticCustomer } from './portfolio.generate.js';

/**
 * How well the tiers separate those who pay from those who don't, on a generated portfolio:
 * per tier, how many customers and what share paid in the 30 days after the score.
 */
export interface TierRow {
  tier: RiskTier;
  customers: number;
  paidNextMonth: number;
  payRate: number;
}

export interface SeparationReport {
  version: string;
  customers: number;
  tiers: TierRow[];
  /** Share of all non-payers that the high tier catches, and of all payers it wrongly holds. */
  highCatchesNonPayers: number;
  highHoldsPayers: number;
}

export function separationReport(portfolio: SyntheticCustomer[], asOf: Date, settings: ScorecardSettings = DEFAULT_SCORECARD): SeparationReport {
  const rows = new Map<RiskTier, TierRow>((['low', 'medium', 'high'] as const).map((t) => [t, { tier: t, customers: 0, paidNextMonth: 0, payRate: 0 }]));
  let version = '';
  let nonPayers = 0;
  let payers = 0;
  let highNonPayers = 0;
  let highPayers = 0;
  for (const c of portfolio) {
    const card = scoreCustomer(inputsFromHistory(c.history, asOf), settings);
    version = card.version;
    const row = rows.get(card.tier)!;
    row.customers += 1;
    if (c.paysNextMonth) {
      row.paidNextMonth += 1;
      payers += 1;
      if (card.tier === 'high') highPayers += 1;
    } else {
      nonPayers += 1;
      if (card.tier === 'high') highNonPayers += 1;
    }
  }
  const tiers = [...rows.values()].map((r) => ({ ...r, payRate: r.customers ? r.paidNextMonth / r.customers : 0 }));
  return {
    version,
    customers: portfolio.length,
    tiers,
    highCatchesNonPayers: nonPayers ? highNonPayers / nonPayers : 0,
    highHoldsPayers: payers ? highPayers / payers : 0,
  };
}

export function reportMarkdown(r: SeparationReport): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
  return [
    `Scorecard ${r.version} on ${r.customers} synthetic customers`,
    '',
    '| tier | customers | paid in the next 30 days | pay rate |',
    '| --- | ---: | ---: | ---: |',
    ...r.tiers.map((t) => `| ${t.tier} | ${t.customers} | ${t.paidNextMonth} | ${pct(t.payRate)} |`),
    '',
    `The high tier holds ${pct(r.highCatchesNonPayers)} of those who did not pay and ${pct(r.highHoldsPayers)} of those who did.`,
  ].join('\n');
}
