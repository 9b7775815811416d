import { relative, resolve, sep } from 'node:path';
import { AppError } from '../shared/errors.js';

/** The file of a recording row; a name that would leave the recording folder is refused. */
export function recordingPath(dir: string, fileName: string): string {
  const root = resolve(dir);
  const full = resolve(root, fileName);
  const rel = relative(root, full);
  if (rel === '' || rel.startsWith('..') || rel.includes(`..${sep}`))
    throw new AppError('recording_path_invalid', 'recording file name leaves the recording folder', 422);
  return full;
}
