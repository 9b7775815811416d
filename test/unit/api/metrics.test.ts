import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/observability/metrics.js';

describe('Metrics registry (Prometheus text)', () => {
  it('renders counters, gauges and histograms with labels', async () => {
    const m = new Metrics();
    const c = m.counter('calls_total', 'calls placed');
    c.inc({ outcome: 'busy' });
    c.inc({ outcome: 'busy' }, 2);
    c.inc({ outcome: 'no_answer' });
    const g = m.gauge('live_calls', 'calls in progress');
    g.set(4);
    g.inc();
    g.dec(undefined, 2);
    const h = m.histogram('ring_seconds', 'ring time', [1, 5]);
    h.observe({ campaign: 1 }, 0.5);
    h.observe({ campaign: 1 }, 3);
    h.observe({ campaign: 1 }, 9);
    const text = await m.render();
    expect(text).toContain('# HELP ringwise_calls_total calls placed\n# TYPE ringwise_calls_total counter\n');
    expect(text).toContain('ringwise_calls_total{outcome="busy"} 3\n');
    expect(text).toContain('ringwise_calls_total{outcome="no_answer"} 1\n');
    expect(text).toContain('# TYPE ringwise_live_calls gauge\nringwise_live_calls 3\n');
    expect(text).toContain('ringwise_ring_seconds_bucket{campaign="1",le="1"} 1\n');
    expect(text).toContain('ringwise_ring_seconds_bucket{campaign="1",le="5"} 2\n');
    expect(text).toContain('ringwise_ring_seconds_bucket{campaign="1",le="+Inf"} 3\n');
    expect(text).toContain('ringwise_ring_seconds_sum{campaign="1"} 12.5\n');
    expect(text).toContain('ringwise_ring_seconds_count{campaign="1"} 3\n');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('sorts label names, escapes label values, and prints an untouched counter as 0', async () => {
    const m = new Metrics();
    m.counter('errors_total', 'errors');
    m.counter('odd_total', 'odd').inc({ b: 'x"y\\z\nw', a: 1 });
    const text = await m.render();
    expect(text).toContain('ringwise_errors_total 0\n');
    expect(text).toContain('ringwise_odd_total{a="1",b="x\\"y\\\\z\\nw"} 1\n');
  });

  it('returns the same metric for the same name, refuses a kind clash, bad names and negative counters', () => {
    const m = new Metrics();
    expect(m.counter('x_total', 'x')).toBe(m.counter('x_total', 'x'));
    expect(() => m.gauge('x_total', 'x')).toThrow(/already a counter/);
    expect(() => m.counter('bad name', 'x')).toThrow(/invalid metric name/);
    expect(() => m.counter('x_total', 'x').inc({}, -1)).toThrow(/cannot decrease/);
    expect(() => m.counter('y_total', 'y').inc({ 'bad-label': 1 })).toThrow(/invalid label/);
  });

  it('runs collectors before each scrape and survives a failing one', async () => {
    const m = new Metrics();
    const g = m.gauge('queue_depth', 'jobs waiting');
    let depth = 7;
    m.onCollect(() => g.set({ queue: 'dial' }, depth));
    m.onCollect(async () => {
      throw new Error('redis down');
    });
    expect(await m.render()).toContain('ringwise_queue_depth{queue="dial"} 7\n');
    depth = 9;
    expect(await m.render()).toContain('ringwise_queue_depth{queue="dial"} 9\n');
  });
});
