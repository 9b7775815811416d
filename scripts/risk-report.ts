import { generatePortfolio } from '../src/risk/portfolio.generate.js';
import { reportMarkdown, separationReport } from '../src/risk/portfolio.report.js';

// `node --import tsx scripts/risk-report.ts [seed] [customers]`: the default scorecard on a
// generated portfolio (no database, no real data); the README quotes its output.
const seed = Number(process.argv[2] ?? 20261207);
const customers = Number(process.argv[3] ?? 5000);
const asOf = new Date('2026-12-01T00:00:00Z');
const portfolio = generatePortfolio({ seed, customers, months: 12, asOf });
process.stdout.write(`${reportMarkdown(separationReport(portfolio, asOf))}\n`);
