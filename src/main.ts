#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { loadConfig } from './config.js';
import { createDeps } from './deps.js';
import { migrate } from './store/migrate.js';
import { buildApp } from './api/app.js';
import { serve } from './api/server.js';
import { createAgentsApi } from './agents/agents.runtime.js';
import { isAppError } from './shared/errors.js';
import { commandHelp, parseCommandLine, UsageError } from './cli/cli.args.js';
import { runImportCommand } from './cli/import.command.js';
import { runKeysCommand } from './cli/keys.command.js';
import { asteriskProbe } from './observability/asterisk-probe.js';
import { runWorker } from './cli/worker.command.js';
import { openCampaignEvents } from './scheduler/campaign-events.js';
import { createScheduleQueue, createScheduleRegistry } from './schedules/schedule.jobs.js';
import { parseBatchArgs, runBatchCommand } from './cli/batch.command.js';
import { runCampaignsCommand } from './cli/campaigns.command.js';
import { runReportCommand } from './cli/report.command.js';
import { runSchedulesCommand } from './cli/schedules.command.js';
import { exitCodeFor } from './cli/cli.options.js';
import type { Deps } from './deps.js';

/** The CLI's launch hook: what the API does after a state change (publish, queue the expand). */
async function cliEvents(deps: Deps): Promise<{ hook: (id: number, state: string) => Promise<void>; close(): Promise<void> }> {
  await deps.redis.connect();
  const { events, close } = openCampaignEvents(deps.redis, deps.config.queuePrefix, deps.log);
  return { hook: (id, state) => events.campaignStateChanged(id, state), close };
}

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
    case 'batch': {
      parseBatchArgs(cmd.args); // a usage error before any connection
      const ev = await cliEvents(deps).catch(async (err: unknown) => {
        await deps.close();
        throw err;
      });
      try {
        return await runBatchCommand(cmd.args, {
          db,
          log,
          defaultRegion: config.defaultRegion,
          policyProfile: config.policyProfile,
          onLaunched: ev.hook,
          stdout: process.stdout,
          stderr: process.stderr,
        });
      } finally {
        await ev.close();
        await deps.close();
      }
    }
    case 'campaigns': {
      let ev: Awaited<ReturnType<typeof cliEvents>> | undefined;
      try {
        return await runCampaignsCommand(cmd.args, {
          db,
          stdout: process.stdout,
          onStateChanged: async () => {
            ev = await cliEvents(deps);
            return ev.hook;
          },
        });
      } finally {
        await ev?.close();
        await deps.close();
      }
    }
    case 'report': {
      try {
        return await runReportCommand(cmd.args, { db, stdout: process.stdout });
      } finally {
        await deps.close();
      }
    }
    case 'schedules': {
      try {
        return await runSchedulesCommand(cmd.args, { db, stdout: process.stdout, policyProfile: config.policyProfile, via: 'cli' });
      } finally {
        await deps.close();
      }
    }
    case 'api': {
      await redis.connect();
      // Launch/resume queue the campaign's contacts; pause/cancel reach workers over pub/sub.
      const campaignEvents = openCampaignEvents(redis, config.queuePrefix, log);
      const scheduleQueue = createScheduleQueue(redis, config.queuePrefix);
      const agents = createAgentsApi(config, db, redis, log);
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
        events: campaignEvents.events,
        schedules: createScheduleRegistry(scheduleQueue),
        agents: agents.deps,
      });
      await serve(app, config.api.host, config.api.port, log, async () => {
        await campaignEvents.close();
        await scheduleQueue.close();
        await agents.close();
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
      // Command errors carry their own usage; an unknown command gets the command list.
      process.stderr.write(`ringwise: ${err.message}\n${err.message.includes('usage:') ? '' : `\n${commandHelp()}`}`);
    } else if (isAppError(err)) {
      process.stderr.write(`ringwise: ${err.code}: ${err.message}\n`);
    } else {
      process.stderr.write(`ringwise: ${(err as Error).stack ?? String(err)}\n`);
    }
    // 2 usage/invalid input, 3 not found, 4 conflict, 5 unavailable, 1 anything else.
    process.exitCode = exitCodeFor(err);
  },
);
