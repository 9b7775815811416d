import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config.js';
import type { Db } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import { installErrorHandler } from './error-handler.js';
import { healthRoutes } from './health.routes.js';

/** The app type every route module registers on: TypeBox schemas give the handlers their types. */
export type ApiApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface ApiDeps {
  config: Config;
  log: Logger;
  db: Db;
  /** Named dependency probes for /readyz; each resolves when that dependency answers. */
  readiness: Record<string, () => Promise<unknown>>;
}

/** Builds the app without listening: tests drive it with `app.inject`, server.ts listens. */
export async function buildApp(deps: ApiDeps): Promise<ApiApp> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: deps.config.api.bodyLimitBytes,
    disableRequestLogging: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandler(app);
  await app.register(healthRoutes, deps);
  return app;
}
