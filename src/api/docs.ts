import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { ApiApp } from './api.types.js';

/** OpenAPI from the route schemas: the spec at /docs/json, the UI at /docs. Register before routes. */
export async function installDocs(app: ApiApp): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'ringwise control API',
        version: '1',
        description: [
          'Outbound payment-reminder dialer. Every /v1 route needs `Authorization: Bearer <key>` (401 `unauthorized` without a valid key, 403 `forbidden` for a role the route does not list; admin passes every check).',
          'Errors are `{error: {code, message, details}}`: 400 `invalid_request` (schema; unknown fields are rejected), `malformed_json`, `invalid_cursor`; 404 `not_found`; 409 `invalid_transition`, `campaign_not_editable`, `conflict`; 413 `body_too_large`; 415 `unsupported_media_type`; 422 for values a schema cannot judge (`invalid_time_zone`, `phone_*`, ...).',
          'Personal data: names and phone numbers are masked for the viewer role; the calls CSV export carries full numbers only for admin and supervisor.',
          'Lists are newest first with `limit` (1-500) and an opaque `cursor` (`nextCursor` of the previous page, null on the last).',
        ].join('\n\n'),
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
