import { describe, expect, it } from 'vitest';
import { ProgressReporter, renderBar } from '../../../src/cli/progress.js';
import { parseBatchArgs } from '../../../src/cli/batch.command.js';
import { parseCampaignsArgs } from '../../../src/cli/campaigns.command.js';
import { parseReportArgs } from '../../../src/cli/report.command.js';
import { exitCodeFor } from '../../../src/cli/cli.options.js';
import { UsageError } from '../../../src/cli/cli.args.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/shared/errors.js';

const sink = (isTTY: boolean) => {
  const out: string[] = [];
  return { out, stream: { isTTY, columns: 80, write: (s: string) => out.push(s) } };
};

describe('progress bar', () => {
  it('renders counts, percentage and a proportional bar', () => {
    expect(renderBar({ done: 0, total: 4 }, 8)).toBe('[--------] 0/4   0%');
    expect(renderBar({ done: 2, total: 4, note: 'running' }, 8)).toBe('[####----] 2/4  50% running');
    expect(renderBar({ done: 12, total: 12 }, 8)).toBe('[########] 12/12 100%');
    expect(renderBar({ done: 3, total: 120 }, 10)).toBe('[----------]   3/120   3%');
    expect(renderBar({ done: 0, total: 0 }, 4)).toBe('[####] 0/0 100%');
  });

  it('a terminal gets one line redrawn with \\r; a pipe gets plain lines, only on change', () => {
    const tty = sink(true);
    const p = new ProgressReporter(tty.stream, 'run 1');
    p.update({ done: 1, total: 2 });
    p.update({ done: 1, total: 2 });
    p.update({ done: 2, total: 2 });
    p.finish();
    expect(tty.out.every((s, i) => (i < tty.out.length - 1 ? s.startsWith('\r') : s === '\n'))).toBe(true);
    expect(tty.out).toHaveLength(3);

    const pipe = sink(false);
    const q = new ProgressReporter(pipe.stream, 'run 1');
    q.update({ done: 1, total: 2 });
    q.update({ done: 1, total: 2 });
    q.update({ done: 2, total: 2 });
    q.finish();
    expect(pipe.out.join('')).toBe(`run 1 ${renderBar({ done: 1, total: 2 })}\nrun 1 ${renderBar({ done: 2, total: 2 })}\n`);
  });
});

describe('CLI arguments and exit codes', () => {
  it('batch run', () => {
    expect(parseBatchArgs(['run', '--schedule', 'n', '--wait'])).toEqual({ mode: 'schedule', name: 'n', wait: true });
    expect(parseBatchArgs(['run', '--file=c.json', '--template', 't'])).toEqual({ mode: 'file', name: 't', file: 'c.json', format: 'json', wait: false });
    for (const bad of [
      [],
      ['go'],
      ['run'],
      ['run', '--schedule'],
      ['run', '--schedule', 'a', '--template', 'b'],
      ['run', '--file', 'x.csv'],
      ['run', '--schedule', 'a', '--wat'],
      ['run', '--schedule', 'a', 'extra'],
    ]) {
      expect(() => parseBatchArgs(bad), bad.join(' ')).toThrow(UsageError);
    }
  });

  it('campaigns and report', () => {
    expect(parseCampaignsArgs(['pause', '12'])).toEqual({ action: 'pause', id: 12 });
    expect(parseCampaignsArgs(['list', '--state', 'running'])).toEqual({ action: 'list', state: 'running', limit: 50 });
    expect(() => parseCampaignsArgs(['pause', '1.5'])).toThrow(UsageError);
    expect(() => parseCampaignsArgs(['list', '--state', 'sleeping'])).toThrow(UsageError);
    expect(parseReportArgs(['--run', '3', '--csv'])).toEqual({ runId: 3, csv: true });
    expect(() => parseReportArgs(['--csv'])).toThrow(UsageError);
  });

  it('maps errors to the documented codes', () => {
    expect(exitCodeFor(new UsageError('x'))).toBe(2);
    expect(exitCodeFor(new ValidationError('bad cron', undefined, 'invalid_cron'))).toBe(2);
    expect(exitCodeFor(new NotFoundError('schedule', 'x'))).toBe(3);
    expect(exitCodeFor(new ConflictError('invalid_transition', 'no'))).toBe(4);
    expect(exitCodeFor(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(5);
    expect(exitCodeFor(new Error('boom'))).toBe(1);
  });
});
