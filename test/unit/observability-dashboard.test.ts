import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/observability/metrics.js';
import { createWorkerMetrics } from '../../src/observability/worker-metrics.js';

// The Grafana dashboard reads only metrics a worker exports: a renamed metric fails here.
describe('deploy/grafana/ringwise-workers.json', () => {
  it('queries only metric names the worker registers (or Node defaults)', async () => {
    const dash = JSON.parse(readFileSync(join(import.meta.dirname, '../../deploy/grafana/ringwise-workers.json'), 'utf8')) as {
      panels: Array<{ targets: Array<{ expr: string }> }>;
    };
    const m = new Metrics({ defaults: true });
    createWorkerMetrics(m);
    const text = await m.render();
    const known = new Set(
      [...text.matchAll(/^# TYPE (\S+) (\S+)/gm)].flatMap(([, name, type]) =>
        type === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name!],
      ),
    );
    const used = dash.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\b((?:ringwise|process|nodejs)_[a-z0-9_]+)\{/g)].map((x) => x[1]!)));
    expect(used.length).toBeGreaterThan(10);
    for (const name of used) expect(known, name).toContain(name);
  });
});
