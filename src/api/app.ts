import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { installErrorHandler } from './error-handler.js';
import { healthRoutes } from './health.routes.js';
import { installAuth } from '../auth/auth.js';
import { installDocs } from './docs.js';
import { installHttpMetrics, metricsRoutes } from './metrics.routes.js';
import { Metrics } from '../observability/metrics.js';
import { auditRoutes } from './audit.routes.js';
import { promptsRoutes } from './prompts.routes.js';
import { contactsRoutes } from './contacts.routes.js';
import { installValidation } from './validation.js';
import { installJsonParser } from './json-body.js';
import { installRequestLogRedaction } from './request-log.js';
import { campaignsRoutes } from './campaigns.routes.js';
import { dncRoutes } from './dnc.routes.js';
import { customersRoutes } from './customers.routes.js';
import { callsRoutes } from './calls.routes.js';
import { policyRoutes } from './policy.routes.js';
import { eligibilityRoutes } from './eligibility.routes.js';
import { schedulesRoutes } from './schedules.routes.js';
import { agentsRoutes } from './agents.routes.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { agentStateRoutes } from './agent-state.routes.js';
import { softphoneRoutes } from './softphone.routes.js';
import { dispositionsRoutes } from './dispositions.routes.js';
import { recordingsRoutes } from './recordings.routes.js';
import { paymentsRoutes } from './payments.routes.js';
import { riskRoutes } from './risk.routes.js';
import { plansRoutes } from './plans.routes.js';
import { messagesRoutes } from './messages.routes.js';
import { sessionRoutes } from './session.routes.js';
import { campaignsLiveRoutes } from './campaigns-live.routes.js';
import { promptPreviewRoutes } from './prompt-preview.routes.js';
import { consoleRoutes } from './console.routes.js';
import { scriptsRoutes } from './scripts.routes.js';
import { qualityRoutes } from './quality.routes.js';
import { agentsLiveRoutes } from './agents-live.routes.js';
import { campaignChartsRoutes } from './campaign-charts.routes.js';

/** Builds the app without listening: tests drive it with `app.inject`, server.ts listens. */
export async function buildApp(deps: ApiDeps): Promise<ApiApp> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: deps.config.api.bodyLimitBytes,
    // A client gets this long to send its whole request (an import included), and a connection
    // that stays silent this long is closed: a slow upload cannot hold the server for ever.
    requestTimeout: deps.config.api.requestTimeoutSeconds * 1000,
    connectionTimeout: deps.config.api.idleTimeoutSeconds * 1000,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandler(app);
  installValidation(app);
  installJsonParser(app);
  installRequestLogRedaction(app);
  const metrics = deps.metrics ?? new Metrics();
  deps = { ...deps, metrics };
  // Auth, metrics and docs hook into every route, so they go before any route is registered.
  installAuth(app, deps.db);
  installHttpMetrics(app, metrics);
  await installDocs(app);
  await app.register(healthRoutes, deps);
  await app.register(metricsRoutes, { metrics });
  await app.register(auditRoutes, deps);
  await app.register(promptsRoutes, deps);
  await app.register(contactsRoutes, deps);
  await app.register(campaignsRoutes, deps);
  await app.register(dncRoutes, deps);
  await app.register(customersRoutes, deps);
  await app.register(callsRoutes, deps);
  await app.register(policyRoutes, deps);
  await app.register(eligibilityRoutes, deps);
  await app.register(schedulesRoutes, deps);
  await app.register(agentsRoutes, deps);
  await app.register(agentStateRoutes, deps);
  await app.register(softphoneRoutes, deps);
  await app.register(dispositionsRoutes, deps);
  await app.register(recordingsRoutes, deps);
  await app.register(paymentsRoutes, deps);
  await app.register(riskRoutes, deps);
  await app.register(messagesRoutes, deps);
  await app.register(plansRoutes, deps);
  await app.register(sessionRoutes, deps);
  await app.register(campaignsLiveRoutes, deps);
  await app.register(promptPreviewRoutes, deps);
  await app.register(scriptsRoutes, deps);
  await app.register(qualityRoutes, deps);
  await app.register(agentsLiveRoutes, deps);
  await app.register(campaignChartsRoutes, deps);
  await app.register(consoleRoutes, deps);
  return app;
}
