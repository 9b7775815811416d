#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { loadConfig } from './config.js';
import { createDeps } from './deps.js';
import { migrate } from './store/migrate.js';
import { buildApp } from './api/app.js';
import { serve } from './api/server.js';
import { isAppError } from './shared/errors.js';
import { commandHelp, parseCommandLine, UsageError } from './cli/cli.args.js';
import { runImportCommand } from './cli/import.command.js';
import { runKeysCommand } from './cli/keys.command.js';
import { asteriskProbe } from './observability/asterisk-probe.js';
import { runWorker } from './cli/worker.command.js';
import { createQueues } from './scheduler/queues.js';
import { createCampaignEvents } from './scheduler/campaign-events.js';
import { createScheduleQueue, createScheduleRegistry } from './schedules/schedule.jobs.js';

// migrations/ sits beside src/ (and beside dist/ in a build).
export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

async function main(argv: string[]): Promise<number> {
  const cmd = parseCommandLine(argv);
  if (cmd.help) {
    process.stdout.write(commandHelp(cmd.name));
    return 0;
  }
  const config = loadConfig();
  const deps = createDeps(config);
  const { log, db, redis } = deps;

  switch (cmd.name) {
    case 'migrate': {
      const applied = await migrate(db, MIGRATIONS_DIR, log);
      process.stdout.write(`migrations applied: ${applied.length ? applied.join(', ') : 'none (up to date)'}\n`);
      await deps.close();
      return 0;
    }
    case 'keys': {
      try {
        return await runKeysCommand(cmd.args, { db, stdout: process.stdout, stderr: process.stderr });
      } finally {
        await deps.close();
      }
    }
    case 'import': {
      try {
        return await runImportCommand(cmd.args, { db, log, defaultRegion: config.defaultRegion });
      } finally {
        await deps.close();
      }
    }
    case 'api': {
      await redis.connect();
      // Launch/resume queue the campaign's contacts; pause/cancel reach workers over pub/sub.
      const queues = createQueues(redis, config.queuePrefix);
      const scheduleQueue = createScheduleQueue(redis, config.queuePrefix);
      const app = await buildApp({
        config,
        log,
        db,
        metrics: deps.metrics,
        readiness: {
          postgres: () => db.query('SELECT 1'),
          redis: () => redis.ping(),
          asterisk: asteriskProbe(config.ari),
        },
        events: createCampaignEvents(queues, redis, config.queuePrefix, log),
        schedules: createScheduleRegistry(scheduleQueue),
      });
      await serve(app, config.api.host, config.api.port, log, async () => {
        await queues.close();
        await scheduleQueue.close();
        await deps.close();
      });
      return -1; // keeps running
    }
    case 'worker': {
      await runWorker(deps);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${cmd.name}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`ringwise: ${err.message}\n\n${commandHelp()}`);
      process.exitCode = 2;
    } else if (isAppError(err)) {
      process.stderr.write(`ringwise: ${err.code}: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`ringwise: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
