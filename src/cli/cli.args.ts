import { BATCH_HELP, CAMPAIGNS_HELP, REPORT_HELP, REPORT_USAGE, SCHEDULES_HELP } from './cli.help.js';
import { UsageError } from './cli.options.js';

export { UsageError };

/**
 * The command table: each command's name, one-line summary and usage. New commands add a row
 * here and a case in main.ts.
 */
export const COMMANDS: Record<string, { summary: string; usage: string; help?: string }> = {
  migrate: { summary: 'apply pending database migrations', usage: 'ringwise migrate' },
  api: { summary: 'run the control API (Fastify)', usage: 'ringwise api' },
  keys: {
    summary: 'create, list or revoke API keys (create prints the key once)',
    usage: 'ringwise keys create --role ROLE [--name NAME] [--agent-id ID] | keys list | keys revoke ID',
  },
  import: {
    summary: 'import contacts into a campaign from a CSV or JSON file (all or nothing)',
    usage: 'ringwise import --campaign ID --file contacts.csv|contacts.json|- [--format csv|json]',
  },
  worker: { summary: 'run a dialing worker (BullMQ queues + its own ARI app + schedules) until SIGTERM', usage: 'ringwise worker' },
  batch: {
    summary: "create (or find) today's run of a schedule, from its segment or a file; --wait shows progress",
    usage: 'ringwise batch run --schedule NAME [--wait] | batch run --file F --template NAME [--wait]',
    help: BATCH_HELP,
  },
  campaigns: {
    summary: 'list campaigns, launch/pause/resume/cancel one, or show its status',
    usage: 'ringwise campaigns list|launch|pause|resume|cancel|status ID',
    help: CAMPAIGNS_HELP,
  },
  report: { summary: "a schedule run's report, or its ledger as CSV", usage: REPORT_USAGE, help: REPORT_HELP },
  schedules: {
    summary: 'create or list nightly schedules (same checks as POST /v1/schedules)',
    usage: 'ringwise schedules create ... | schedules list',
    help: SCHEDULES_HELP,
  },
};

export interface CommandLine {
  name: string;
  args: string[];
  help: boolean;
}

export function parseCommandLine(argv: string[]): CommandLine {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') return { name: '', args, help: true };
  if (!(name in COMMANDS)) throw new UsageError(`unknown command "${name}"`);
  return { name, args, help: args.includes('--help') || args.includes('-h') };
}

export function commandHelp(name = ''): string {
  const c = COMMANDS[name];
  if (c?.help) return c.help;
  if (c) return `usage: ${c.usage}\n\n${c.summary}\n`;
  const rows = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(12)} ${c.summary}`);
  return `usage: ringwise <command> [options]\n\ncommands:\n${rows.join('\n')}\n\nRun "ringwise <command> --help" for a command's options.\n`;
}
