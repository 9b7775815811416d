import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { ApiApp } from './api.types.js';

const pascal = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

/**
 * The operationId a route gets when it names none: the method and the path's words, parameters as
 * `By<Name>`: `GET /v1/campaigns/:id/stats` → `getCampaignsByIdStats`, `GET /v1/calls.csv` →
 * `getCallsCsv`. Derived from the path alone, so it changes only when the route does; generated
 * clients keep their method names.
 */
export function operationIdFor(method: string, url: string): string {
  const words = url
    .split('/')
    .filter((p) => p && p !== 'v1')
    .flatMap((p) => (p.startsWith(':') ? [`by${pascal(p.slice(1))}`] : p.split(/[^A-Za-z0-9]+/)))
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => pascal(w)).join('');
}

/** OpenAPI from the route schemas: the spec at /docs/json, the UI at /docs. Register before routes. */
export async function installDocs(app: ApiApp): Promise<void> {
  // Before swagger's own onRoute hook, which reads the schema as it is then.
  app.addHook('onRoute', (route) => {
    if (!route.schema || (route.schema as { hide?: boolean }).hide || (route.schema as { operationId?: string }).operationId) return;
    const method = Array.isArray(route.method) ? route.method[0]! : route.method;
    route.schema = { ...route.schema, operationId: operationIdFor(method, route.url) } as typeof route.schema;
  });
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
      // Relative: the document describes the server that serves it, wherever it is deployed.
      servers: [{ url: '/', description: 'this API (the origin serving this document)' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
