/**
 * A small Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms
 * with labels. One `Metrics` is built per process in deps and passed to whoever records;
 * registering the same name twice returns the first metric, so modules can share one.
 */
export type Labels = Record<string, string | number>;

type Kind = 'counter' | 'gauge' | 'histogram';

interface MetricBase {
  readonly name: string;
  readonly help: string;
  readonly kind: Kind;
  lines(): string[];
}

export interface Counter {
  inc(labels?: Labels, value?: number): void;
}
export interface Gauge {
  set(labels: Labels, value: number): void;
  set(value: number): void;
  inc(labels?: Labels, value?: number): void;
  dec(labels?: Labels, value?: number): void;
}
export interface Histogram {
  observe(labels: Labels, value: number): void;
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelKey(labels: Labels | undefined): string {
  if (!labels) return '';
  const keys = Object.keys(labels).sort();
  for (const k of keys) if (!LABEL_RE.test(k)) throw new Error(`invalid label name ${k}`);
  return keys.map((k) => `${k}="${escapeLabel(String(labels[k]))}"`).join(',');
}

function fmt(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

class ValueMetric implements MetricBase, Counter, Gauge {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly kind: 'counter' | 'gauge',
  ) {}

  inc(labels?: Labels, value = 1): void {
    if (this.kind === 'counter' && value < 0) throw new Error(`counter ${this.name} cannot decrease`);
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + value);
  }
  dec(labels?: Labels, value = 1): void {
    this.inc(labels, -value);
  }
  set(a: Labels | number, b?: number): void {
    if (typeof a === 'number') this.values.set('', a);
    else this.values.set(labelKey(a), b ?? 0);
  }
  lines(): string[] {
    if (this.values.size === 0 && this.kind === 'counter') return [`${this.name} 0`];
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${fmt(v)}`);
  }
}

class HistogramMetric implements MetricBase, Histogram {
  readonly kind = 'histogram' as const;
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const k = labelKey(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i]!++;
    });
    s.sum += value;
    s.count++;
  }
  lines(): string[] {
    const out: string[] = [];
    for (const [k, s] of this.series) {
      const sep = k ? `${k},` : '';
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket{${sep}le="${fmt(b)}"} ${s.counts[i]}`));
      out.push(`${this.name}_bucket{${sep}le="+Inf"} ${s.count}`);
      out.push(`${this.name}_sum${k ? `{${k}}` : ''} ${fmt(s.sum)}`);
      out.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return out;
  }
}

export class Metrics {
  private readonly metrics = new Map<string, MetricBase>();
  private readonly collectors: (() => void | Promise<void>)[] = [];

  constructor(private readonly prefix = 'ringwise_') {}

  private register<M extends MetricBase>(name: string, kind: Kind, make: (full: string) => M): M {
    const full = this.prefix + name;
    if (!NAME_RE.test(full)) throw new Error(`invalid metric name ${full}`);
    const existing = this.metrics.get(full);
    if (existing) {
      if (existing.kind !== kind) throw new Error(`metric ${full} is already a ${existing.kind}`);
      return existing as M;
    }
    const m = make(full);
    this.metrics.set(full, m);
    return m;
  }

  counter(name: string, help: string): Counter {
    return this.register(name, 'counter', (full) => new ValueMetric(full, help, 'counter'));
  }
  gauge(name: string, help: string): Gauge {
    return this.register(name, 'gauge', (full) => new ValueMetric(full, help, 'gauge'));
  }
  histogram(name: string, help: string, buckets: number[] = DEFAULT_BUCKETS): Histogram {
    const sorted = [...buckets].sort((a, b) => a - b);
    return this.register(name, 'histogram', (full) => new HistogramMetric(full, help, sorted));
  }
  /** Runs before every scrape: refresh gauges that are cheaper to read than to track. */
  onCollect(fn: () => void | Promise<void>): void {
    this.collectors.push(fn);
  }

  async render(): Promise<string> {
    // A failing collector must not take the whole scrape down; its gauges keep their last value.
    await Promise.allSettled(this.collectors.map(async (c) => c()));
    const out: string[] = [];
    for (const m of this.metrics.values()) {
      out.push(`# HELP ${m.name} ${m.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      out.push(`# TYPE ${m.name} ${m.kind}`);
      out.push(...m.lines());
    }
    return out.join('\n') + '\n';
  }
}
