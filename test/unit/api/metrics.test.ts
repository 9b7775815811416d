import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/observability/metrics.js';

describe('Metrics registry (prom-client, Prometheus text)', () => {
  it('renders counters, gauges and histograms with labels', async () => {
    const m = new Metrics();
    const c = m.counter('calls_total', 'calls placed', ['outcome']);
    c.inc({ outcome: 'busy' });
    c.inc({ outcome: 'busy' }, 2);
    c.inc({ outcome: 'no_answer' });
    const g = m.gauge('live_calls', 'calls in progress');
    g.set(4);
    g.inc();
    g.dec(2);
    const h = m.histogram('ring_seconds', 'ring time', ['campaign'], [5, 1]);
    h.observe({ campaign: 1 }, 0.5);
    h.observe({ campaign: 1 }, 3);
    h.observe({ campaign: 1 }, 9);
    const text = await m.render();
    expect(text).toContain('# HELP ringwise_calls_total calls placed\n# TYPE ringwise_calls_total counter\n');
    expect(text).toContain('ringwise_calls_total{outcome="busy"} 3\n');
    expect(text).toContain('ringwise_calls_total{outcome="no_answer"} 1\n');
    expect(text).toContain('# TYPE ringwise_live_calls gauge\nringwise_live_calls 3\n');
    expect(text).toContain('ringwise_ring_seconds_bucket{le="1",campaign="1"} 1\n');
    expect(text).toContain('ringwise_ring_seconds_bucket{le="5",campaign="1"} 2\n');
    expect(text).toContain('ringwise_ring_seconds_bucket{le="+Inf",campaign="1"} 3\n');
    expect(text).toContain('ringwise_ring_seconds_sum{campaign="1"} 12.5\n');
    expect(text).toContain('ringwise_ring_seconds_count{campaign="1"} 3\n');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('escapes label values and prints an untouched counter as 0', async () => {
    const m = new Metrics();
    m.counter('errors_total', 'errors');
    m.counter('odd_total', 'odd', ['a', 'b']).inc({ b: 'x"y\\z\nw', a: 1 });
    const text = await m.render();
    expect(text).toContain('ringwise_errors_total 0\n');
    expect(text).toContain('ringwise_odd_total{b="x\\"y\\\\z\\nw",a="1"} 1\n');
  });

  it('returns the same metric for the same name, refuses a kind clash, bad names, undeclared labels and negative counters', () => {
    const m = new Metrics();
    expect(m.counter('x_total', 'x')).toBe(m.counter('x_total', 'x'));
    expect(() => m.gauge('x_total', 'x')).toThrow(/already a counter/);
    expect(() => m.counter('bad name', 'x')).toThrow(/Invalid metric name/i);
    expect(() => m.counter('x_total', 'x').inc(-1)).toThrow(/decrease/i);
    expect(() => m.counter('y_total', 'y').inc({ other: 1 })).toThrow(/label/i);
  });

  it('runs collectors before each scrape and survives a failing one', async () => {
    const m = new Metrics();
    const g = m.gauge('queue_depth', 'jobs waiting', ['queue']);
    let depth = 7;
    m.onCollect(() => g.set({ queue: 'dial' }, depth));
    m.onCollect(async () => {
      throw new Error('redis down');
    });
    expect(await m.render()).toContain('ringwise_queue_depth{queue="dial"} 7\n');
    depth = 9;
    expect(await m.render()).toContain('ringwise_queue_depth{queue="dial"} 9\n');
  });

  it('adds Node default metrics when asked', async () => {
    expect(await new Metrics().render()).not.toContain('process_cpu_seconds_total');
    const text = await new Metrics({ defaults: true }).render();
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});
