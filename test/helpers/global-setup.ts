import { join } from 'node:path';
import { migrate } from '../../src/store/migrate.js';
import { recreateTemplate } from './db.js';
import { ROOT } from './sandbox-env.js';

/** Once per run: a migrated template database that every integration test file clones. */
export default async function setup(): Promise<void> {
  await recreateTemplate((db) => migrate(db, join(ROOT, 'migrations')));
}
