import { unlink } from 'node:fs/promises';
import type { Logger } from '../shared/logger.js';
import type { Db } from '../store/db.js';
import { markRecordingDeleted, selectExpiredRecordings } from './recordings.repo.js';
import { recordingPath } from './recording.path.js';

const BATCH = 500;

/**
 * Deletes recordings past the retention period: the file first, then the row is marked, so a
 * crash in between leaves a row whose file is gone (retried harmlessly), never a file no row
 * points at. Rows stay for the ledger. Returns how many were pruned.
 */
export async function pruneRecordings(deps: { db: Db; dir: string; retentionDays: number; log: Logger; now?: Date }): Promise<number> {
  const cutoff = new Date((deps.now ?? new Date()).getTime() - deps.retentionDays * 86_400_000);
  let pruned = 0;
  for (;;) {
    const batch = await selectExpiredRecordings(deps.db, cutoff, BATCH);
    const before = pruned;
    for (const r of batch) {
      try {
        await unlink(recordingPath(deps.dir, r.fileName));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          deps.log.error({ err, recordingId: r.id }, 'recording file not deleted; kept for the next prune');
          continue;
        }
      }
      await markRecordingDeleted(deps.db, r.id);
      pruned++;
    }
    // A full batch of files that could not be deleted would come back forever.
    if (batch.length < BATCH || pruned === before) break;
  }
  if (pruned > 0) deps.log.info({ pruned, retentionDays: deps.retentionDays }, 'recordings pruned');
  return pruned;
}
