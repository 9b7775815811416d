import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { ApiApp } from './app.js';

/** OpenAPI from the route schemas: the spec at /docs/json, the UI at /docs. Register before routes. */
export async function installDocs(app: ApiApp): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'ringwise control API',
        version: '1',
        description:
          'Outbound payment-reminder dialer. Every /v1 route needs `Authorization: Bearer <key>`; errors are `{error: {code, message, details}}`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
