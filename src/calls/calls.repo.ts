import type { Queryable } from '../store/db.js';
import { scopeParams, type CallScope } from '../auth/roles.js';

export interface CallRow {
  id: string;
  campaignId: number | null;
  contactId: number | null;
  customerId: number;
  attemptNo: number;
  phone: string;
  state: string;
  outcome: string | null;
  cause: number | null;
  techCause: number | null;
  amdStatus: string | null;
  amdCause: string | null;
  digits: string;
  connected: boolean;
  agentId: number | null;
  promptVersion: string | null;
  workerId: string | null;
  queuedAt: Date | null;
  reservedAt: Date;
  originatedAt: Date | null;
  answeredAt: Date | null;
  bridgedAt: Date | null;
  endedAt: Date | null;
  ringMs: number | null;
  talkMs: number | null;
  /** reserved_at as Postgres text (microseconds intact): the keyset cursor, never rounded through a JS Date. */
  cursorAt: string;
}

export interface CallFilter {
  campaignId?: number | undefined;
  customerId?: number | undefined;
  outcome?: string | undefined;
  /** reserved_at >= from */
  from?: string | undefined;
  /** reserved_at < to */
  to?: string | undefined;
  /** the agent who took the call */
  agentId?: number | undefined;
}

export interface Keyset {
  at: string;
  id: string;
}

const COLUMNS = `id, campaign_id AS "campaignId", contact_id AS "contactId", customer_id AS "customerId", attempt_no AS "attemptNo",
  phone, state, outcome, cause, tech_cause AS "techCause", amd_status AS "amdStatus", amd_cause AS "amdCause", digits, connected,
  agent_id AS "agentId", prompt_version AS "promptVersion", worker_id AS "workerId", queued_at AS "queuedAt",
  reserved_at AS "reservedAt", originated_at AS "originatedAt", answered_at AS "answeredAt", bridged_at AS "bridgedAt",
  ended_at AS "endedAt", ring_ms AS "ringMs", talk_ms AS "talkMs", reserved_at::text AS "cursorAt"`;

/** The caller's scope as $1, $2 (see `scopeParams`): every row, or the calls one agent took. */
const SCOPE = `($1::boolean IS FALSE OR agent_id = $2::bigint)`;

/** The caller's scope, then the query's filters. */
const WHERE = `${SCOPE}
  AND ($3::bigint IS NULL OR campaign_id = $3)
  AND ($4::bigint IS NULL OR customer_id = $4)
  AND ($5::text IS NULL OR outcome = $5)
  AND ($6::timestamptz IS NULL OR reserved_at >= $6)
  AND ($7::timestamptz IS NULL OR reserved_at < $7)
  AND ($8::bigint IS NULL OR agent_id = $8)`;

function params(scope: CallScope, f: CallFilter): unknown[] {
  return [...scopeParams(scope), f.campaignId ?? null, f.customerId ?? null, f.outcome ?? null, f.from ?? null, f.to ?? null, f.agentId ?? null];
}

/** Newest first, within the caller's scope; `after` is the last row of the previous page. */
export async function listCallsDesc(q: Queryable, scope: CallScope, f: CallFilter, after: Keyset | null, limit: number): Promise<CallRow[]> {
  const { rows } = await q.query<CallRow>(
    `SELECT ${COLUMNS} FROM call_attempts
      WHERE ${WHERE} AND ($9::timestamptz IS NULL OR (reserved_at, id) < ($9::timestamptz, $10::uuid))
      ORDER BY reserved_at DESC, id DESC LIMIT $11`,
    [...params(scope, f), after?.at ?? null, after?.id ?? null, limit],
  );
  return rows;
}

/** Oldest first, within the caller's scope, for exports: one batch after `after`. */
export async function listCallsAsc(q: Queryable, scope: CallScope, f: CallFilter, after: Keyset | null, limit: number): Promise<CallRow[]> {
  const { rows } = await q.query<CallRow>(
    `SELECT ${COLUMNS} FROM call_attempts
      WHERE ${WHERE} AND ($9::timestamptz IS NULL OR (reserved_at, id) > ($9::timestamptz, $10::uuid))
      ORDER BY reserved_at, id LIMIT $11`,
    [...params(scope, f), after?.at ?? null, after?.id ?? null, limit],
  );
  return rows;
}

/** One call, or null when it does not exist or lies outside the caller's scope. */
export async function getCall(q: Queryable, scope: CallScope, id: string): Promise<CallRow | null> {
  const { rows } = await q.query<CallRow>(`SELECT ${COLUMNS} FROM call_attempts WHERE id = $3::uuid AND ${SCOPE}`, [...scopeParams(scope), id]);
  return rows[0] ?? null;
}
