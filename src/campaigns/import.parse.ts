import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { JsonArrayScanner, JsonStreamError } from './import.json-stream.js';
import { CSV_COLUMNS, IMPORT_FIELDS, REQUIRED_FIELDS, type ImportField, type RawValues, type RowError } from '../contacts/customer.fields.js';

/**
 * Streams → one raw row at a time. Nothing here holds more than one record (bounded by
 * MAX_RECORD_BYTES) plus the parser's read buffer, whatever the size of the file.
 *
 * Row numbers: 1-based data rows. In CSV the header is row 0 and blank lines are not rows;
 * CSV rows also carry the (last) physical line they were read from.
 */

export type ImportFormat = 'csv' | 'json';

export interface ParsedRow {
  row: number;
  /** CSV only: the line the record ended on (1-based, the header is line 1). */
  line?: number;
  values: RawValues;
  /** Problems the parser already found in this row (unknown keys, wrong field count...). */
  problems: RowError[];
  /** Not a record at all (a JSON element that is not an object): nothing to validate. */
  unreadable?: boolean;
}

/** The input cannot be read any further (broken quoting, bad header, malformed JSON). */
export class ImportParseError extends Error {
  constructor(readonly errors: RowError[]) {
    super(errors[0]?.message ?? 'import cannot be parsed');
    this.name = 'ImportParseError';
  }
}

/** One record (a CSV row or a JSON array element) larger than this is refused. */
export const MAX_RECORD_BYTES = 64 * 1024;

export function fieldLabels(format: ImportFormat): Record<ImportField, string> {
  if (format === 'csv') return CSV_COLUMNS;
  return Object.fromEntries(IMPORT_FIELDS.map((f) => [f, f])) as Record<ImportField, string>;
}

export function parseRows(source: Readable, format: ImportFormat): AsyncGenerator<ParsedRow> {
  return format === 'csv' ? parseCsv(source) : parseJson(source);
}

const COLUMN_TO_FIELD = new Map(Object.entries(CSV_COLUMNS).map(([f, c]) => [c, f as ImportField]));

function checkHeader(cells: string[]): ImportField[] {
  const errors: RowError[] = [];
  const fields: ImportField[] = [];
  const seen = new Set<string>();
  cells.forEach((cell, i) => {
    const name = cell.trim().toLowerCase();
    const field = COLUMN_TO_FIELD.get(name);
    if (!field) {
      const shown = name === '' ? `column ${i + 1} has no name` : `unknown column "${name.slice(0, 64)}"`;
      errors.push({ row: 0, field: name.slice(0, 64), code: 'unknown_column', message: `${shown} (expected: ${Object.values(CSV_COLUMNS).join(', ')})` });
    } else if (seen.has(name)) {
      errors.push({ row: 0, field: name, code: 'duplicate_column', message: `column "${name}" appears twice` });
    }
    seen.add(name);
    if (field) fields.push(field);
  });
  for (const f of REQUIRED_FIELDS) {
    const col = CSV_COLUMNS[f];
    if (!seen.has(col)) errors.push({ row: 0, field: col, code: 'missing_column', message: `required column "${col}" is missing` });
  }
  if (errors.length > 0) throw new ImportParseError(errors);
  return cells.map((c) => COLUMN_TO_FIELD.get(c.trim().toLowerCase())!);
}

async function* parseCsv(source: Readable): AsyncGenerator<ParsedRow> {
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_RECORD_BYTES, info: true });
  // Errors of either side surface through the parser's iterator below.
  pipeline(source, parser).catch(() => undefined);
  let header: ImportField[] | null = null;
  let row = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        header = checkHeader(record);
        continue;
      }
      row++;
      const values: RawValues = {};
      const problems: RowError[] = [];
      if (record.length !== header.length) {
        problems.push({ row, field: null, code: 'wrong_field_count', message: `line ${info.lines}: ${record.length} fields, the header has ${header.length}` });
      }
      const n = Math.min(record.length, header.length);
      for (let i = 0; i < n; i++) values[header[i]!] = record[i];
      yield { row, line: info.lines, values, problems };
    }
  } catch (err) {
    if (err instanceof CsvError) {
      const { lines, records } = err as CsvError & { lines?: number; records?: number };
      // The parser runs ahead of us: count from its records (the header is record 1).
      const failed = typeof records === 'number' ? records : row + 1;
      const hint = err.code === 'CSV_MAX_RECORD_SIZE' ? ' (an unclosed quote?)' : '';
      throw new ImportParseError([{ row: failed, field: null, code: 'csv_malformed', message: `line ${lines ?? '?'}: ${err.message}${hint}` }]);
    }
    throw err;
  }
  if (!header)
    throw new ImportParseError([
      { row: 0, field: null, code: 'missing_header', message: `the file is empty: a header row is required (${Object.values(CSV_COLUMNS).join(', ')})` },
    ]);
}

const KNOWN_KEYS = new Set<string>(IMPORT_FIELDS);

async function* parseJson(source: Readable): AsyncGenerator<ParsedRow> {
  const scanner = new JsonArrayScanner(MAX_RECORD_BYTES);
  let row = 0;
  const toRow = (text: string): ParsedRow => {
    row++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      // V8 quotes the offending text in some messages: keep customer data out of error bodies.
      const reason = (err as Error).message.replace(/, ".*" is not valid JSON$/s, '');
      throw new ImportParseError([{ row, field: null, code: 'json_malformed', message: `element ${row}: ${reason}` }]);
    }
    const problems: RowError[] = [];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ row, field: null, code: 'not_an_object', message: `element ${row} is not an object` });
      return { row, values: {}, problems, unreadable: true };
    }
    const values: RawValues = {};
    for (const [k, v] of Object.entries(value)) {
      if (KNOWN_KEYS.has(k)) values[k as ImportField] = v;
      else problems.push({ row, field: k.slice(0, 64), code: 'unknown_field', message: `unknown field "${k.slice(0, 64)}"` });
    }
    return { row, values, problems };
  };
  try {
    for await (const chunk of source as AsyncIterable<Buffer | string>) {
      for (const text of scanner.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) yield toRow(text);
    }
    for (const text of scanner.end()) yield toRow(text);
  } catch (err) {
    if (err instanceof JsonStreamError) {
      const code = err.tooLarge ? 'row_too_large' : 'json_malformed';
      throw new ImportParseError([{ row: scanner.elements + 1, field: null, code, message: err.message }]);
    }
    throw err;
  }
}
