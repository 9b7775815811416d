import { stat } from 'node:fs/promises';
import type { ImportDeps } from '../campaigns/import.service.js';
import { ImportInvalidError } from '../campaigns/import.service.js';
import { FINISHED_CONTACT_STATES } from '../contacts/contact.states.js';
import { fireFileRun } from '../schedules/schedule.file-run.js';
import { getRunReport, getScheduleByName } from '../schedules/schedule.repo.js';
import { runReport, runSummaryLine, type RunReport } from '../schedules/schedule.report.js';
import { fireSchedule } from '../schedules/schedule.service.js';
import type { CampaignStarted } from '../schedules/schedule.types.js';
import { closeEndedWindows } from '../schedules/schedule.window.js';
import { AppError, NotFoundError } from '../shared/errors.js';
import type { Db } from '../store/db.js';
import { EXIT, parseOptions, UsageError, type Out } from './cli.options.js';
import { BATCH_USAGE } from './cli.help.js';
import { formatRowError } from './import.command.js';
import { ProgressReporter } from './progress.js';
import type { RowError } from '../contacts/customer.fields.js';

export interface BatchArgs {
  mode: 'schedule' | 'file';
  name: string;
  file?: string;
  format?: 'csv' | 'json';
  wait: boolean;
}

const usage = (msg: string) => new UsageError(`batch: ${msg}\n${BATCH_USAGE}`);

export function parseBatchArgs(args: string[]): BatchArgs {
  const [action, ...rest] = args;
  if (action !== 'run') throw usage(action ? `unknown action "${action}"` : 'missing action (run)');
  const o = parseOptions(rest, { values: ['schedule', 'file', 'template', 'format'], flags: ['wait'] }, BATCH_USAGE);
  if (o.positional.length > 0) throw usage(`unexpected argument "${o.positional[0]}"`);
  const wait = o.flags.has('wait');
  const schedule = o.values.get('schedule');
  const file = o.values.get('file');
  const template = o.values.get('template');
  if (schedule !== undefined) {
    if (file !== undefined || template !== undefined) throw usage('--schedule cannot be combined with --file/--template');
    if (o.values.has('format')) throw usage('--format goes with --file');
    return { mode: 'schedule', name: schedule, wait };
  }
  if (file === undefined || template === undefined) throw usage('give --schedule NAME, or --file PATH with --template NAME');
  const format = o.values.get('format') ?? (file.toLowerCase().endsWith('.json') ? 'json' : 'csv');
  if (format !== 'csv' && format !== 'json') throw usage('--format must be csv or json');
  return { mode: 'file', name: template, file, format, wait };
}

export interface BatchDeps extends ImportDeps {
  db: Db;
  policyProfile: string;
  onLaunched: CampaignStarted;
  stdout: Out;
  stderr: Out & { isTTY?: boolean; columns?: number };
  /** Poll interval of --wait. */
  pollMs?: number;
  now?: () => Date;
}

function finished(r: RunReport): number {
  return FINISHED_CONTACT_STATES.reduce((n, s) => n + (r.contacts.byState[s] ?? 0), 0);
}

/** Until the campaign has ended or the window has closed (the run's report then says what the sweep did). */
export async function waitForRun(db: Db, runId: number, d: Pick<BatchDeps, 'stderr' | 'pollMs' | 'now'>): Promise<RunReport> {
  const now = d.now ?? (() => new Date());
  const progress = new ProgressReporter(d.stderr, `run ${runId}`);
  try {
    for (;;) {
      const row = await getRunReport(db, runId);
      if (!row) throw new NotFoundError('run', runId);
      const r = runReport(row);
      progress.update({ done: finished(r), total: r.contacts.total, note: r.status });
      if (r.status !== 'running') return r;
      if (now().getTime() >= row.windowClosesAt.getTime()) {
        // The window closed: settle it here rather than wait for a worker's sweep (the sweep
        // locks each run, so whichever comes first acts and the other finds nothing to do).
        await closeEndedWindows(db, now());
        const settled = runReport((await getRunReport(db, runId))!);
        progress.update({ done: finished(settled), total: settled.contacts.total, note: settled.status });
        return settled;
      }
      await new Promise((res) => setTimeout(res, d.pollMs ?? 1_000));
    }
  } finally {
    progress.finish();
  }
}

/** `ringwise batch run`. */
export async function runBatchCommand(args: string[], d: BatchDeps): Promise<number> {
  const a = parseBatchArgs(args);
  const firedAt = (d.now ?? (() => new Date()))();
  let runId: number;
  let created: boolean;
  if (a.mode === 'schedule') {
    const s = await getScheduleByName(d.db, a.name);
    if (!s) throw new NotFoundError('schedule', a.name);
    const r = await fireSchedule(d.db, null, s.id, firedAt, { policyProfile: d.policyProfile, via: 'cli', onLaunched: d.onLaunched });
    ({ created } = r);
    runId = r.run.id;
  } else {
    const st = await stat(a.file!).catch(() => null);
    if (!st?.isFile()) throw new AppError('file_not_found', `no such file: ${a.file}`, 404);
    try {
      const r = await fireFileRun(d, {
        scheduleName: a.name,
        file: a.file!,
        format: a.format!,
        firedAt,
        policyProfile: d.policyProfile,
        onLaunched: d.onLaunched,
      });
      ({ created } = r);
      runId = r.run.id;
    } catch (err) {
      if (!(err instanceof ImportInvalidError)) throw err;
      const { errors, errorCount } = err.details as { errors: RowError[]; errorCount: number };
      d.stderr.write(`ringwise: import rejected, nothing was imported or dialed: ${errorCount} error${errorCount === 1 ? '' : 's'}\n`);
      for (const e of errors.slice(0, 20)) d.stderr.write(`  ${formatRowError(e)}\n`);
      return EXIT.failed;
    }
  }
  const report = a.wait ? await waitForRun(d.db, runId, d) : runReport((await getRunReport(d.db, runId))!);
  d.stdout.write(`${runSummaryLine(report, created)}\n`);
  return EXIT.ok;
}
