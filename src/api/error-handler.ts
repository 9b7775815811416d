import type { FastifyError } from 'fastify';
import type { ApiApp } from './api.types.js';
import { isAppError } from '../shared/errors.js';

/**
 * One error shape for every failure: `{ error: { code, message, details } }`. Client mistakes
 * keep their message; anything unexpected is logged with its request and shown as a bare 500.
 */
export function installErrorHandler(app: ApiApp): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    if (isAppError(err)) {
      if (err.status >= 500) req.log.error({ err }, 'request failed');
      return reply.status(err.status).send({ error: { code: err.code, message: err.message, details: err.details ?? null } });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      return reply.status(400).send({
        error: {
          code: 'invalid_request',
          message: fe.message,
          details: fe.validation.map((v) => ({
            path: v.instancePath || v.params?.['missingProperty'] || '',
            message: v.message,
            keyword: v.keyword,
            params: v.params,
          })),
        },
      });
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send({ error: { code: clientCode(fe), message: fe.message, details: null } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: 'internal error', details: null } });
  });

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: { code: 'route_not_found', message: `no route ${req.method} ${req.url.split('?')[0]}`, details: null } });
  });
}

function clientCode(err: FastifyError): string {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'malformed_json';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'body_too_large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported_media_type';
    default:
      return (err.code ?? 'bad_request').replace(/^FST_ERR_/, '').toLowerCase();
  }
}
