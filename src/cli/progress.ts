import type { Out } from './cli.options.js';

export interface ProgressState {
  done: number;
  total: number;
  /** Extra words after the counts (status, states). */
  note?: string;
}

/** Pure: `[########------------]  8/20  40% note`. A run without contacts shows an empty bar at 100%. */
export function renderBar(p: ProgressState, width = 24): string {
  const ratio = p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 1;
  const filled = Math.round(ratio * width);
  const digits = String(p.total).length;
  const counts = `${String(p.done).padStart(digits)}/${p.total}`;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${counts} ${String(Math.round(ratio * 100)).padStart(3)}%${p.note ? ` ${p.note}` : ''}`;
}

/**
 * Progress on stderr: on a terminal one line redrawn in place; otherwise (a log file, cron's
 * mail) a plain line only when something changed, so the output stays readable.
 */
export class ProgressReporter {
  private last = '';
  private drawn = false;

  constructor(
    private readonly out: Out & { isTTY?: boolean; columns?: number },
    private readonly label: string,
  ) {}

  update(p: ProgressState): void {
    const line = `${this.label} ${renderBar(p)}`;
    if (line === this.last) return;
    this.last = line;
    if (this.out.isTTY) {
      const cols = this.out.columns ?? 120;
      this.out.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, Math.max(line.length, this.width)))}`);
      this.width = Math.max(this.width, line.length);
      this.drawn = true;
    } else {
      this.out.write(`${line}\n`);
    }
  }

  /** Ends the redrawn line so what follows starts on its own. */
  finish(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }

  private width = 0;
}
