import { CONTENT_TYPE, type Metrics } from '../observability/metrics.js';
import type { ApiApp } from './api.types.js';

/**
 * Counts and times every request by its route template (never the raw URL, so ids cannot blow
 * up the label space). Installed on the root app so it sees every route.
 */
export function installHttpMetrics(app: ApiApp, metrics: Metrics): void {
  const requests = metrics.counter('http_requests_total', 'HTTP requests by method, route and status code', ['method', 'route', 'status']);
  const duration = metrics.histogram('http_request_duration_seconds', 'HTTP request latency by method and route', ['method', 'route']);
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ method: req.method, route, status: reply.statusCode });
    duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });
}

/** `GET /metrics`: Prometheus text, unauthenticated like /healthz (bind the API privately). */
export async function metricsRoutes(app: ApiApp, opts: { metrics: Metrics }): Promise<void> {
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const body = await opts.metrics.render();
    return reply.type(CONTENT_TYPE).send(body);
  });
}
