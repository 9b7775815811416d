import type { Logger } from '../shared/logger.js';
import type { Queryable } from '../store/db.js';

/**
 * A live call's progress stamps in the ledger (ringing, answered, first audio), written behind:
 * every `FLUSH_MS` the stamps of all calls go in one statement. Written one by one they were
 * three of the fifteen statements of every call, and each statement costs the worker and
 * PostgreSQL more in round-trip work than in the update itself.
 *
 * Safe to apply late or after the call's end: each stamp is conditional (a state moves only
 * forward from 'originating'/'ringing', `first_audio_at` is set once), and the end row carries
 * the answer and first-audio times itself. A crash loses at most `FLUSH_MS` of stamps; an
 * adopting worker takes the channel's state from Asterisk, and a prompt it does not know was
 * heard is played again from the start.
 */
export interface AttemptProgress {
  ringing(attemptId: string): void;
  answered(attemptId: string, at: Date): void;
  firstAudio(attemptId: string, at: Date): void;
  /** The call's end is being written with everything: its pending stamps are not needed. */
  forget(attemptId: string): void;
  /** Writes what is pending now (tests, shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  ringing: boolean;
  answeredAt: Date | null;
  firstAudioAt: Date | null;
}

export const FLUSH_MS = 50;

export function createAttemptProgress(db: Queryable, log: Logger, flushMs = FLUSH_MS): AttemptProgress {
  let pending = new Map<string, Pending>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const entry = (id: string): Pending => {
    let p = pending.get(id);
    if (!p) {
      p = { ringing: false, answeredAt: null, firstAudioAt: null };
      pending.set(id, p);
    }
    timer ??= setTimeout(() => void flush(), flushMs);
    return p;
  };

  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.size === 0) return writing;
    const batch = pending;
    pending = new Map();
    // One write at a time: a batch never overtakes the one before it.
    writing = writing.then(() => writeProgress(db, batch).catch((err: unknown) => log.error({ err, calls: batch.size }, 'ledger progress write failed')));
    return writing;
  };

  return {
    ringing: (id) => void (entry(id).ringing = true),
    answered: (id, at) => void (entry(id).answeredAt ??= at),
    firstAudio: (id, at) => void (entry(id).firstAudioAt ??= at),
    forget: (id) => void pending.delete(id),
    flush,
    close: flush,
  };
}

/** One statement for a batch of calls' stamps; the same conditions as one stamp at a time. */
async function writeProgress(db: Queryable, batch: Map<string, Pending>): Promise<void> {
  const ids: string[] = [];
  const ringing: boolean[] = [];
  const answered: (Date | null)[] = [];
  const firstAudio: (Date | null)[] = [];
  for (const [id, p] of batch) {
    ids.push(id);
    ringing.push(p.ringing);
    answered.push(p.answeredAt);
    firstAudio.push(p.firstAudioAt);
  }
  await db.query(
    `UPDATE call_attempts a
        SET state = CASE WHEN v.answered_at IS NOT NULL AND a.state IN ('originating', 'ringing') THEN 'answered'
                         WHEN v.ringing AND a.state = 'originating' THEN 'ringing'
                         ELSE a.state END,
            answered_at = CASE WHEN v.answered_at IS NOT NULL AND a.state IN ('originating', 'ringing') THEN v.answered_at ELSE a.answered_at END,
            first_audio_at = COALESCE(a.first_audio_at, v.first_audio_at)
       FROM unnest($1::uuid[], $2::boolean[], $3::timestamptz[], $4::timestamptz[]) AS v(id, ringing, answered_at, first_audio_at)
      WHERE a.id = v.id`,
    [ids, ringing, answered, firstAudio],
  );
}
