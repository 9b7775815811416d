import { audit } from '../audit/audit.js';
import type { Principal } from '../auth/roles.js';
import type { CampaignSettings } from '../campaigns/campaign.repo.js';
import { changeCampaignStateIn, checkCampaignSettings, createCampaignIn } from '../campaigns/campaign.service.js';
import { effectivePolicy } from '../compliance/policy.merge.js';
import { loadGlobalPolicy } from '../compliance/policy.store.js';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { CampaignStarted, ScheduleRegistry } from './schedule.types.js';
import { pgCode, withTransaction, type Db, type Queryable } from '../store/db.js';
import { addSegmentContacts } from '../contacts/contacts.repo.js';
import {
  findRun,
  getSchedule,
  insertRunOnce,
  insertSchedule,
  setRunCampaign,
  softDeleteSchedule,
  updateSchedule,
  type Schedule,
  type ScheduleRun,
  type ScheduleSettings,
} from './schedule.repo.js';
import { segmentProblems } from '../contacts/contact.segment.js';
import { assertScheduleTiming, localDateOf, windowClosesAt } from './schedule.time.js';
import { canonicalZone } from '../campaigns/campaign.validate.js';

export interface ScheduleOptions {
  /** config.policyProfile: the policy while no global policy was saved. */
  policyProfile?: string;
  /** Audit `via` when not the API: 'cli' or 'schedule' (BullMQ). */
  via?: string;
  /**
   * The BullMQ side, called inside the transaction before it commits: a Redis failure rolls
   * the change back (503), so a saved schedule is always registered. (A commit failing after
   * the call leaves Redis ahead; the worker's start-up reconcile repairs that.)
   */
  registry?: ScheduleRegistry | undefined;
}

async function inRedis(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    throw new AppError('scheduler_unavailable', `the job scheduler could not be updated: ${(err as Error).message}`, 503);
  }
}

const viaOf = (o: ScheduleOptions) => (o.via ? { via: o.via } : {});

/** Everything but the schema: zone, cron, segment bounds, and the template through the campaign checks. */
async function checkSettings<T extends Partial<ScheduleSettings>>(c: Queryable, s: T, current: Schedule | null, opts: ScheduleOptions): Promise<T> {
  assertScheduleTiming(s, current ?? undefined);
  const problems = s.segment ? segmentProblems(s.segment) : [];
  if (problems.length > 0) throw new ValidationError(problems.map((p) => p.message).join('; '), { problems }, 'invalid_segment');
  const out: T = { ...s };
  if (s.timeZone !== undefined) out.timeZone = canonicalZone(s.timeZone);
  if (s.template !== undefined) {
    try {
      out.template = (await checkCampaignSettings(c, s.template as Partial<CampaignSettings>, opts)) as Record<string, unknown>;
    } catch (err) {
      // The same codes as POST /v1/campaigns, said to be about the template.
      if (err instanceof ValidationError) {
        const inner = (err.details ?? {}) as Record<string, unknown>;
        throw new ValidationError(
          `template: ${err.message}`,
          { ...inner, field: 'template', ...(inner['field'] ? { templateField: inner['field'] } : {}) },
          err.code,
        );
      }
      throw err;
    }
  }
  return out;
}

function nameTaken(err: unknown, name: string | undefined): never {
  if (pgCode(err) === '23505') throw new ConflictError('schedule_name_taken', `a schedule named "${name}" already exists`, { field: 'name' });
  throw err;
}

export async function createSchedule(db: Db, principal: Principal | null, raw: ScheduleSettings, opts: ScheduleOptions = {}): Promise<Schedule> {
  return withTransaction(db, async (c) => {
    const s = await checkSettings(c, raw, null, opts);
    const created = await insertSchedule(c, s).catch((err: unknown) => nameTaken(err, raw.name));
    await audit(c, principal, 'schedule.create', { type: 'schedule', id: created.id }, { fields: Object.keys(raw), ...viaOf(opts) });
    if (opts.registry) await inRedis(() => opts.registry!.sync(created));
    return created;
  });
}

export async function patchSchedule(
  db: Db,
  principal: Principal | null,
  id: number,
  raw: Partial<ScheduleSettings>,
  opts: ScheduleOptions = {},
): Promise<Schedule> {
  return withTransaction(db, async (c) => {
    const current = await getSchedule(c, id, 'update');
    if (!current) throw new NotFoundError('schedule', id);
    const s = await checkSettings(c, raw, current, opts);
    const updated = await updateSchedule(c, id, s).catch((err: unknown) => nameTaken(err, raw.name));
    if (!updated) throw new NotFoundError('schedule', id);
    await audit(c, principal, 'schedule.update', { type: 'schedule', id }, { fields: Object.keys(raw), ...viaOf(opts) });
    if (opts.registry) await inRedis(() => opts.registry!.sync(updated));
    return updated;
  });
}

export async function deleteSchedule(db: Db, principal: Principal | null, id: number, opts: ScheduleOptions = {}): Promise<Schedule> {
  return withTransaction(db, async (c) => {
    const deleted = await softDeleteSchedule(c, id);
    if (!deleted) throw new NotFoundError('schedule', id);
    await audit(c, principal, 'schedule.delete', { type: 'schedule', id }, viaOf(opts));
    if (opts.registry) await inRedis(() => opts.registry!.remove(id));
    return deleted;
  });
}

export interface FireResult {
  run: ScheduleRun;
  /** false: this (schedule, local date) already had its run; nothing new was created or dialed. */
  created: boolean;
  contacts: number;
}

/** When the run's calling window closes: the global policy tightened by the template, in the schedule's zone. */
async function runWindowCloses(c: Queryable, s: Schedule, firedAt: Date, opts: ScheduleOptions): Promise<Date> {
  const policy = effectivePolicy((await loadGlobalPolicy(c, opts.policyProfile)).policy, s.template['policyOverrides']);
  return windowClosesAt(policy, s.timeZone, firedAt.getTime());
}

/**
 * One firing, from anywhere (BullMQ, the trigger route, the CLI): in one transaction, the
 * run for (schedule, local date of `firedAt` in its zone) — or nothing if it exists — its
 * campaign from the template, the segment's customers, and the launch. The launch hook runs
 * after commit; a lost hook is caught up by the worker's catch-up scheduler.
 */
export async function fireSchedule(
  db: Db,
  principal: Principal | null,
  scheduleId: number,
  firedAt: Date,
  opts: ScheduleOptions & { onLaunched?: CampaignStarted | undefined } = {},
): Promise<FireResult> {
  const via = opts.via ?? 'api';
  const result = await withTransaction(db, async (c): Promise<FireResult> => {
    const s = await getSchedule(c, scheduleId, 'share');
    if (!s) throw new NotFoundError('schedule', scheduleId);
    const localDate = localDateOf(s.timeZone, firedAt.getTime());
    const run = await insertRunOnce(c, { scheduleId, localDate, via, firedAt, windowClosesAt: await runWindowCloses(c, s, firedAt, opts) });
    if (!run) {
      const existing = await findRun(c, scheduleId, localDate);
      if (!existing) throw new Error(`run of schedule ${scheduleId} for ${localDate} vanished`);
      return { run: existing, created: false, contacts: 0 };
    }
    const campaign = await createCampaignIn(c, principal, { ...(s.template as Partial<CampaignSettings>), name: `${s.name} ${localDate}` }, { ...opts, via });
    const contacts = await addSegmentContacts(c, campaign.id, s.segment, localDate);
    await changeCampaignStateIn(c, principal, campaign.id, 'launch', { via });
    await setRunCampaign(c, run.id, campaign.id);
    await audit(c, principal, 'schedule.run', { type: 'schedule_run', id: run.id }, { scheduleId, localDate, campaignId: campaign.id, contacts, via });
    return { run: { ...run, campaignId: campaign.id }, created: true, contacts };
  });
  if (result.created && opts.onLaunched) await opts.onLaunched(result.run.campaignId!, 'running');
  return result;
}
