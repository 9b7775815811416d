import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus registry, on prom-client (the de-facto Node client: exposition format,
 * label validation, Node's default metrics). One `Metrics` is built per process in deps and
 * passed to whoever records; asking for the same name twice returns the first metric, so modules
 * can share one. Label names are declared up front (prom-client refuses undeclared ones).
 */
export type { Counter, Gauge, Histogram } from 'prom-client';

export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Kind = 'counter' | 'gauge' | 'histogram';

export class Metrics {
  readonly registry = new Registry();
  private readonly kinds = new Map<string, Kind>();
  private readonly collectors: (() => void | Promise<void>)[] = [];

  /** `defaults` adds Node's own metrics (CPU, memory, event-loop lag, GC) without a prefix. */
  constructor(opts: { prefix?: string; defaults?: boolean } = {}) {
    this.prefix = opts.prefix ?? 'ringwise_';
    if (opts.defaults) collectDefaultMetrics({ register: this.registry });
  }
  private readonly prefix: string;

  private existing<T>(full: string, kind: Kind): T | undefined {
    const was = this.kinds.get(full);
    if (!was) return undefined;
    if (was !== kind) throw new Error(`metric ${full} is already a ${was}`);
    return this.registry.getSingleMetric(full) as T;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const full = this.prefix + name;
    const found = this.existing<Counter>(full, 'counter');
    if (found) return found;
    const m = new Counter({ name: full, help, labelNames, registers: [this.registry] });
    this.kinds.set(full, 'counter');
    return m;
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    const full = this.prefix + name;
    const found = this.existing<Gauge>(full, 'gauge');
    if (found) return found;
    const m = new Gauge({ name: full, help, labelNames, registers: [this.registry] });
    this.kinds.set(full, 'gauge');
    return m;
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets: number[] = DEFAULT_BUCKETS): Histogram {
    const full = this.prefix + name;
    const found = this.existing<Histogram>(full, 'histogram');
    if (found) return found;
    const m = new Histogram({ name: full, help, labelNames, buckets: [...buckets].sort((a, b) => a - b), registers: [this.registry] });
    this.kinds.set(full, 'histogram');
    return m;
  }

  /** Runs before every scrape: refresh gauges that are cheaper to read than to track. */
  onCollect(fn: () => void | Promise<void>): void {
    this.collectors.push(fn);
  }

  async render(): Promise<string> {
    // A failing collector must not take the whole scrape down; its gauges keep their last value.
    await Promise.allSettled(this.collectors.map(async (c) => c()));
    return this.registry.metrics();
  }
}
