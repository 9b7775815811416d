import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config.js';
import type { Db } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { ScheduleRegistry } from '../schedules/schedule.types.js';
import type { CampaignEvents } from '../scheduler/campaign-events.js';
import type { AgentsApiDeps } from '../agents/agents.runtime.js';
import type { TtsEngine } from '../prompts/tts.engine.js';

// The types every route module shares, in a module of their own: app.ts imports every route,
// so routes importing app.ts would close a circle.

/** The app type every route module registers on: TypeBox schemas give the handlers their types. */
export type ApiApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface ApiDeps {
  config: Config;
  log: Logger;
  db: Db;
  /** Named dependency probes for /readyz; each resolves when that dependency answers. */
  readiness: Record<string, () => Promise<unknown>>;
  /** The process's metrics registry (served at /metrics); buildApp makes one when absent. */
  metrics?: Metrics;
  /** Told after a campaign state change commits, so the dialer can start or stop its work. */
  events?: { campaignStateChanged(id: number, state: string): Promise<void>; callbackRequested?: CampaignEvents['callbackRequested'] };
  /** Keeps BullMQ's job schedulers in step with saved schedules (absent: the worker's start-up reconcile does it). */
  schedules?: ScheduleRegistry;
  /** Asterisk config + Redis for agent provisioning and event streams (absent: those routes answer 503). */
  agents?: AgentsApiDeps;
  /** Speaks prompt previews (default: espeak-ng, as the worker). */
  tts?: TtsEngine;
}
