// A database of its own for one test file or one node: an SQLite file, or a new PostgreSQL database when
// TEST_DATABASE_URL names a PostgreSQL server (CI's second pass); `drop` removes it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** Where a node's data lives; the same shape as the server's own DatabaseConfig (server/src/config.ts). */
export interface DatabaseConfig {
  dialect: 'sqlite' | 'postgres';
  /** SQLite: absolute file path; PostgreSQL: the connection URL. */
  location: string;
}

export interface TestDatabase {
  config: DatabaseConfig;
  drop(): Promise<void>;
}

/** The dialect the suite runs on: `postgres` when TEST_DATABASE_URL names a PostgreSQL server. */
export const testDialect: 'sqlite' | 'postgres' = process.env.TEST_DATABASE_URL?.startsWith('postgres')
  ? 'postgres'
  : 'sqlite';

/**
 * A fresh database on the suite's dialect. `dialect: 'sqlite'` asks for an SQLite file whatever the suite runs on (the
 * benchmarks measure the production settings of one file).
 */
export async function createTestDatabase(options: { dialect?: 'sqlite' } = {}): Promise<TestDatabase> {
  const name = `causerie_test_${randomBytes(6).toString('hex')}`;
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (options.dialect === undefined && testDialect === 'postgres' && serverUrl !== undefined) {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      config: { dialect: 'postgres', location: url.toString() },
      drop: async () => {
        const cleaner = new pg.Client({ connectionString: serverUrl });
        await cleaner.connect();
        await cleaner.query(`drop database if exists ${name} with (force)`);
        await cleaner.end();
      },
    };
  }
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'causerie-test-'));
  return {
    config: { dialect: 'sqlite', location: path.join(directory, `${name}.db`) },
    drop: async () => fs.rmSync(directory, { recursive: true, force: true }),
  };
}

/** The `DATABASE_URL` a node reads for this database. */
export function databaseUrl(config: DatabaseConfig): string {
  return config.dialect === 'sqlite' ? `sqlite:${config.location}` : config.location;
}
