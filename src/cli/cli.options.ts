import { AppError } from '../shared/errors.js';

/** A wrong command line: main prints it with the command's usage and exits 2. */
export class UsageError extends Error {}

/**
 * Exit codes every command shares (each command's --help repeats them):
 * 0 done; 1 failed (an unexpected error, a rejected import); 2 usage or invalid input (a bad
 * option, a bad cron or time zone: nothing was changed); 3 not found (schedule, campaign, run);
 * 4 conflict (the state does not allow it, e.g. pausing a completed campaign); 5 a dependency
 * is unavailable (PostgreSQL, Redis).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3, conflict: 4, unavailable: 5 } as const;

export const EXIT_CODES_HELP = `exit codes:
  0  done (for batch run: the run was created or already existed)
  1  failed (unexpected error, rejected import)
  2  usage error or invalid input (bad option, invalid cron or time zone); nothing changed
  3  not found (schedule, campaign or run)
  4  conflict (the current state does not allow it)
  5  a dependency is unavailable (PostgreSQL, Redis)`;

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof AppError) {
    if (err.status === 404) return EXIT.notFound;
    if (err.status === 409) return EXIT.conflict;
    if (err.status === 400 || err.status === 422) return EXIT.usage;
    if (err.status === 503) return EXIT.unavailable;
    return EXIT.failed;
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') return EXIT.unavailable;
  return EXIT.failed;
}

export interface ParsedOptions {
  values: Map<string, string>;
  flags: Set<string>;
  positional: string[];
}

/** `--name value`, `--name=value` and `--flag`; anything else unknown is a usage error. */
export function parseOptions(args: string[], spec: { values?: readonly string[]; flags?: readonly string[] }, usage: string): ParsedOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(a);
    if (!m) {
      if (a.startsWith('-')) throw new UsageError(`unknown option "${a}"\n${usage}`);
      positional.push(a);
      continue;
    }
    const name = m[1]!;
    if (spec.flags?.includes(name)) {
      if (m[2] !== undefined) throw new UsageError(`--${name} takes no value\n${usage}`);
      flags.add(name);
    } else if (spec.values?.includes(name)) {
      const v = m[2] ?? args[++i];
      if (v === undefined || v === '' || (m[2] === undefined && v.startsWith('--'))) throw new UsageError(`--${name} needs a value\n${usage}`);
      if (values.has(name)) throw new UsageError(`--${name} given twice\n${usage}`);
      values.set(name, v);
    } else {
      throw new UsageError(`unknown option "--${name}"\n${usage}`);
    }
  }
  return { values, flags, positional };
}

export function positiveId(raw: string | undefined, what: string, usage: string): number {
  const n = Number(raw);
  if (raw === undefined || !/^[1-9][0-9]*$/.test(raw) || !Number.isSafeInteger(n))
    throw new UsageError(`${what} must be a positive integer${raw === undefined ? '' : ` (got "${raw}")`}\n${usage}`);
  return n;
}

export interface Out {
  write(s: string): unknown;
}
