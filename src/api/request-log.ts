import type { FastifyRequest } from 'fastify';
import type { ApiApp } from './api.types.js';

/** Query parameters whose values are personal data (a DNC lookup by phone, say). */
const SENSITIVE_PARAMS = new Set(['phone', 'phones', 'number', 'name', 'q']);

/** The URL as logs may show it: path intact, sensitive query values replaced. */
export function safeUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...new Set(params.keys())]) {
    if (SENSITIVE_PARAMS.has(key.toLowerCase())) params.set(key, 'redacted');
  }
  return `${url.slice(0, q)}?${params.toString()}`;
}

/**
 * Fastify logs every request's URL; a phone number in a query string would reach the logs.
 * Request loggers get a `req` serializer that redacts those values.
 */
export function installRequestLogRedaction(app: ApiApp): void {
  app.setChildLoggerFactory(function childLogger(logger, bindings, opts) {
    return logger.child(bindings, {
      ...opts,
      serializers: {
        ...opts.serializers,
        req: (req: FastifyRequest) => ({ method: req.method, url: safeUrl(req.url), host: req.host, remoteAddress: req.ip }),
      },
    });
  });
}
