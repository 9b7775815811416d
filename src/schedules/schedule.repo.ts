import type { Queryable } from '../store/db.js';
import type { Segment } from '../contacts/contact.segment.js';

/** Schedules and their runs: one function per query, all parameterised. */

export type OnWindowEnd = 'defer' | 'expire';

export interface ScheduleSettings {
  name: string;
  cron: string;
  timeZone: string;
  template: Record<string, unknown>;
  segment: Segment;
  onWindowEnd: OnWindowEnd;
  enabled: boolean;
}

export interface Schedule extends ScheduleSettings {
  id: number;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS: Record<keyof ScheduleSettings, { col: string; json?: true }> = {
  name: { col: 'name' },
  cron: { col: 'cron' },
  timeZone: { col: 'time_zone' },
  template: { col: 'template', json: true },
  segment: { col: 'segment', json: true },
  onWindowEnd: { col: 'on_window_end' },
  enabled: { col: 'enabled' },
};

const SELECT = `id, name, cron, time_zone AS "timeZone", template, segment, on_window_end AS "onWindowEnd", enabled,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

function assignments(input: Partial<ScheduleSettings>): { cols: string[]; values: unknown[] } {
  const cols: string[] = [];
  const values: unknown[] = [];
  for (const [field, spec] of Object.entries(COLUMNS) as [keyof ScheduleSettings, { col: string; json?: true }][]) {
    if (input[field] === undefined) continue;
    cols.push(spec.col);
    values.push(spec.json ? JSON.stringify(input[field]) : input[field]);
  }
  return { cols, values };
}

export async function insertSchedule(q: Queryable, s: ScheduleSettings): Promise<Schedule> {
  const { cols, values } = assignments(s);
  const { rows } = await q.query<Schedule>(
    `INSERT INTO schedules (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING ${SELECT}`,
    values,
  );
  return rows[0]!;
}

/**
 * `share`: firings (which may run together) keep the schedule from being edited or deleted
 * under them; `update`: an edit, which must not upgrade a shared lock (two edits would deadlock).
 */
export async function getSchedule(q: Queryable, id: number, lock?: 'share' | 'update'): Promise<Schedule | null> {
  const suffix = lock === 'share' ? ' FOR SHARE' : lock === 'update' ? ' FOR UPDATE' : '';
  const { rows } = await q.query<Schedule>(`SELECT ${SELECT} FROM schedules WHERE id = $1 AND deleted_at IS NULL${suffix}`, [id]);
  return rows[0] ?? null;
}

export async function getScheduleByName(q: Queryable, name: string): Promise<Schedule | null> {
  const { rows } = await q.query<Schedule>(`SELECT ${SELECT} FROM schedules WHERE name = $1 AND deleted_at IS NULL`, [name]);
  return rows[0] ?? null;
}

export async function listSchedules(q: Queryable, f: { enabledOnly?: boolean; beforeId?: number | undefined; limit: number }): Promise<Schedule[]> {
  const { rows } = await q.query<Schedule>(
    `SELECT ${SELECT} FROM schedules
      WHERE deleted_at IS NULL AND (NOT $1::boolean OR enabled) AND ($2::bigint IS NULL OR id < $2)
      ORDER BY id DESC LIMIT $3`,
    [f.enabledOnly ?? false, f.beforeId ?? null, f.limit],
  );
  return rows;
}

export async function updateSchedule(q: Queryable, id: number, patch: Partial<ScheduleSettings>): Promise<Schedule | null> {
  const { cols, values } = assignments(patch);
  const sets = [...cols.map((c, i) => `${c} = $${i + 2}`), 'updated_at = now()'];
  const { rows } = await q.query<Schedule>(`UPDATE schedules SET ${sets.join(', ')} WHERE id = $1 AND deleted_at IS NULL RETURNING ${SELECT}`, [id, ...values]);
  return rows[0] ?? null;
}

export async function softDeleteSchedule(q: Queryable, id: number): Promise<Schedule | null> {
  const { rows } = await q.query<Schedule>(
    `UPDATE schedules SET deleted_at = now(), enabled = false, updated_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING ${SELECT}`,
    [id],
  );
  return rows[0] ?? null;
}

export interface ScheduleRun {
  id: number;
  scheduleId: number;
  localDate: string;
  campaignId: number | null;
  source: 'schedule' | 'file';
  via: string;
  firedAt: Date;
  windowClosesAt: Date;
  windowAction: 'expired' | 'deferred' | null;
  windowLeft: number | null;
  windowClosedAt: Date | null;
  createdAt: Date;
}

const RUN_SELECT = `r.id, r.schedule_id AS "scheduleId", r.local_date::text AS "localDate", r.campaign_id AS "campaignId", r.source, r.via,
  r.fired_at AS "firedAt", r.window_closes_at AS "windowClosesAt", r.window_action AS "windowAction", r.window_left AS "windowLeft",
  r.window_closed_at AS "windowClosedAt", r.created_at AS "createdAt"`;

export interface NewRun {
  scheduleId: number;
  localDate: string;
  via: string;
  firedAt: Date;
  windowClosesAt: Date;
  /** Set for `batch run --file`: the file's sha256. */
  fileSha256?: string;
}

/**
 * The idempotency point: a second firing for the same (schedule, local date[, file]) inserts
 * nothing. A racing firing waits on the unique index until the first commits, then gets null.
 */
export async function insertRunOnce(q: Queryable, r: NewRun): Promise<ScheduleRun | null> {
  const file = r.fileSha256 !== undefined;
  const target = file ? `(schedule_id, local_date, file_sha256) WHERE source = 'file'` : `(schedule_id, local_date) WHERE source = 'schedule'`;
  const { rows } = await q.query<ScheduleRun>(
    `WITH r AS (
       INSERT INTO schedule_runs (schedule_id, local_date, source, file_sha256, via, fired_at, window_closes_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT ${target} DO NOTHING RETURNING *)
     SELECT ${RUN_SELECT} FROM r`,
    [r.scheduleId, r.localDate, file ? 'file' : 'schedule', r.fileSha256 ?? null, r.via, r.firedAt, r.windowClosesAt],
  );
  return rows[0] ?? null;
}

export async function findRun(q: Queryable, scheduleId: number, localDate: string, fileSha256?: string): Promise<ScheduleRun | null> {
  const { rows } = await q.query<ScheduleRun>(
    `SELECT ${RUN_SELECT} FROM schedule_runs r
      WHERE r.schedule_id = $1 AND r.local_date = $2 AND r.file_sha256 IS NOT DISTINCT FROM $3`,
    [scheduleId, localDate, fileSha256 ?? null],
  );
  return rows[0] ?? null;
}

export async function setRunCampaign(q: Queryable, runId: number, campaignId: number): Promise<void> {
  await q.query(`UPDATE schedule_runs SET campaign_id = $2 WHERE id = $1`, [runId, campaignId]);
}

/** A run with its campaign's state and contact counts: the run report. */
export interface RunReportRow extends ScheduleRun {
  scheduleName: string;
  onWindowEnd: OnWindowEnd;
  campaignState: string | null;
  contacts: Record<string, number>;
  attempts: number;
}

const REPORT_SELECT = `${RUN_SELECT}, s.name AS "scheduleName", s.on_window_end AS "onWindowEnd", c.state AS "campaignState",
  COALESCE((SELECT json_object_agg(state, n) FROM (SELECT state, count(*) AS n FROM campaign_contacts WHERE campaign_id = r.campaign_id GROUP BY state) x), '{}') AS contacts,
  (SELECT count(*) FROM call_attempts a WHERE a.campaign_id = r.campaign_id) AS attempts`;
const REPORT_FROM = `schedule_runs r JOIN schedules s ON s.id = r.schedule_id LEFT JOIN campaigns c ON c.id = r.campaign_id`;

export async function getRunReport(q: Queryable, runId: number): Promise<RunReportRow | null> {
  const { rows } = await q.query<RunReportRow>(`SELECT ${REPORT_SELECT} FROM ${REPORT_FROM} WHERE r.id = $1`, [runId]);
  return rows[0] ?? null;
}

/** Newest first. */
export async function listRunReports(q: Queryable, scheduleId: number, f: { beforeId?: number | undefined; limit: number }): Promise<RunReportRow[]> {
  const { rows } = await q.query<RunReportRow>(
    `SELECT ${REPORT_SELECT} FROM ${REPORT_FROM} WHERE r.schedule_id = $1 AND ($2::bigint IS NULL OR r.id < $2) ORDER BY r.id DESC LIMIT $3`,
    [scheduleId, f.beforeId ?? null, f.limit],
  );
  return rows;
}

/** Runs whose window has closed and that the sweep has not settled yet, oldest first, locked. */
export async function lockClosedRuns(
  q: Queryable,
  now: Date,
  limit: number,
): Promise<Array<{ id: number; campaignId: number | null; onWindowEnd: OnWindowEnd }>> {
  const { rows } = await q.query<{ id: number; campaignId: number | null; onWindowEnd: OnWindowEnd }>(
    `SELECT r.id, r.campaign_id AS "campaignId", s.on_window_end AS "onWindowEnd"
       FROM schedule_runs r JOIN schedules s ON s.id = r.schedule_id
      WHERE r.window_closed_at IS NULL AND r.window_closes_at <= $1
      ORDER BY r.window_closes_at, r.id LIMIT $2
      FOR UPDATE OF r SKIP LOCKED`,
    [now, limit],
  );
  return rows;
}

export async function countWaitingContacts(q: Queryable, campaignId: number): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*) AS n FROM campaign_contacts WHERE campaign_id = $1 AND state IN ('pending', 'queued', 'deferred')`,
    [campaignId],
  );
  return rows[0]?.n ?? 0;
}

export async function markRunWindow(q: Queryable, runId: number, action: 'expired' | 'deferred' | null, left: number, at: Date): Promise<void> {
  // A run whose campaign had already finished gets no action, only the time the window closed.
  await q.query(`UPDATE schedule_runs SET window_action = $2, window_left = $3, window_closed_at = $4 WHERE id = $1`, [runId, action, left, at]);
}
