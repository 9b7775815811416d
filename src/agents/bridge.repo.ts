import type { Queryable } from '../store/db.js';

/** Ledger and recording writes of the agent bridge; one function per query. */

/** The customer is in a bridge with this agent: the attempt's agent and the moment talk began. */
export async function markBridged(db: Queryable, attemptId: string, agentId: number, at: Date): Promise<void> {
  await db.query(`UPDATE call_attempts SET agent_id = $2, bridged_at = $3 WHERE id = $1`, [attemptId, agentId, at]);
}

/** One recorded conversation (the file lives in the recordings folder; the row is how it is found). */
export async function insertRecording(db: Queryable, attemptId: string, fileName: string, bytes: number): Promise<void> {
  await db.query(`INSERT INTO recordings (attempt_id, file_name, bytes) VALUES ($1, $2, $3)`, [attemptId, fileName, bytes]);
}

/** Abandoned attempts of one contact so far: callbacks stop after the configured number. */
export async function countAbandoned(db: Queryable, contactId: string): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM call_attempts WHERE contact_id = $1 AND outcome = 'abandoned'`, [contactId]);
  return r.rows[0]?.n ?? 0;
}
