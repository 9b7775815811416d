import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, ConflictError, NotFoundError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Db, Queryable } from '../store/db.js';
import { mapPgError } from '../store/db.js';
import { fieldLabels, ImportParseError, parseRows, type ImportFormat } from './import.parse.js';
import {
  addCampaignContacts,
  analyzeStaging,
  copyIntoStaging,
  createStaging,
  findDuplicateRows,
  insertNewCustomers,
  invalidStagingLine,
  lockImportMerge,
  stagingLine,
  updateExistingCustomers,
} from '../contacts/import.repo.js';
import { getCampaignState } from './campaign.repo.js';
import { DEFAULT_SUPPORTED_LOCALES, type RowError } from '../contacts/customer.fields.js';
import { externalIdOf, validateRow } from './import.validate.js';

/**
 * The contact import, shared by the API route and the CLI: stream → parse → validate → COPY
 * into a staging table → set-based merge, all in one transaction that commits only when
 * every row is valid. Memory stays flat whatever the file size: rows flow through with
 * back-pressure, at most `maxErrors` errors are kept, and duplicates are found in SQL.
 */

/**
 * Campaigns that accept contacts. A running campaign does too: new contacts are `pending`
 * campaign_contacts rows, which the scheduler picks up like any other pending contact.
 */
export const IMPORTABLE_STATES: readonly string[] = ['draft', 'paused', 'running'];

export interface ImportSummary {
  /** Customers created. */
  imported: number;
  /** Existing customers (same external id) whose stored values changed. */
  updated: number;
  /** Customers that were already contacts of this campaign. */
  duplicates: number;
  /** Data rows read. */
  rows: number;
}

export interface ImportDeps {
  db: Db;
  log: Pick<Logger, 'info'>;
  defaultRegion: string;
  supportedLocales?: readonly string[];
  /** Errors reported in full (the count is always exact). */
  maxErrors?: number;
}

export interface ImportRequest {
  campaignId: number;
  format: ImportFormat;
  /** The body. It is consumed (and destroyed on failure); callers that must keep the
   * underlying socket usable pass a stream piped from it. */
  source: Readable;
  /** Runs inside the transaction right before COMMIT: the audit row goes here. */
  beforeCommit?: (q: Queryable, summary: ImportSummary) => Promise<void>;
  /** Runs after COMMIT with the campaign's state (e.g. to have a running campaign queue its new contacts). */
  afterCommit?: (summary: ImportSummary, campaignState: string) => Promise<void>;
}

export class ImportInvalidError extends AppError {
  constructor(errors: RowError[], errorCount: number) {
    const first = errors[0];
    const where = first ? ` (first: row ${first.row}${first.field ? `, ${first.field}` : ''}: ${first.message})` : '';
    super('import_invalid', `the import was rejected: ${errorCount} error${errorCount === 1 ? '' : 's'}${where}; nothing was imported`, 422, {
      errors,
      errorCount,
    });
    this.name = 'ImportInvalidError';
  }
}

const COPY_BATCH_CHARS = 64 * 1024;

export async function importContacts(deps: ImportDeps, req: ImportRequest): Promise<ImportSummary> {
  const maxErrors = deps.maxErrors ?? 1000;
  const supported = deps.supportedLocales ?? DEFAULT_SUPPORTED_LOCALES;
  const validateOpts = { defaultRegion: deps.defaultRegion, supportedLocales: supported, labels: fieldLabels(req.format) };
  const started = Date.now();

  const client = await deps.db.connect();
  let discard = false;
  let committed = false;
  try {
    await client.query('BEGIN');
    // Checked before a byte of the body is read: a wrong id fails fast.
    assertImportable(req.campaignId, await getCampaignState(client, req.campaignId));
    await createStaging(client);

    const errors: RowError[] = [];
    let errorCount = 0;
    let rows = 0;
    let validRows = 0;
    const report = (list: RowError[]): void => {
      errorCount += list.length;
      for (const e of list) if (errors.length < maxErrors) errors.push(e);
    };

    async function* stagingText(): AsyncGenerator<Buffer> {
      let batch = '';
      try {
        for await (const parsed of parseRows(req.source, req.format)) {
          rows++;
          const result = parsed.unreadable ? ({ ok: false, errors: [] } as const) : validateRow(parsed.row, parsed.values, validateOpts);
          const line = parsed.line;
          const withLine = (e: RowError): RowError => (line === undefined ? e : { ...e, line });
          if (result.ok && parsed.problems.length === 0) {
            validRows++;
            // Once the file is known to be rejected, only ids are staged (for the duplicate check).
            batch += errorCount === 0 ? stagingLine(parsed.row, result.value) : invalidStagingLine(parsed.row, result.value.externalId);
          } else {
            report([...parsed.problems, ...(result.ok ? [] : result.errors)].map(withLine));
            batch += invalidStagingLine(parsed.row, externalIdOf(parsed.values.externalId));
          }
          if (batch.length >= COPY_BATCH_CHARS) {
            yield Buffer.from(batch);
            batch = '';
          }
        }
      } catch (err) {
        if (!(err instanceof ImportParseError)) throw err;
        report(err.errors);
      }
      if (batch) yield Buffer.from(batch);
    }
    const phases: Record<string, number> = {};
    let mark = Date.now();
    const phase = (name: string): void => {
      const now = Date.now();
      phases[`${name}Ms`] = now - mark;
      mark = now;
    };
    await pipeline(stagingText, copyIntoStaging(client));
    phase('read');

    const dups = await findDuplicateRows(client, maxErrors);
    if (errorCount > 0 || dups.count > 0) {
      const labels = fieldLabels(req.format);
      const dupErrors: RowError[] = dups.rows.map((d) => ({
        row: d.row,
        field: labels.externalId,
        code: 'duplicate_row',
        message: `${labels.externalId} repeats row ${d.firstRow}`,
      }));
      const merged = [...errors, ...dupErrors].sort((a, b) => a.row - b.row).slice(0, maxErrors);
      deps.log.info({ campaignId: req.campaignId, rows, errorCount: errorCount + dups.count, ms: Date.now() - started }, 'contact import rejected');
      throw new ImportInvalidError(merged, errorCount + dups.count);
    }

    phase('duplicates');
    await analyzeStaging(client);
    await lockImportMerge(client);
    // Re-checked under lock: the campaign may have ended while the file was uploading.
    const state = await getCampaignState(client, req.campaignId, true);
    assertImportable(req.campaignId, state);
    phase('lock');
    const imported = await insertNewCustomers(client, supported[0] ?? 'zh-CN');
    phase('insert');
    const updated = await updateExistingCustomers(client);
    phase('update');
    const added = await addCampaignContacts(client, req.campaignId);
    phase('contacts');
    const summary: ImportSummary = { imported, updated, duplicates: validRows - added, rows };
    if (req.beforeCommit) await req.beforeCommit(client, summary);
    await client.query('COMMIT');
    phase('commit');
    deps.log.info({ campaignId: req.campaignId, ...summary, ms: Date.now() - started, ...phases }, 'contacts imported');
    committed = true;
    if (req.afterCommit) await req.afterCommit(summary, state!);
    return summary;
  } catch (err) {
    if (committed) throw err;
    // Rolls back the staging table and every row merged so far; a connection that cannot
    // even roll back (a COPY cut off mid-way) is not returned to the pool.
    await client.query('ROLLBACK').catch(() => {
      discard = true;
    });
    throw mapPgError(err);
  } finally {
    client.release(discard);
  }
}

function assertImportable(campaignId: number, state: string | null): void {
  if (state === null) throw new NotFoundError('campaign', campaignId);
  if (!IMPORTABLE_STATES.includes(state)) {
    throw new ConflictError(
      'campaign_not_importable',
      `campaign ${campaignId} is ${state}: contacts can be added while it is ${IMPORTABLE_STATES.join(', ')}`,
      {
        state,
      },
    );
  }
}
