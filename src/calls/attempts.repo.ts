import type { Queryable } from '../store/db.js';
import type { Outcome } from './outcome.js';
import { isConnected, LIVE_ANSWER_OUTCOMES } from './outcome.js';
import { ABANDON_AFTER_MS } from './abandon.js';

/**
 * The call-attempt ledger: the only module that writes call_attempts (the gate reserves, the
 * dialer moves an attempt along, the agent bridge marks it bridged); one function per query.
 */
/** Ids are bigint columns: callers may pass them as numbers or as the strings pg returns. */
export type Id = string | number;

export type AttemptState = 'reserved' | 'originating' | 'ringing' | 'answered' | 'ended';

export interface AttemptRow {
  id: string;
  campaignId: string | null;
  contactId: string | null;
  customerId: string;
  attemptNo: number;
  phone: string;
  state: AttemptState;
  outcome: Outcome | null;
  workerId: string | null;
  answeredAt: Date | null;
  originatedAt: Date | null;
  endReason: string | null;
  /** The customer started hearing the prompt (written as it happens: an adopting worker reads it). */
  firstAudioAt: Date | null;
  /** The agent the call was bridged to, if any. */
  agentId: number | null;
}

export const ATTEMPT_COLS = `id, campaign_id::text AS "campaignId", contact_id::text AS "contactId",
  customer_id::text AS "customerId", attempt_no AS "attemptNo", phone, state, outcome,
  worker_id AS "workerId", answered_at AS "answeredAt", originated_at AS "originatedAt", end_reason AS "endReason", first_audio_at AS "firstAudioAt", agent_id::int AS "agentId"`;

export async function getAttempt(db: Queryable, id: string): Promise<AttemptRow | null> {
  const r = await db.query<AttemptRow>(`SELECT ${ATTEMPT_COLS} FROM call_attempts WHERE id = $1`, [id]);
  return r.rows[0] ?? null;
}

/**
 * The crash-safety boundary: only a 'reserved' attempt may be dialed, and it becomes
 * 'originating' before the request is sent (events can arrive before the response); its
 * campaign contact becomes 'dialing' in the same statement (one round trip per call less).
 * It is dialed only while its campaign is running: a pause takes effect for new dials at once,
 * and the database decides (a missed pub/sub message must never stall a campaign). Returns
 * whether it was marked and the campaign's state (null: the campaign is gone).
 */
export async function markOriginating(
  db: Queryable,
  a: { id: string; campaignId: string; workerId: string; queuedAt: Date | null; promptVersion: string | null },
): Promise<{ marked: boolean; campaignState: string | null }> {
  const r = await db.query<{ n: number; campaignState: string | null }>(
    `WITH run AS (SELECT state FROM campaigns WHERE id = $5),
     a AS (
       UPDATE call_attempts
          SET state = 'originating', originated_at = now(), worker_id = $2,
              queued_at = COALESCE(queued_at, $3), prompt_version = COALESCE($4, prompt_version)
        WHERE id = $1 AND state = 'reserved' AND (SELECT state FROM run) = 'running'
        RETURNING contact_id, attempt_no),
     c AS (
       UPDATE campaign_contacts cc
          SET state = 'dialing', attempts = GREATEST(cc.attempts, a.attempt_no), next_attempt_at = NULL, updated_at = now()
         FROM a WHERE cc.id = a.contact_id)
     SELECT (SELECT count(*) FROM a)::int AS n, (SELECT state FROM run) AS "campaignState"`,
    [a.id, a.workerId, a.queuedAt, a.promptVersion, a.campaignId],
  );
  const row = r.rows[0]!;
  return { marked: row.n === 1, campaignState: row.campaignState };
}

export interface AttemptEnd {
  outcome: Outcome;
  cause: number | null;
  techCause: number | null;
  amdStatus: string | null;
  amdCause: string | null;
  digits: string;
  promptVersion: string | null;
  endReason: string | null;
  answeredAt: Date | null;
  firstAudioAt?: Date | null;
  endedAt: Date;
  /** The Asterisk server that carried the call (several servers). */
  asteriskServer?: string | null;
  /** When the call was handed to the agent flow (also written at once by markAgentSought). */
  agentSoughtAt?: Date | null;
}

/**
 * Ends an attempt once: ring and talk times come from the stored timestamps, and so do the abandon
 * facts (calls/abandon.ts): a person answered (`live_answered`), and a call handed to the agent
 * flow that was not bridged within ABANDON_AFTER_MS of the hand-off (`abandoned`).
 */
export async function endAttempt(db: Queryable, id: string, e: AttemptEnd): Promise<boolean> {
  const r = await db.query(
    `UPDATE call_attempts
        SET state = 'ended', outcome = $2, cause = $3, tech_cause = $4, amd_status = $5,
            amd_cause = $6, digits = $7, prompt_version = COALESCE($8, prompt_version),
            end_reason = $9, connected = $10,
            answered_at = COALESCE(answered_at, $11), ended_at = $12, first_audio_at = COALESCE(first_audio_at, $13),
            asterisk_server = COALESCE($14, asterisk_server),
            agent_sought_at = COALESCE(agent_sought_at, $15),
            live_answered = $16 OR COALESCE(agent_sought_at, $15) IS NOT NULL,
            abandoned = COALESCE(agent_sought_at, $15) IS NOT NULL
                        AND (bridged_at IS NULL OR bridged_at > COALESCE(agent_sought_at, $15) + make_interval(secs => $17::float8 / 1000)),
            ring_ms = CASE WHEN originated_at IS NULL THEN NULL
                           ELSE GREATEST(0, (EXTRACT(EPOCH FROM (COALESCE(answered_at, $11, $12) - originated_at)) * 1000))::int END,
            talk_ms = CASE WHEN COALESCE(answered_at, $11) IS NULL THEN NULL
                           ELSE GREATEST(0, (EXTRACT(EPOCH FROM ($12 - COALESCE(answered_at, $11))) * 1000))::int END
      WHERE id = $1 AND state <> 'ended'`,
    [
      id,
      e.outcome,
      e.cause,
      e.techCause,
      e.amdStatus,
      e.amdCause,
      e.digits,
      e.promptVersion,
      e.endReason,
      isConnected(e.outcome),
      e.answeredAt,
      e.endedAt,
      e.firstAudioAt ?? null,
      e.asteriskServer ?? null,
      e.agentSoughtAt ?? null,
      LIVE_ANSWER_OUTCOMES.includes(e.outcome),
      ABANDON_AFTER_MS,
    ],
  );
  return (r.rowCount ?? 0) === 1;
}

export interface NewAttempt {
  campaignId: Id;
  contactId: Id;
  customerId: Id;
  attemptNo: number;
  phone: string;
  workerId: string;
  reservedAt: Date;
}

/**
 * Reserves the attempt in the ledger and raises the contact's attempt count, in one statement
 * (it touches campaign_contacts too, to save a round trip on every dial: it lives here, with the
 * table it mainly writes).
 */
export async function insertReservedAttempt(q: Queryable, a: NewAttempt): Promise<string> {
  const r = await q.query<{ id: string }>(
    `WITH bump AS (
       UPDATE campaign_contacts SET attempts = GREATEST(attempts, $4), updated_at = now() WHERE id = $2
     )
     INSERT INTO call_attempts (campaign_id, contact_id, customer_id, attempt_no, phone, worker_id, state, reserved_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'reserved', $7) RETURNING id`,
    [a.campaignId, a.contactId, a.customerId, a.attemptNo, a.phone, a.workerId, a.reservedAt],
  );
  return r.rows[0]!.id;
}

/**
 * A reservation that was never dialed and may not be any more: the gate's own (a rule said no
 * after all), or one the dial job gives back (the campaign was paused meanwhile, ARI is down).
 */
export async function deleteReservedAttempt(q: Queryable, attemptId: string): Promise<void> {
  await q.query(`DELETE FROM call_attempts WHERE id = $1 AND state = 'reserved'`, [attemptId]);
}

/** The call is handed to the agent flow (greeting over for a high-risk customer, or the agent key): the abandon clock starts. */
export async function markAgentSought(db: Queryable, attemptId: string, at: Date): Promise<void> {
  await db.query(`UPDATE call_attempts SET agent_sought_at = COALESCE(agent_sought_at, $2) WHERE id = $1`, [attemptId, at]);
}

/** The customer is in a bridge with this agent: the attempt's agent and the moment talk began. */
export async function markBridged(db: Queryable, attemptId: string, agentId: number, at: Date): Promise<void> {
  await db.query(`UPDATE call_attempts SET agent_id = $2, bridged_at = $3 WHERE id = $1`, [attemptId, agentId, at]);
}

/** Abandoned attempts of one contact so far: callbacks stop after the configured number. */
export async function countAbandoned(db: Queryable, contactId: string): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM call_attempts WHERE contact_id = $1 AND outcome = 'abandoned'`, [contactId]);
  return r.rows[0]?.n ?? 0;
}

/** The number the contact's next attempt takes (its ledger's highest + 1). */
export async function nextAttemptNo(db: Queryable, contactId: string): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT COALESCE(max(attempt_no), 0)::int + 1 AS n FROM call_attempts WHERE contact_id = $1`, [contactId]);
  return r.rows[0]!.n;
}

/** When the contact's latest call ended (null: none has): a contact plan spaces its next step from then. */
export async function lastCallEndedAt(db: Queryable, contactId: string): Promise<Date | null> {
  const r = await db.query<{ at: Date | null }>(`SELECT max(ended_at) AS at FROM call_attempts WHERE contact_id = $1`, [contactId]);
  return r.rows[0]?.at ?? null;
}
