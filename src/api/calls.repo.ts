import type { Queryable } from '../store/db.js';

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

const WHERE = `($1::bigint IS NULL OR campaign_id = $1)
  AND ($2::bigint IS NULL OR customer_id = $2)
  AND ($3::text IS NULL OR outcome = $3)
  AND ($4::timestamptz IS NULL OR reserved_at >= $4)
  AND ($5::timestamptz IS NULL OR reserved_at < $5)`;

function params(f: CallFilter): unknown[] {
  return [f.campaignId ?? null, f.customerId ?? null, f.outcome ?? null, f.from ?? null, f.to ?? null];
}

/** Newest first; `after` is the last row of the previous page. */
export async function listCallsDesc(q: Queryable, f: CallFilter, after: Keyset | null, limit: number): Promise<CallRow[]> {
  const { rows } = await q.query<CallRow>(
    `SELECT ${COLUMNS} FROM call_attempts
      WHERE ${WHERE} AND ($6::timestamptz IS NULL OR (reserved_at, id) < ($6::timestamptz, $7::uuid))
      ORDER BY reserved_at DESC, id DESC LIMIT $8`,
    [...params(f), after?.at ?? null, after?.id ?? null, limit],
  );
  return rows;
}

/** Oldest first, for exports: one batch after `after`. */
export async function listCallsAsc(q: Queryable, f: CallFilter, after: Keyset | null, limit: number): Promise<CallRow[]> {
  const { rows } = await q.query<CallRow>(
    `SELECT ${COLUMNS} FROM call_attempts
      WHERE ${WHERE} AND ($6::timestamptz IS NULL OR (reserved_at, id) > ($6::timestamptz, $7::uuid))
      ORDER BY reserved_at, id LIMIT $8`,
    [...params(f), after?.at ?? null, after?.id ?? null, limit],
  );
  return rows;
}
