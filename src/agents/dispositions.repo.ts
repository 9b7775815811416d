import type { Queryable } from '../store/db.js';

/** Dispositions and the call they conclude; one function per query. */

export const DISPOSITION_KINDS = ['promise_to_pay', 'dispute', 'wrong_party', 'callback', 'refused', 'paid'] as const;
export type DispositionKind = (typeof DISPOSITION_KINDS)[number];

export interface DispositionRow {
  id: number;
  attemptId: string;
  agentId: number | null;
  kind: DispositionKind;
  amount: string | null;
  promisedDate: string | null;
  callbackAt: Date | null;
  note: string | null;
  createdAt: Date;
}

export interface AttemptForDisposition {
  id: string;
  customerId: number;
  campaignId: number | null;
  contactId: number | null;
  /** Set by the bridge once the agent talked to the customer. */
  agentId: number | null;
  /** The agent whose current call this is (ringing, talking or wrapping up), if any. */
  currentAgentId: number | null;
}

export async function selectAttemptForDisposition(q: Queryable, attemptId: string): Promise<AttemptForDisposition | null> {
  const { rows } = await q.query<AttemptForDisposition>(
    `SELECT a.id, a.customer_id AS "customerId", a.campaign_id AS "campaignId", a.contact_id AS "contactId", a.agent_id AS "agentId",
            (SELECT g.id FROM agents g WHERE g.current_attempt_id = a.id AND g.deleted_at IS NULL LIMIT 1) AS "currentAgentId"
       FROM call_attempts a WHERE a.id = $1`,
    [attemptId],
  );
  return rows[0] ?? null;
}

export async function insertDisposition(
  q: Queryable,
  d: {
    attemptId: string;
    agentId: number | null;
    kind: DispositionKind;
    amount: string | null;
    promisedDate: string | null;
    callbackAt: Date | null;
    note: string | null;
    createdBy: number;
  },
): Promise<DispositionRow> {
  const { rows } = await q.query<DispositionRow>(
    `INSERT INTO dispositions (attempt_id, agent_id, kind, amount, promised_date, callback_at, note, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     RETURNING id, attempt_id AS "attemptId", agent_id AS "agentId", kind, amount::text AS amount,
               to_char(promised_date, 'YYYY-MM-DD') AS "promisedDate", callback_at AS "callbackAt", note, created_at AS "createdAt"`,
    [d.attemptId, d.agentId, d.kind, d.amount, d.promisedDate, d.callbackAt, d.note, d.createdBy],
  );
  return rows[0]!;
}

export async function hasDisposition(q: Queryable, attemptId: string): Promise<boolean> {
  const { rows } = await q.query(`SELECT 1 FROM dispositions WHERE attempt_id = $1`, [attemptId]);
  return rows.length > 0;
}

/** A customer's dispositions, newest first (the console's customer card and the agent's screen pop). */
export async function listCustomerDispositions(q: Queryable, customerId: number, limit: number): Promise<DispositionRow[]> {
  const { rows } = await q.query<DispositionRow>(
    `SELECT d.id, d.attempt_id AS "attemptId", d.agent_id AS "agentId", d.kind, d.amount::text AS amount,
            to_char(d.promised_date, 'YYYY-MM-DD') AS "promisedDate", d.callback_at AS "callbackAt", d.note, d.created_at AS "createdAt"
       FROM dispositions d JOIN call_attempts a ON a.id = d.attempt_id
      WHERE a.customer_id = $1
      ORDER BY d.created_at DESC, d.id DESC
      LIMIT $2`,
    [customerId, limit],
  );
  return rows;
}

/**
 * Whether the customer promised to pay at or after `since` (a contact plan's stop): an agent's
 * promise_to_pay disposition, or the promise key pressed in an automated call (the call's end
 * reason, whichever key the campaign's menu gives it).
 */
export async function hasPromiseSince(q: Queryable, customerId: string | number, since: Date): Promise<boolean> {
  const { rows } = await q.query<{ yes: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM dispositions d JOIN call_attempts a ON a.id = d.attempt_id
                     WHERE a.customer_id = $1 AND d.kind = 'promise_to_pay' AND d.created_at >= $2)
         OR EXISTS (SELECT 1 FROM call_attempts a
                     WHERE a.customer_id = $1 AND a.end_reason = 'promise_to_pay' AND a.ended_at >= $2) AS yes`,
    [customerId, since],
  );
  return rows[0]?.yes ?? false;
}
