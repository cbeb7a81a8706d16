// Before the suite: one database migrated to the latest schema, which each test app's database copies
// (harness.ts startTestApp) instead of running every migration again (about 0.6 s a database on PostgreSQL).
import { createTestDatabase, type DatabaseConfig } from '@causerie/test-support/database';
import type { TestProject } from 'vitest/node';
import { migrateToLatest, openDatabase } from '../db/database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A database at the latest schema and nothing else, closed: copy it, never open it. */
    migratedTemplate: DatabaseConfig;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = await createTestDatabase();
  const store = openDatabase(template.config);
  try {
    await migrateToLatest(store.db);
  } finally {
    await store.close();
  }
  project.provide('migratedTemplate', template.config);
  return () => template.drop();
}
