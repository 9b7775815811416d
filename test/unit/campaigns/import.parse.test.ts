import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ImportParseError, MAX_RECORD_BYTES, parseRows, type ImportFormat, type ParsedRow } from '../../../src/campaigns/import.parse.js';
import { JsonArrayScanner, JsonStreamError } from '../../../src/campaigns/import.json-stream.js';

/** Feeds `text` in chunks of `size` bytes, so every boundary case gets exercised. */
function chunked(text: string, size = 7): Readable {
  const buf = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

async function collect(text: string, format: ImportFormat, size?: number): Promise<{ rows: ParsedRow[]; error?: ImportParseError }> {
  const rows: ParsedRow[] = [];
  try {
    for await (const r of parseRows(chunked(text, size), format)) rows.push(r);
    return { rows };
  } catch (err) {
    if (err instanceof ImportParseError) return { rows, error: err };
    throw err;
  }
}

describe('CSV rows', () => {
  it('maps columns (any case, any order, BOM) to fields, with 1-based rows and their lines', async () => {
    const { rows, error } = await collect('\uFEFFPhone, Name ,external_id\n13800138000,"A, ""B""",X-1\n\n"1380013\n8001",C,X-2\n', 'csv');
    expect(error).toBeUndefined();
    expect(rows).toEqual([
      { row: 1, line: 2, values: { phone: '13800138000', name: 'A, "B"', externalId: 'X-1' }, problems: [] },
      { row: 2, line: 5, values: { phone: '1380013\n8001', name: 'C', externalId: 'X-2' }, problems: [] },
    ]);
  });

  it('reports header problems together as row 0', async () => {
    const { error } = await collect('external_id,nam,external_id,,amount\n', 'csv');
    expect(error?.errors.map((e) => [e.row, e.field, e.code])).toEqual([
      [0, 'nam', 'unknown_column'],
      [0, 'external_id', 'duplicate_column'],
      [0, '', 'unknown_column'],
      [0, 'amount', 'unknown_column'],
      [0, 'name', 'missing_column'],
      [0, 'phone', 'missing_column'],
    ]);
  });

  it('needs a header', async () => {
    for (const empty of ['', '\n\n']) {
      const { error } = await collect(empty, 'csv');
      expect(error?.errors).toEqual([{ row: 0, field: null, code: 'missing_header', message: expect.stringContaining('a header row is required') }]);
    }
  });

  it('flags rows with the wrong number of fields and keeps going', async () => {
    const { rows, error } = await collect('external_id,name,phone\nA,B\nC,D,E,F\nG,H,I\n', 'csv');
    expect(error).toBeUndefined();
    expect(rows.map((r) => r.problems.map((p) => [p.row, p.code, p.message]))).toEqual([
      [[1, 'wrong_field_count', 'line 2: 2 fields, the header has 3']],
      [[2, 'wrong_field_count', 'line 3: 4 fields, the header has 3']],
      [],
    ]);
  });

  it('stops at broken quoting with the row and line, whatever the chunking', async () => {
    const text = 'external_id,name,phone\nA,B,1\nC,"D"x,2\nE,F,3\n';
    for (const size of [1, 5, 1024]) {
      const { error } = await collect(text, 'csv', size);
      expect(error?.errors, String(size)).toEqual([
        { row: 2, field: null, code: 'csv_malformed', message: expect.stringMatching(/^line 3: Invalid Closing Quote/) },
      ]);
    }
  });

  it('stops at an unclosed quote before buffering the rest of the file', async () => {
    const text = `external_id,name,phone\nA,"B,1\n${'x,y,z\n'.repeat(MAX_RECORD_BYTES / 6 + 10)}`;
    const { error } = await collect(text, 'csv', 4096);
    expect(error?.errors).toEqual([{ row: 1, field: null, code: 'csv_malformed', message: expect.stringContaining('(an unclosed quote?)') }]);
  });
});

describe('JSON rows', () => {
  it('splits an array into elements across any chunking, multi-byte text included', async () => {
    const text = ' [ {"externalId":"A","name":"张伟 \\"x\\" ]}[,","phone":["1","2"]} ,\n{"externalId":"B","nested":{"a":[1,{"b":"}"}]}} ] \n';
    for (const size of [1, 2, 3, 16, 4096]) {
      const { rows, error } = await collect(text, 'json', size);
      expect(error, String(size)).toBeUndefined();
      expect(rows).toEqual([
        { row: 1, values: { externalId: 'A', name: '张伟 "x" ]}[,', phone: ['1', '2'] }, problems: [] },
        { row: 2, values: { externalId: 'B' }, problems: [{ row: 2, field: 'nested', code: 'unknown_field', message: 'unknown field "nested"' }] },
      ]);
    }
  });

  it('an empty array has no rows', async () => {
    expect((await collect('[]', 'json')).rows).toEqual([]);
    expect((await collect(' [ \n ] ', 'json')).rows).toEqual([]);
  });

  it('marks non-object elements unreadable', async () => {
    const { rows } = await collect('[1, "x", null, [], true, {"name":"n"}]', 'json', 3);
    expect(rows.map((r) => [r.row, r.unreadable ?? false, r.problems.map((p) => p.code)])).toEqual([
      [1, true, ['not_an_object']],
      [2, true, ['not_an_object']],
      [3, true, ['not_an_object']],
      [4, true, ['not_an_object']],
      [5, true, ['not_an_object']],
      [6, false, []],
    ]);
  });

  it.each([
    ['', 1, 'json_malformed', /the body is empty/],
    ['{"a":1}', 1, 'json_malformed', /must be a JSON array/],
    ['[{"a":1}', 2, 'json_malformed', /the array is not closed/],
    ['[{"a":1},]', 2, 'json_malformed', /unexpected "\]"/],
    ['[,{"a":1}]', 1, 'json_malformed', /unexpected ","/],
    ['[{"a":1} {"b":2}]', 2, 'json_malformed', /expected "," or "\]" after element 1/],
    ['[{"a":1}] x', 2, 'json_malformed', /unexpected data after the end/],
    ['[{"a":1},{"a":}]', 2, 'json_malformed', /^element 2: /],
    ['[{"a":1},{"a":1]]', 2, 'json_malformed', /^element 2: /],
  ])('%j is malformed at row %i', async (text, row, code, message) => {
    const { error } = await collect(text, 'json', 2);
    expect(error?.errors).toHaveLength(1);
    expect(error?.errors[0]).toMatchObject({ row, field: null, code });
    expect(error?.errors[0]?.message).toMatch(message);
  });

  it('keeps the element text out of the message', async () => {
    const { error } = await collect('[{"name":"张伟", "phone": 13800138000x}]', 'json');
    expect(error?.errors[0]?.message).toMatch(/^element 1: /);
    expect(error?.errors[0]?.message).not.toMatch(/张伟|13800138000/);
  });

  it('refuses an element larger than the record limit without buffering it', async () => {
    const text = `[{"name":"${'x'.repeat(MAX_RECORD_BYTES + 10)}"}]`;
    const { error } = await collect(text, 'json', 1024);
    expect(error?.errors).toEqual([{ row: 1, field: null, code: 'row_too_large', message: `element 1 is larger than ${MAX_RECORD_BYTES} bytes` }]);
  });
});

describe('JsonArrayScanner', () => {
  it('reports the byte offset of a structural error', () => {
    const s = new JsonArrayScanner(1000);
    expect(s.push(Buffer.from('[1,2'))).toEqual(['1']);
    expect(() => s.push(Buffer.from(' 3]'))).toThrow(JsonStreamError);
    try {
      new JsonArrayScanner(1000).push(Buffer.from('  x'));
    } catch (err) {
      expect((err as JsonStreamError).offset).toBe(2);
    }
  });
});
