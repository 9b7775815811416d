import { callsCsv } from '../calls/calls.csv.js';
import { ALL_CALLS } from '../auth/roles.js';
import { getRunReport } from '../schedules/schedule.repo.js';
import { runReport } from '../schedules/schedule.report.js';
import { NotFoundError } from '../shared/errors.js';
import type { Db } from '../store/db.js';
import { EXIT, parseOptions, positiveId, UsageError, type Out } from './cli.options.js';
import { REPORT_USAGE } from './cli.help.js';

export function parseReportArgs(args: string[]): { runId: number; csv: boolean } {
  const o = parseOptions(args, { values: ['run'], flags: ['csv'] }, REPORT_USAGE);
  if (o.positional.length > 0) throw new UsageError(`report: unexpected argument "${o.positional[0]}"\n${REPORT_USAGE}`);
  if (!o.values.has('run')) throw new UsageError(`report: --run is required\n${REPORT_USAGE}`);
  return { runId: positiveId(o.values.get('run'), '--run', REPORT_USAGE), csv: o.flags.has('csv') };
}

export async function runReportCommand(args: string[], d: { db: Db; stdout: Out }): Promise<number> {
  const a = parseReportArgs(args);
  const row = await getRunReport(d.db, a.runId);
  if (!row) throw new NotFoundError('run', a.runId);
  if (!a.csv) {
    d.stdout.write(`${JSON.stringify(runReport(row))}\n`);
    return EXIT.ok;
  }
  // A run without a campaign (its creation failed) has an empty ledger: the header alone.
  const filter = { campaignId: row.campaignId ?? -1 };
  for await (const chunk of callsCsv(d.db, filter, { scope: ALL_CALLS, maskPhones: false })) d.stdout.write(chunk);
  return EXIT.ok;
}
