import { EXIT_CODES_HELP } from './cli.options.js';

// Each command's usage and help, apart from the commands: the command table (cli.args.ts) shows
// them and the commands quote their usage in errors, without either importing the other.

export const BATCH_USAGE = `usage: ringwise batch run --schedule NAME [--wait]
       ringwise batch run --file contacts.csv|contacts.json --template NAME [--format csv|json] [--wait]`;

export const BATCH_HELP = `${BATCH_USAGE}

Creates today's run of a schedule (its date in the schedule's time zone), or finds the one that
already exists: a second call, the nightly job scheduler or POST /v1/schedules/:id/trigger never
make a second run or dial anyone twice. The run's campaign is the schedule's template; its
contacts are the schedule's segment, or with --file the file's contacts (imported all or nothing
like "ringwise import"; the same file again the same day reuses its run). Prints one line.

  --schedule NAME   the schedule to run
  --file PATH       contacts from this file instead of the segment ...
  --template NAME   ... with the template of this schedule
  --format F        csv or json (default: from the file name)
  --wait            stay until the run's campaign finishes or its calling window closes,
                    with progress on stderr (redrawn on a terminal, plain lines otherwise)

${EXIT_CODES_HELP}
`;

export const CAMPAIGNS_USAGE = `usage: ringwise campaigns list [--state STATE] [--limit N]
       ringwise campaigns launch|pause|resume|cancel ID
       ringwise campaigns status ID`;

export const CAMPAIGNS_HELP = `${CAMPAIGNS_USAGE}

list     newest first: id, state, launched, name
launch   draft → running          pause   running → paused
resume   paused → running         cancel  draft | running | paused → cancelled
status   contacts by state, attempts by outcome, progress (JSON, as GET /v1/campaigns/:id/stats)

State changes go through the same service as the API (race-safe, audited with via "cli") and
then tell the workers, as the API does.

${EXIT_CODES_HELP}
`;

export const REPORT_USAGE = 'usage: ringwise report --run ID [--csv]';

export const REPORT_HELP = `${REPORT_USAGE}

A schedule run's report: its status (running, completed, cancelled, or expired / deferred when
its calling window closed with contacts left), contacts by state and attempts, as JSON.
--csv prints the run's ledger instead: a header and one row per call attempt, the columns of
GET /v1/calls.csv (full phone numbers: the CLI runs on the server, for operators).

${EXIT_CODES_HELP}
`;

export const SCHEDULES_USAGE = `usage: ringwise schedules create --name NAME --cron "PATTERN" --time-zone ZONE --template template.json
                                [--segment segment.json] [--on-window-end defer|expire] [--disabled]
       ringwise schedules list`;

export const SCHEDULES_HELP = `${SCHEDULES_USAGE}

create   the same checks as POST /v1/schedules: the cron pattern (5 fields, or 6 with seconds
         first) read in the IANA time zone, the template (campaign settings as POST
         /v1/campaigns takes them, without name) and the segment. Audited with via "cli". The
         worker registers it as a job scheduler at its next start (the API does it at once).
list     id, name, cron, zone, on-window-end, enabled

${EXIT_CODES_HELP}
`;
