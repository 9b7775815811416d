import type { Queryable } from '../store/db.js';
import type { PromptLookup, StoredPrompt } from './prompt.render.js';

export interface PromptRow extends StoredPrompt {
  name: string;
  contentHash: string;
  createdAt: Date;
}

const COLUMNS = `id, name, locale, kind, text, audio_file AS "audioFile", content_hash AS "contentHash", created_at AS "createdAt"`;

export interface NewPrompt {
  name: string;
  locale: string;
  kind: 'audio' | 'tts';
  text: string | null;
  audioFile: string | null;
  contentHash: string;
}

export async function insertPrompt(q: Queryable, p: NewPrompt): Promise<PromptRow> {
  const { rows } = await q.query<PromptRow>(
    `INSERT INTO prompts (name, locale, kind, text, audio_file, content_hash) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [p.name, p.locale, p.kind, p.text, p.audioFile, p.contentHash],
  );
  return rows[0]!;
}

export async function getPrompt(q: Queryable, id: number): Promise<PromptRow | undefined> {
  const { rows } = await q.query<PromptRow>(`SELECT ${COLUMNS} FROM prompts WHERE id = $1`, [id]);
  return rows[0];
}

/** The ids among `ids` that have no prompt row (for checking a campaign's prompt). */
export async function missingPromptIds(q: Queryable, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const { rows } = await q.query<{ id: number }>(
    `SELECT want.id FROM unnest($1::bigint[]) AS want(id) WHERE NOT EXISTS (SELECT 1 FROM prompts p WHERE p.id = want.id) ORDER BY want.id`,
    [ids],
  );
  return rows.map((r) => Number(r.id));
}

export interface PromptFilter {
  locale?: string | undefined;
  kind?: 'audio' | 'tts' | undefined;
  /** Newest first: rows with id below this. */
  beforeId?: number | undefined;
  limit: number;
}

export async function listPrompts(q: Queryable, f: PromptFilter): Promise<PromptRow[]> {
  const { rows } = await q.query<PromptRow>(
    `SELECT ${COLUMNS} FROM prompts
      WHERE ($1::text IS NULL OR locale = $1)
        AND ($2::text IS NULL OR kind = $2)
        AND ($3::bigint IS NULL OR id < $3)
      ORDER BY id DESC
      LIMIT $4`,
    [f.locale ?? null, f.kind ?? null, f.beforeId ?? null, f.limit],
  );
  return rows;
}

/** The files of uploaded recordings: pruning must never delete these. */
export async function audioFileNames(q: Queryable): Promise<Set<string>> {
  const { rows } = await q.query<{ audioFile: string }>(`SELECT DISTINCT audio_file AS "audioFile" FROM prompts WHERE audio_file IS NOT NULL`);
  return new Set(rows.map((r) => r.audioFile));
}

/**
 * A PromptLookup for renderPromptAudio. Prompt rows are never updated, so a found row is kept
 * for the life of the lookup (one per worker); misses are not kept.
 */
export function createPromptLookup(q: Queryable): PromptLookup {
  const found = new Map<number, StoredPrompt>();
  return async (id) => {
    const hit = found.get(id);
    if (hit) return hit;
    const row = await getPrompt(q, id);
    if (!row) return undefined;
    const stored: StoredPrompt = { id: row.id, kind: row.kind, locale: row.locale, text: row.text, audioFile: row.audioFile };
    found.set(id, stored);
    return stored;
  };
}
