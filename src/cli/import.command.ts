import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { importContacts, ImportInvalidError, type ImportDeps } from '../campaigns/import.service.js';
import type { ImportFormat } from '../campaigns/import.parse.js';
import type { RowError } from '../contacts/customer.fields.js';
import { AppError } from '../shared/errors.js';
import { UsageError } from './cli.options.js';

export const IMPORT_USAGE = 'ringwise import --campaign ID --file contacts.csv|contacts.json|- [--format csv|json]';

export interface ImportArgs {
  campaignId: number;
  /** A path, or "-" for standard input. */
  file: string;
  format: ImportFormat;
}

export function parseImportArgs(args: string[]): ImportArgs {
  const opts = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--(campaign|file|format)(?:=(.*))?$/.exec(a);
    if (!m) throw new UsageError(`import: unexpected argument "${a}"\nusage: ${IMPORT_USAGE}`);
    const value = m[2] ?? args[++i];
    if (value === undefined || value === '') throw new UsageError(`import: --${m[1]} needs a value\nusage: ${IMPORT_USAGE}`);
    opts.set(m[1]!, value);
  }
  const campaign = Number(opts.get('campaign'));
  if (!Number.isSafeInteger(campaign) || campaign < 1) throw new UsageError(`import: --campaign must be a campaign id\nusage: ${IMPORT_USAGE}`);
  const file = opts.get('file');
  if (!file) throw new UsageError(`import: --file is required\nusage: ${IMPORT_USAGE}`);
  const format = opts.get('format') ?? (file.toLowerCase().endsWith('.json') ? 'json' : 'csv');
  if (format !== 'csv' && format !== 'json') throw new UsageError(`import: --format must be csv or json\nusage: ${IMPORT_USAGE}`);
  return { campaignId: campaign, file, format };
}

export function formatRowError(e: RowError): string {
  const where = `row ${e.row}${e.line !== undefined ? ` (line ${e.line})` : ''}`;
  return `${where}${e.field ? ` ${e.field}` : ''}: ${e.code}: ${e.message}`;
}

interface Io {
  stdin: Readable;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

/**
 * `ringwise import`: the same import as the API (one transaction, all or nothing), straight
 * from a file. Prints the summary as JSON; on a rejected file prints every reported error
 * and exits 1. Not audited: the audit log records API keys, and this runs on the host.
 */
export async function runImportCommand(args: string[], deps: ImportDeps, io: Io = process): Promise<number> {
  const a = parseImportArgs(args);
  if (a.file !== '-') {
    const st = await stat(a.file).catch(() => null);
    if (!st?.isFile()) throw new AppError('file_not_found', `no such file: ${a.file}`, 400);
  }
  const source = a.file === '-' ? io.stdin : createReadStream(a.file);
  try {
    const summary = await importContacts(deps, { campaignId: a.campaignId, format: a.format, source });
    io.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof ImportInvalidError)) throw err;
    const { errors, errorCount } = err.details as { errors: RowError[]; errorCount: number };
    io.stderr.write(`ringwise: import rejected, nothing was imported: ${errorCount} error${errorCount === 1 ? '' : 's'}\n`);
    for (const e of errors) io.stderr.write(`  ${formatRowError(e)}\n`);
    if (errorCount > errors.length) io.stderr.write(`  ... and ${errorCount - errors.length} more\n`);
    return 1;
  }
}
