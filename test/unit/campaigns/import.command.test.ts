import { describe, expect, it } from 'vitest';
import { formatRowError, parseImportArgs } from '../../../src/cli/import.command.js';
import { UsageError } from '../../../src/cli/cli.args.js';

describe('ringwise import arguments', () => {
  it('reads campaign, file and format (from the extension unless given)', () => {
    expect(parseImportArgs(['--campaign', '7', '--file', 'a.csv'])).toEqual({ campaignId: 7, file: 'a.csv', format: 'csv' });
    expect(parseImportArgs(['--file=b.JSON', '--campaign=8'])).toEqual({ campaignId: 8, file: 'b.JSON', format: 'json' });
    expect(parseImportArgs(['--campaign', '9', '--file', '-', '--format', 'json'])).toEqual({ campaignId: 9, file: '-', format: 'json' });
  });

  it.each([
    [[]],
    [['--file', 'a.csv']],
    [['--campaign', 'x', '--file', 'a.csv']],
    [['--campaign', '0', '--file', 'a.csv']],
    [['--campaign', '1']],
    [['--campaign', '1', '--file']],
    [['--campaign', '1', '--file', 'a.csv', '--format', 'xml']],
    [['--campaign', '1', '--file', 'a.csv', 'extra']],
  ])('refuses %j', (args) => {
    expect(() => parseImportArgs(args)).toThrow(UsageError);
  });

  it('prints an error with its row, line and field', () => {
    expect(formatRowError({ row: 3, line: 4, field: 'phone', code: 'phone_too_short', message: 'phone number is too short' })).toBe(
      'row 3 (line 4) phone: phone_too_short: phone number is too short',
    );
    expect(formatRowError({ row: 2, field: null, code: 'not_an_object', message: 'element 2 is not an object' })).toBe(
      'row 2: not_an_object: element 2 is not an object',
    );
  });
});
