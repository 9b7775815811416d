import type { Queryable } from '../store/db.js';
import type { Answers, ChecklistItem } from './quality.checklist.js';

/** Checklists and reviews (quality_checklists, quality_reviews): written here only; one function per query. */

export async function getChecklist(q: Queryable, campaignId: number): Promise<ChecklistItem[] | null> {
  const { rows } = await q.query<{ items: ChecklistItem[] }>(`SELECT items FROM quality_checklists WHERE campaign_id = $1`, [campaignId]);
  return rows[0]?.items ?? null;
}

export async function saveChecklist(q: Queryable, campaignId: number, items: readonly ChecklistItem[]): Promise<void> {
  await q.query(
    `INSERT INTO quality_checklists (campaign_id, items) VALUES ($1, $2::jsonb)
     ON CONFLICT (campaign_id) DO UPDATE SET items = EXCLUDED.items, updated_at = now()`,
    [campaignId, JSON.stringify(items)],
  );
}

export async function deleteChecklist(q: Queryable, campaignId: number): Promise<void> {
  await q.query(`DELETE FROM quality_checklists WHERE campaign_id = $1`, [campaignId]);
}

/** A recorded agent call a supervisor can review. */
export interface ReviewableCall {
  attemptId: string;
  recordingId: number;
  campaignId: number | null;
  agentId: number;
  agentName: string;
  reservedAt: Date;
  talkMs: number | null;
  outcome: string | null;
  reviews: number;
}

export interface ReviewableFilter {
  campaignId: number | null;
  agentId: number | null;
  from: Date | null;
  to: Date | null;
  unreviewed: boolean;
  random: boolean;
  limit: number;
}

/**
 * Recorded calls an agent took (the recording still on disk), newest first or in random order
 * (a fair sample: random() over the filtered rows; narrow by date for a very large ledger).
 */
export async function listReviewableCalls(q: Queryable, f: ReviewableFilter): Promise<ReviewableCall[]> {
  const { rows } = await q.query<ReviewableCall>(
    `SELECT a.id AS "attemptId", r.id::int AS "recordingId", a.campaign_id::int AS "campaignId", a.agent_id::int AS "agentId",
            g.name AS "agentName", a.reserved_at AS "reservedAt", a.talk_ms AS "talkMs", a.outcome,
            (SELECT count(*)::int FROM quality_reviews v WHERE v.attempt_id = a.id) AS reviews
       FROM recordings r
       JOIN call_attempts a ON a.id = r.attempt_id
       JOIN agents g ON g.id = a.agent_id
      WHERE r.deleted_at IS NULL
        AND ($1::bigint IS NULL OR a.campaign_id = $1) AND ($2::bigint IS NULL OR a.agent_id = $2)
        AND ($3::timestamptz IS NULL OR a.reserved_at >= $3) AND ($4::timestamptz IS NULL OR a.reserved_at < $4)
        AND (NOT $5::boolean OR NOT EXISTS (SELECT 1 FROM quality_reviews v WHERE v.attempt_id = a.id))
      ORDER BY CASE WHEN $6::boolean THEN random() END, a.reserved_at DESC, r.id DESC
      LIMIT $7`,
    [f.campaignId, f.agentId, f.from, f.to, f.unreviewed, f.random, f.limit],
  );
  return rows;
}

/** The call a review is about: who took it, for which campaign (null agent: nobody to score). */
export async function getReviewTarget(
  q: Queryable,
  attemptId: string,
): Promise<{ agentId: number | null; campaignId: number | null; recorded: boolean } | null> {
  const { rows } = await q.query<{ agentId: number | null; campaignId: number | null; recorded: boolean }>(
    `SELECT a.agent_id::int AS "agentId", a.campaign_id::int AS "campaignId",
            EXISTS (SELECT 1 FROM recordings r WHERE r.attempt_id = a.id) AS recorded
       FROM call_attempts a WHERE a.id = $1`,
    [attemptId],
  );
  return rows[0] ?? null;
}

export interface ReviewRow {
  id: number;
  attemptId: string;
  agentId: number;
  agentName: string;
  campaignId: number | null;
  reviewerKeyId: number | null;
  items: ChecklistItem[];
  answers: Answers;
  score: number;
  comment: string | null;
  createdAt: Date;
}

const REVIEW_COLUMNS = `v.id::int, v.attempt_id AS "attemptId", v.agent_id::int AS "agentId", g.name AS "agentName", v.campaign_id::int AS "campaignId",
  v.reviewer_key_id::int AS "reviewerKeyId", v.items, v.answers, v.score::float8 AS score, v.comment, v.created_at AS "createdAt"`;

export async function insertReview(
  q: Queryable,
  r: {
    attemptId: string;
    agentId: number;
    campaignId: number | null;
    reviewerKeyId: number;
    items: readonly ChecklistItem[];
    answers: Answers;
    score: number;
    comment: string | null;
  },
): Promise<ReviewRow> {
  const { rows } = await q.query<ReviewRow>(
    `WITH v AS (
       INSERT INTO quality_reviews (attempt_id, agent_id, campaign_id, reviewer_key_id, items, answers, score, comment)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8) RETURNING *)
     SELECT ${REVIEW_COLUMNS} FROM v JOIN agents g ON g.id = v.agent_id`,
    [r.attemptId, r.agentId, r.campaignId, r.reviewerKeyId, JSON.stringify(r.items), JSON.stringify(r.answers), r.score, r.comment],
  );
  return rows[0]!;
}

export async function listReviews(
  q: Queryable,
  f: { agentId: number | null; campaignId: number | null; attemptId: string | null; beforeId: number | null; limit: number },
): Promise<ReviewRow[]> {
  const { rows } = await q.query<ReviewRow>(
    `SELECT ${REVIEW_COLUMNS} FROM quality_reviews v JOIN agents g ON g.id = v.agent_id
      WHERE ($1::bigint IS NULL OR v.agent_id = $1) AND ($2::bigint IS NULL OR v.campaign_id = $2)
        AND ($3::uuid IS NULL OR v.attempt_id = $3) AND ($4::bigint IS NULL OR v.id < $4)
      ORDER BY v.id DESC LIMIT $5`,
    [f.agentId, f.campaignId, f.attemptId, f.beforeId, f.limit],
  );
  return rows;
}

export interface ScorePoint {
  agentId: number;
  agentName: string;
  day: string;
  reviews: number;
  score: number;
}

/** Scores per agent per day (in the given zone), oldest first: an agent's quality over time. */
export async function scoresByAgentDay(
  q: Queryable,
  f: { agentId: number | null; campaignId: number | null; from: Date; to: Date; zone: string },
): Promise<ScorePoint[]> {
  const { rows } = await q.query<ScorePoint>(
    `SELECT v.agent_id::int AS "agentId", g.name AS "agentName", to_char(timezone($5, v.created_at), 'YYYY-MM-DD') AS day,
            count(*)::int AS reviews, round(avg(v.score), 2)::float8 AS score
       FROM quality_reviews v JOIN agents g ON g.id = v.agent_id
      WHERE v.created_at >= $3 AND v.created_at < $4
        AND ($1::bigint IS NULL OR v.agent_id = $1) AND ($2::bigint IS NULL OR v.campaign_id = $2)
      GROUP BY 1, 2, 3 ORDER BY 1, 3`,
    [f.agentId, f.campaignId, f.from, f.to, f.zone],
  );
  return rows;
}
