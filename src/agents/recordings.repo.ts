import type { Queryable } from '../store/db.js';

/** Recording rows: the bridge inserts them, the API lists them, the prune marks them deleted; one function per query. */

export interface RecordingRow {
  id: number;
  attemptId: string;
  campaignId: number | null;
  agentId: number | null;
  fileName: string;
  bytes: number;
  createdAt: Date;
  deletedAt: Date | null;
}

const COLUMNS = `r.id, r.attempt_id AS "attemptId", a.campaign_id AS "campaignId", a.agent_id AS "agentId", r.file_name AS "fileName",
  r.bytes, r.created_at AS "createdAt", r.deleted_at AS "deletedAt"`;

export async function listRecordings(
  q: Queryable,
  f: { campaignId?: number | undefined; attemptId?: string | undefined; beforeId?: number | undefined; limit: number },
): Promise<RecordingRow[]> {
  const { rows } = await q.query<RecordingRow>(
    `SELECT ${COLUMNS} FROM recordings r JOIN call_attempts a ON a.id = r.attempt_id
      WHERE ($1::bigint IS NULL OR a.campaign_id = $1) AND ($2::uuid IS NULL OR r.attempt_id = $2)
        AND ($3::bigint IS NULL OR r.id < $3)
      ORDER BY r.id DESC LIMIT $4`,
    [f.campaignId ?? null, f.attemptId ?? null, f.beforeId ?? null, f.limit],
  );
  return rows;
}

export async function getRecording(q: Queryable, id: number): Promise<RecordingRow | null> {
  const { rows } = await q.query<RecordingRow>(`SELECT ${COLUMNS} FROM recordings r JOIN call_attempts a ON a.id = r.attempt_id WHERE r.id = $1`, [id]);
  return rows[0] ?? null;
}

/** Live recordings older than the cutoff, oldest first, a batch at a time. */
export async function selectExpiredRecordings(q: Queryable, cutoff: Date, limit: number): Promise<Array<{ id: number; fileName: string }>> {
  const { rows } = await q.query<{ id: number; fileName: string }>(
    `SELECT id, file_name AS "fileName" FROM recordings WHERE deleted_at IS NULL AND created_at < $1 ORDER BY created_at LIMIT $2`,
    [cutoff, limit],
  );
  return rows;
}

export async function markRecordingDeleted(q: Queryable, id: number): Promise<void> {
  await q.query(`UPDATE recordings SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL`, [id]);
}

/** One recorded conversation (the file lives in the recordings folder; the row is how it is found). */
export async function insertRecording(db: Queryable, attemptId: string, fileName: string, bytes: number): Promise<void> {
  await db.query(`INSERT INTO recordings (attempt_id, file_name, bytes) VALUES ($1, $2, $3)`, [attemptId, fileName, bytes]);
}
