import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/store/migrate.js';
import { createTemplate, dropDb } from './db.js';
import { ROOT } from './sandbox-env.js';

/** Once per run: a migrated template database that every integration test file clones. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = await createTemplate((db) => migrate(db, join(ROOT, 'migrations')));
  project.provide('templateDb', template);
  return () => dropDb(template);
}
