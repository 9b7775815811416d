import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { CreateScheduleBody } from '../api/schedules.schemas.js';
import { listSchedules, type ScheduleSettings } from '../schedules/schedule.repo.js';
import { createSchedule, type ScheduleOptions } from '../schedules/schedule.service.js';
import { AppError } from '../shared/errors.js';
import type { Db } from '../store/db.js';
import { EXIT, parseOptions, UsageError, type Out } from './cli.options.js';
import { SCHEDULES_USAGE } from './cli.help.js';

const usage = (msg: string) => new UsageError(`schedules: ${msg}\n${SCHEDULES_USAGE}`);

async function readJson(path: string, what: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new AppError('file_not_found', `no such file: ${path}`, 404);
  });
  try {
    const v: unknown = JSON.parse(text);
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new AppError('invalid_json', `${what} ${path} is not a JSON object: ${(err as Error).message}`, 422);
  }
}

export async function runSchedulesCommand(args: string[], d: { db: Db; stdout: Out } & ScheduleOptions): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'list') {
    if (rest.length > 0) throw usage(`unexpected argument "${rest[0]}"`);
    d.stdout.write(`${'ID'.padEnd(6)}${'NAME'.padEnd(28)}${'CRON'.padEnd(18)}${'TIME ZONE'.padEnd(22)}${'WINDOW END'.padEnd(12)}ENABLED\n`);
    for (const s of await listSchedules(d.db, { limit: 10_000 })) {
      d.stdout.write(`${String(s.id).padEnd(6)}${s.name.padEnd(28)}${s.cron.padEnd(18)}${s.timeZone.padEnd(22)}${s.onWindowEnd.padEnd(12)}${s.enabled}\n`);
    }
    return EXIT.ok;
  }
  if (action !== 'create') throw usage(action ? `unknown action "${action}"` : 'missing action');
  const o = parseOptions(rest, { values: ['name', 'cron', 'time-zone', 'template', 'segment', 'on-window-end'], flags: ['disabled'] }, SCHEDULES_USAGE);
  if (o.positional.length > 0) throw usage(`unexpected argument "${o.positional[0]}"`);
  for (const k of ['name', 'cron', 'time-zone', 'template']) if (!o.values.has(k)) throw usage(`--${k} is required`);
  const onWindowEnd = o.values.get('on-window-end') ?? 'defer';
  if (onWindowEnd !== 'defer' && onWindowEnd !== 'expire') throw usage('--on-window-end must be defer or expire');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(o.values.get('name')!)) throw usage('--name: letters, digits, . _ - (at most 100)');
  const settings: ScheduleSettings = {
    name: o.values.get('name')!,
    cron: o.values.get('cron')!,
    timeZone: o.values.get('time-zone')!,
    template: await readJson(o.values.get('template')!, 'template'),
    segment: o.values.has('segment') ? await readJson(o.values.get('segment')!, 'segment') : {},
    onWindowEnd,
    enabled: !o.flags.has('disabled'),
  };
  // The API's schema, so the CLI accepts exactly what POST /v1/schedules accepts.
  const validate = new Ajv({ allErrors: true, strict: false, coerceTypes: false, validateFormats: false }).compile(CreateScheduleBody);
  if (!validate(settings)) {
    const first = validate.errors![0]!;
    throw new AppError('invalid_request', `${first.instancePath || '/'} ${first.message ?? 'is invalid'}`, 422, { errors: validate.errors });
  }
  const s = await createSchedule(d.db, null, settings, { policyProfile: d.policyProfile, via: 'cli' });
  d.stdout.write(`schedule ${s.id} ${s.name} created: "${s.cron}" in ${s.timeZone}\n`);
  return EXIT.ok;
}
