import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { AgentHooks, AriPort } from '../dialer/ports.js';
import type { Logger } from '../shared/logger.js';
import type { Db } from '../store/db.js';
import { createGatePort } from './gate.adapter.js';
import { createPromptPorts } from './prompt.adapter.js';
import type { DialWorkerOptions } from './worker.runtime.js';

/**
 * The dial worker's options as `ringwise worker` derives them from the config. The e2e harnesses
 * start the same worker from this and override only what a test varies (concurrency, stall
 * checks), so they cannot drift from what production runs.
 */
export function dialWorkerOptions(config: Config, io: { db: Db; redis: Redis; log: Logger; ari: AriPort; agents?: AgentHooks }): DialWorkerOptions {
  const { db, redis, log, ari, agents } = io;
  const prompts = createPromptPorts(config, db, log);
  return {
    db,
    redis,
    log,
    ari,
    gate: createGatePort(db, config.policyProfile),
    renderPrompt: prompts.render,
    renderAhead: prompts.ahead,
    prefix: config.queuePrefix,
    dialer: {
      dialTemplate: config.dialer.dialTemplate,
      ringTimeoutSeconds: config.dialer.ringTimeoutSeconds,
      menuTimeoutSeconds: config.dialer.menuTimeoutSeconds,
      workerId: config.dialer.workerId,
    },
    global: { maxChannels: config.dialer.maxChannels, callsPerSecond: config.dialer.callsPerSecond },
    concurrency: config.dialer.maxChannels,
    lockDurationMs: config.dialer.jobLockMs,
    healing: config.healing,
    ...(agents ? { agents } : {}),
  };
}
