import type { ApiApp } from './api.types.js';

/**
 * `content-type: application/json` with an empty body (what many HTTP clients send on a DELETE
 * or an action like launch) is read as `{}`: routes that take no body accept it, routes that do
 * answer with their schema's 400 `invalid_request`, never `malformed_json`. Anything else goes to
 * Fastify's own parser (prototype-poisoning checks included).
 */
export function installEmptyJsonBody(app: ApiApp): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if ((body as string).trim() === '') return done(null, {});
    return parse(req, body as string, done);
  });
}
