import type { Queryable } from '../store/db.js';
import type { AgentStateName, AgentStatus } from './agent.state.js';

/** How an agent's softphone must reach Asterisk: plain SIP/RTP, or SIP over TLS with SRTP required. */
export type SipTransport = 'udp' | 'tls';

/** Agent rows; one function per query. */

/** What the agent answers on: a SIP phone, or the console's browser phone (WebRTC). */
export type Softphone = 'sip' | 'webrtc';

export interface AgentRow extends AgentStatus {
  id: number;
  name: string;
  sipUsername: string;
  sipTransport: SipTransport;
  softphone: Softphone;
  loggedIn: boolean;
  registered: boolean;
  stateSince: Date;
  currentAttemptId: string | null;
  lastCallEndedAt: Date | null;
  createdAt: Date;
}

/** What Asterisk needs to (re)create an agent's endpoint. */
export interface ProvisionRow {
  id: number;
  sipUsername: string;
  sipMd5: string;
  sipRealm: string;
  sipTransport: SipTransport;
  softphone: Softphone;
}

const COLUMNS = `id, name, sip_username AS "sipUsername", sip_transport AS "sipTransport", softphone, state, pause_reason AS "pauseReason",
  wrap_up_until AS "wrapUpUntil", state_since AS "stateSince", logged_in AS "loggedIn", registered,
  current_attempt_id AS "currentAttemptId", last_call_ended_at AS "lastCallEndedAt", created_at AS "createdAt"`;

export async function insertAgent(
  q: Queryable,
  a: { name: string; sipUsername: string; sipMd5: string; sipRealm: string; sipTransport?: SipTransport; softphone?: Softphone },
): Promise<AgentRow> {
  const { rows } = await q.query<AgentRow>(
    `INSERT INTO agents (name, sip_username, sip_md5, sip_realm, sip_transport, softphone) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [a.name, a.sipUsername, a.sipMd5, a.sipRealm, a.sipTransport ?? 'udp', a.softphone ?? 'sip'],
  );
  return rows[0]!;
}

/** A new SIP password (its md5) for an agent: the browser phone's credential for one session. */
export async function setSipMd5(q: Queryable, id: number, sipMd5: string): Promise<void> {
  await q.query(`UPDATE agents SET sip_md5 = $2, updated_at = now() WHERE id = $1 AND deleted_at IS NULL`, [id, sipMd5]);
}

export async function getAgent(q: Queryable, id: number, opts: { forUpdate?: boolean } = {}): Promise<AgentRow | null> {
  const { rows } = await q.query<AgentRow>(`SELECT ${COLUMNS} FROM agents WHERE id = $1 AND deleted_at IS NULL${opts.forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] ?? null;
}

export async function listAgents(q: Queryable): Promise<AgentRow[]> {
  const { rows } = await q.query<AgentRow>(`SELECT ${COLUMNS} FROM agents WHERE deleted_at IS NULL ORDER BY id`);
  return rows;
}

export async function listProvisioned(q: Queryable): Promise<ProvisionRow[]> {
  const { rows } = await q.query<ProvisionRow>(
    `SELECT id, sip_username AS "sipUsername", sip_md5 AS "sipMd5", sip_realm AS "sipRealm", sip_transport AS "sipTransport", softphone FROM agents WHERE deleted_at IS NULL ORDER BY id`,
  );
  return rows;
}

export async function getProvision(q: Queryable, id: number): Promise<ProvisionRow | null> {
  const { rows } = await q.query<ProvisionRow>(
    `SELECT id, sip_username AS "sipUsername", sip_md5 AS "sipMd5", sip_realm AS "sipRealm", sip_transport AS "sipTransport", softphone FROM agents WHERE id = $1 AND deleted_at IS NULL`,
    [id],
  );
  return rows[0] ?? null;
}

/** Only an offline agent can be deleted (the CHECK says so too); null when none matched. */
export async function softDeleteAgent(q: Queryable, id: number): Promise<AgentRow | null> {
  const { rows } = await q.query<AgentRow>(
    `UPDATE agents SET deleted_at = now(), updated_at = now(), registered = false WHERE id = $1 AND deleted_at IS NULL AND state = 'offline' RETURNING ${COLUMNS}`,
    [id],
  );
  return rows[0] ?? null;
}

/**
 * A new transport for an offline agent (null when none matched). Its registration is forgotten:
 * the phone must register again on the new transport (its next refresh does, once reconfigured).
 */
export async function setSipTransport(q: Queryable, id: number, sipTransport: SipTransport): Promise<AgentRow | null> {
  const { rows } = await q.query<AgentRow>(
    `UPDATE agents SET sip_transport = $2, registered = false, registered_server = NULL, updated_at = now()
      WHERE id = $1 AND deleted_at IS NULL AND state = 'offline' RETURNING ${COLUMNS}`,
    [id, sipTransport],
  );
  return rows[0] ?? null;
}

/** A deleted agent's API keys stop working with it; returns how many were revoked. */
export async function revokeAgentKeys(q: Queryable, agentId: number): Promise<number> {
  const r = await q.query(`UPDATE api_keys SET revoked_at = now() WHERE agent_id = $1 AND revoked_at IS NULL`, [agentId]);
  return r.rowCount ?? 0;
}

/** Writes a state computed by `transition` (the caller holds the row lock). */
export async function writeStatus(q: Queryable, id: number, next: AgentStatus, opts: { attemptId: string | null; callEnded: boolean }): Promise<AgentRow> {
  const { rows } = await q.query<AgentRow>(
    `UPDATE agents SET state = $2, pause_reason = $3, wrap_up_until = $4, logged_in = ($2 <> 'offline'),
            current_attempt_id = $5, state_since = now(), updated_at = now(),
            last_call_ended_at = CASE WHEN $6 THEN now() ELSE last_call_ended_at END
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, next.state, next.pauseReason, next.wrapUpUntil, opts.attemptId, opts.callEnded],
  );
  return rows[0]!;
}

/**
 * The longest-idle routable agent not in `exclude` becomes ringing for this attempt. SKIP LOCKED:
 * two workers claiming at once take different agents instead of waiting on the same row. A
 * wrap-up whose time is over counts as available (its timer may have died with a worker).
 */
export async function claimAgent(
  q: Queryable,
  attemptId: string,
  exclude: readonly number[],
): Promise<{ id: number; sipUsername: string; name: string } | null> {
  const { rows } = await q.query<{ id: number; sipUsername: string; name: string }>(
    `UPDATE agents SET state = 'ringing', current_attempt_id = $1, pause_reason = NULL, wrap_up_until = NULL,
            state_since = now(), updated_at = now()
      WHERE id = (
        SELECT id FROM agents
         WHERE deleted_at IS NULL AND logged_in AND registered
           AND (state = 'available' OR (state = 'wrap_up' AND wrap_up_until <= now()))
           AND NOT (id = ANY($2::bigint[]))
         ORDER BY last_call_ended_at ASC NULLS FIRST, state_since ASC, id
         LIMIT 1
         FOR UPDATE SKIP LOCKED)
      RETURNING id, sip_username AS "sipUsername", name`,
    [attemptId, [...exclude]],
  );
  return rows[0] ?? null;
}

export async function countRoutable(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM agents
      WHERE deleted_at IS NULL AND logged_in AND registered
        AND (state = 'available' OR (state = 'wrap_up' AND wrap_up_until <= now()))`,
  );
  return rows[0]?.n ?? 0;
}

/** Wrap-ups whose time is over become available; returns who changed (to tell them). */
export async function expireWrapUps(q: Queryable, agentId?: number): Promise<Array<{ id: number; attemptId: string | null }>> {
  const { rows } = await q.query<{ id: number; attemptId: string | null }>(
    `WITH due AS (
       SELECT id, current_attempt_id FROM agents
        WHERE state = 'wrap_up' AND wrap_up_until <= now() AND deleted_at IS NULL AND ($1::bigint IS NULL OR id = $1)
        FOR UPDATE SKIP LOCKED)
     UPDATE agents a SET state = 'available', wrap_up_until = NULL, current_attempt_id = NULL, state_since = now(), updated_at = now()
       FROM due WHERE a.id = due.id
     RETURNING a.id, due.current_attempt_id AS "attemptId"`,
    [agentId ?? null],
  );
  return rows;
}

/**
 * Agents still ringing or on a call whose attempt ended more than `graceSeconds` ago: the worker
 * that bridged it died (its start-up sweep or the replayed job ended the attempt as lost) or
 * the end was missed during an ARI outage. They become available; returns who changed.
 */
export async function releaseStrandedAgents(q: Queryable, graceSeconds: number): Promise<Array<{ id: number; attemptId: string }>> {
  const { rows } = await q.query<{ id: number; attemptId: string }>(
    `WITH stranded AS (
       SELECT g.id, g.current_attempt_id FROM agents g JOIN call_attempts a ON a.id = g.current_attempt_id
        WHERE g.state IN ('ringing', 'on_call') AND g.deleted_at IS NULL
          AND a.state = 'ended' AND a.ended_at < now() - make_interval(secs => $1)
        FOR UPDATE OF g SKIP LOCKED)
     UPDATE agents g SET state = 'available', current_attempt_id = NULL, wrap_up_until = NULL,
            last_call_ended_at = now(), state_since = now(), updated_at = now()
       FROM stranded WHERE g.id = stranded.id
     RETURNING g.id, stranded.current_attempt_id AS "attemptId"`,
    [graceSeconds],
  );
  return rows;
}

/**
 * Registration seen on one server's contact change; returns the agent id when `registered`
 * flipped. A server saying "gone" clears only a registration it holds itself (or an unknown one):
 * with several servers another may hold the agent's current registration. A `tls` agent's
 * contact counts only when `secure` (it registered over TLS); any other is treated as gone.
 */
export async function setRegistered(q: Queryable, sipUsername: string, registered: boolean, server: string, secure: boolean): Promise<number | null> {
  const { rows } = await q.query<{ id: number; changed: boolean }>(
    `WITH n AS (
       SELECT id, registered AS was,
              CASE WHEN $2 AND (sip_transport <> 'tls' OR $4) THEN $3::text WHEN registered_server = $3 OR registered_server IS NULL THEN NULL ELSE registered_server END AS srv
         FROM agents WHERE sip_username = $1 AND deleted_at IS NULL)
     UPDATE agents a SET registered_server = n.srv, registered = n.srv IS NOT NULL,
            registered_at = CASE WHEN n.srv IS NOT NULL AND NOT n.was THEN now() ELSE a.registered_at END, updated_at = now()
       FROM n
      WHERE a.id = n.id AND (a.registered_server IS DISTINCT FROM n.srv OR a.registered IS DISTINCT FROM (n.srv IS NOT NULL))
      RETURNING a.id, n.was IS DISTINCT FROM (n.srv IS NOT NULL) AS changed`,
    [sipUsername, registered, server, secure],
  );
  return rows[0]?.changed ? rows[0].id : null;
}

/**
 * After a (re)connect to one server: exactly the listed user names are registered there; agents
 * registered on other servers keep theirs. A `tls` agent counts only if also in `secureUsernames`
 * (its contact is TLS). Returns agents whose `registered` flipped.
 */
export async function syncRegistered(
  q: Queryable,
  server: string,
  registeredUsernames: readonly string[],
  secureUsernames: readonly string[],
): Promise<Array<{ id: number; registered: boolean }>> {
  const { rows } = await q.query<{ id: number; registered: boolean; was: boolean }>(
    `WITH n AS (
       SELECT id, registered AS was,
              CASE WHEN sip_username = ANY($1::text[]) AND (sip_transport <> 'tls' OR sip_username = ANY($3::text[])) THEN $2::text
                   WHEN registered_server = $2 OR registered_server IS NULL THEN NULL
                   ELSE registered_server END AS srv
         FROM agents WHERE deleted_at IS NULL)
     UPDATE agents a SET registered_server = n.srv, registered = n.srv IS NOT NULL,
            registered_at = CASE WHEN n.srv IS NOT NULL AND NOT n.was THEN now() ELSE a.registered_at END, updated_at = now()
       FROM n
      WHERE a.id = n.id AND (a.registered_server IS DISTINCT FROM n.srv OR a.registered IS DISTINCT FROM (n.srv IS NOT NULL))
      RETURNING a.id, a.registered, n.was`,
    [[...registeredUsernames], server, [...secureUsernames]],
  );
  return rows.filter((r) => r.was !== r.registered).map(({ id, registered }) => ({ id, registered }));
}

/** The server an agent's softphone is registered on (null: none, or not known). */
export async function agentServer(q: Queryable, sipUsername: string): Promise<string | null> {
  const { rows } = await q.query<{ registered_server: string | null }>(
    'SELECT registered_server FROM agents WHERE sip_username = $1 AND deleted_at IS NULL AND registered',
    [sipUsername],
  );
  return rows[0]?.registered_server ?? null;
}

export type { AgentStateName };
