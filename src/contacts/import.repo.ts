import type { Writable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import type { DbClient, Queryable } from '../store/db.js';
import type { ValidRow } from './customer.fields.js';

/**
 * The import's SQL: a per-transaction staging table filled with COPY, then set-based checks
 * and merges. Every row of the file is staged (invalid ones with only their external id) so
 * duplicates within the file are found by the database, not by a Set in memory.
 */

export async function createStaging(q: Queryable): Promise<void> {
  await q.query(`
    CREATE TEMP TABLE import_staging (
      row_no         integer NOT NULL,
      valid          boolean NOT NULL,
      external_id    text,
      name           text,
      phones         text[],
      time_zone      text,
      locale         text,
      amount_due     numeric(14, 2),
      currency       char(3),
      due_date       date,
      days_past_due  integer,
      risk_score     smallint,
      risk_tier      text,
      email          text
    ) ON COMMIT DROP`);
}

export function copyIntoStaging(client: DbClient): Writable {
  return client.query(
    copyFrom(`COPY import_staging (row_no, valid, external_id, name, phones, time_zone, locale, amount_due, currency, due_date,
                                   days_past_due, risk_score, risk_tier, email) FROM STDIN`),
  );
}

const NULL = '\\N';
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function esc(s: string | null): string {
  if (s === null) return NULL;
  return NEEDS_ESCAPE.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : s;
}

function num(n: number | null): string {
  return n === null ? NULL : String(n);
}

/** One line of COPY text format for a valid row. Phones are E.164 (`+` and digits only). */
export function stagingLine(row: number, v: ValidRow): string {
  return `${row}\tt\t${esc(v.externalId)}\t${esc(v.name)}\t{${v.phones.join(',')}}\t${esc(v.timeZone)}\t${esc(v.locale)}\t${v.amountDue ?? NULL}\t${
    v.currency ?? NULL
  }\t${v.dueDate ?? NULL}\t${num(v.daysPastDue)}\t${num(v.riskScore)}\t${v.riskTier ?? NULL}\t${esc(v.email)}\n`;
}

/** An invalid row (or any row once the file has an error) is staged with its external id only, for the duplicate check. */
export function invalidStagingLine(row: number, externalId: string | null): string {
  return `${row}\tf\t${esc(externalId)}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n`;
}

export async function analyzeStaging(q: Queryable): Promise<void> {
  // Temporary tables are never analysed automatically; the merges join on it.
  await q.query('ANALYZE import_staging');
  // The merges sort by key (index locality, lock order): keep a million-row sort off disk.
  await q.query(`SET LOCAL work_mem = '64MB'`);
}

export interface DuplicateRow {
  row: number;
  firstRow: number;
}

/** Rows whose external id appeared in an earlier row of the same file, in file order. */
export async function findDuplicateRows(q: Queryable, limit: number): Promise<{ rows: DuplicateRow[]; count: number }> {
  const { rows } = await q.query<{ row: number; firstRow: number; total: number }>(
    `SELECT row_no AS row, first_row AS "firstRow", count(*) OVER () AS total
       FROM (SELECT row_no, min(row_no) OVER (PARTITION BY external_id) AS first_row
               FROM import_staging WHERE external_id IS NOT NULL) s
      WHERE row_no <> first_row
      ORDER BY row_no
      LIMIT $1`,
    [limit],
  );
  return { rows: rows.map((r) => ({ row: r.row, firstRow: r.firstRow })), count: rows[0]?.total ?? 0 };
}

/** Imports merge one at a time: overlapping files would otherwise deadlock on customer rows. */
export async function lockImportMerge(q: Queryable): Promise<void> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtext('ringwise.contacts-import'))`);
}

/** New customers; existing external ids are left to `updateExistingCustomers`. */
export async function insertNewCustomers(q: Queryable, defaultLocale: string): Promise<number> {
  const r = await q.query(
    `INSERT INTO customers (external_id, name, phones, time_zone, locale, amount_due, currency, due_date, days_past_due, risk_score, risk_tier, email)
     SELECT external_id, name, phones, time_zone, COALESCE(locale, $1), amount_due, currency, due_date, days_past_due, risk_score, risk_tier, email
       FROM import_staging
      WHERE valid
      ORDER BY external_id
     ON CONFLICT (external_id) DO NOTHING`,
    [defaultLocale],
  );
  return r.rowCount ?? 0;
}

/**
 * Existing customers take the file's name and phones; optional fields left empty in the file
 * keep their stored value. Only customers whose values actually change are touched (and
 * counted), so the rows just inserted, and a re-import of the same file, update nothing.
 */
export async function updateExistingCustomers(q: Queryable): Promise<number> {
  const r = await q.query(
    `UPDATE customers c
        SET name = s.name,
            phones = s.phones,
            time_zone = COALESCE(s.time_zone, c.time_zone),
            locale = COALESCE(s.locale, c.locale),
            amount_due = COALESCE(s.amount_due, c.amount_due),
            currency = COALESCE(s.currency, c.currency),
            due_date = COALESCE(s.due_date, c.due_date),
            days_past_due = COALESCE(s.days_past_due, c.days_past_due),
            risk_score = COALESCE(s.risk_score, c.risk_score),
            risk_tier = COALESCE(s.risk_tier, c.risk_tier),
            email = COALESCE(s.email, c.email),
            updated_at = now()
       FROM import_staging s
      WHERE s.valid
        AND c.external_id = s.external_id
        AND (c.name, c.phones, c.time_zone, c.locale, c.amount_due, c.currency, c.due_date, c.days_past_due, c.risk_score, c.risk_tier, c.email)
            IS DISTINCT FROM
            (s.name, s.phones, COALESCE(s.time_zone, c.time_zone), COALESCE(s.locale, c.locale), COALESCE(s.amount_due, c.amount_due),
             COALESCE(s.currency, c.currency), COALESCE(s.due_date, c.due_date), COALESCE(s.days_past_due, c.days_past_due),
             COALESCE(s.risk_score, c.risk_score), COALESCE(s.risk_tier, c.risk_tier), COALESCE(s.email, c.email))`,
  );
  return r.rowCount ?? 0;
}

/** Adds every staged customer to the campaign as `pending`; returns how many were new to it. */
export async function addCampaignContacts(q: Queryable, campaignId: number): Promise<number> {
  const r = await q.query(
    `INSERT INTO campaign_contacts (campaign_id, customer_id)
     SELECT $1, c.id
       FROM import_staging s
       JOIN customers c ON c.external_id = s.external_id
      WHERE s.valid
      ORDER BY c.id
     ON CONFLICT (campaign_id, customer_id) DO NOTHING`,
    [campaignId],
  );
  return r.rowCount ?? 0;
}
