import type { Queryable } from '../store/db.js';
import { ATTEMPT_COLS, type AttemptRow } from './attempts.repo.js';

/**
 * The ledger's side of self-healing: reservations nobody dialled, attempts nobody drives, and
 * what a contact's attempts count for. One function per query; call_attempts is written here
 * and in the dialer's attempts repo only.
 */

/**
 * An originate that never reached Asterisk: the row ends as `not_dialled`, which is not a dial
 * (the gate's caps and the retry counts skip it). Outcome stays NULL: nothing happened.
 */
export async function endNotDialled(q: Queryable, id: string): Promise<boolean> {
  const r = await q.query(
    `UPDATE call_attempts SET state = 'ended', end_reason = 'not_dialled', ended_at = now()
      WHERE id = $1 AND state <> 'ended'`,
    [id],
  );
  return (r.rowCount ?? 0) === 1;
}

export interface ReleasedReservation {
  id: string;
  campaignId: string | null;
  contactId: string | null;
  attemptNo: number;
}

/**
 * Reservations older than `olderThanMs` that were never originated (their job failed for good or
 * vanished between the gate and the dial) end as `not_dialled`: they stop counting against the
 * customer's caps and stop holding the campaign open. SKIP LOCKED: a reservation a gate is
 * re-checking right now is left alone, and two workers never release the same row.
 */
export async function releaseStaleReservations(q: Queryable, olderThanMs: number, limit = 500): Promise<ReleasedReservation[]> {
  const r = await q.query<ReleasedReservation>(
    `UPDATE call_attempts a SET state = 'ended', end_reason = 'not_dialled', ended_at = now()
      WHERE a.id IN (SELECT id FROM call_attempts
                      WHERE state = 'reserved' AND reserved_at < now() - make_interval(secs => $1::float8 / 1000)
                      ORDER BY reserved_at LIMIT $2 FOR UPDATE SKIP LOCKED)
        AND a.state = 'reserved'
      RETURNING a.id, a.campaign_id::text AS "campaignId", a.contact_id::text AS "contactId", a.attempt_no AS "attemptNo"`,
    [olderThanMs, limit],
  );
  return r.rows;
}

/**
 * This worker's attempts past 'reserved' and not ended, originated more than `graceMs` ago (a
 * call being placed right now is not yet in the session registry).
 */
export async function liveAttemptsOfWorker(q: Queryable, workerId: string, graceMs: number): Promise<AttemptRow[]> {
  const r = await q.query<AttemptRow>(
    `SELECT ${ATTEMPT_COLS} FROM call_attempts
      WHERE worker_id = $1 AND state IN ('originating', 'ringing', 'answered')
        AND COALESCE(originated_at, reserved_at) < now() - make_interval(secs => $2::float8 / 1000)
      ORDER BY reserved_at`,
    [workerId, graceMs],
  );
  return r.rows;
}

/**
 * Live attempts of workers that stopped saying they are alive (no heartbeat for `deadAfterMs`)
 * become this worker's, one statement per batch: SKIP LOCKED, so two survivors never take the
 * same call. The new owner then adopts each (or ends it as lost) like its own.
 */
export async function claimAttemptsOfDeadWorkers(q: Queryable, workerId: string, deadAfterMs: number, limit = 200): Promise<number> {
  const r = await q.query(
    `UPDATE call_attempts a SET worker_id = $1
      WHERE a.id IN (
        SELECT x.id FROM call_attempts x
          LEFT JOIN worker_heartbeats w ON w.worker_id = x.worker_id
         WHERE x.state IN ('originating', 'ringing', 'answered') AND x.worker_id IS DISTINCT FROM $1
           AND (w.seen_at IS NULL OR w.seen_at < now() - make_interval(secs => $2::float8 / 1000))
           AND COALESCE(x.originated_at, x.reserved_at) < now() - make_interval(secs => $2::float8 / 1000)
         LIMIT $3 FOR UPDATE OF x SKIP LOCKED)`,
    [workerId, deadAfterMs, limit],
  );
  return r.rowCount ?? 0;
}

/** The worker is alive (read by claimAttemptsOfDeadWorkers on the other workers). */
export async function heartbeat(q: Queryable, workerId: string): Promise<void> {
  await q.query(
    `INSERT INTO worker_heartbeats (worker_id, seen_at) VALUES ($1, now())
     ON CONFLICT (worker_id) DO UPDATE SET seen_at = now()`,
    [workerId],
  );
}

/** What the contact's attempts count for retries: real dials, and how many of them we lost. */
export async function attemptCounts(q: Queryable, contactId: string): Promise<{ dialled: number; lost: number; notDialled: number }> {
  const r = await q.query<{ dialled: number; lost: number; notDialled: number }>(
    `SELECT count(*) FILTER (WHERE end_reason IS DISTINCT FROM 'not_dialled')::int AS dialled,
            count(*) FILTER (WHERE end_reason IN ('lost', 'shutdown') AND outcome NOT IN ('completed', 'opted_out'))::int AS lost,
            count(*) FILTER (WHERE end_reason = 'not_dialled')::int AS "notDialled"
       FROM call_attempts WHERE contact_id = $1`,
    [contactId],
  );
  return r.rows[0]!;
}
