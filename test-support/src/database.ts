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
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (options.dialect === undefined && testDialect === 'postgres' && serverUrl !== undefined)
    return createPostgresDatabase(serverUrl, '');
  const file = sqliteFile();
  return { config: { dialect: 'sqlite', location: file.location }, drop: file.drop };
}

/**
 * A fresh database holding what `template` holds (a database made and filled once, then copied for each file that
 * needs it: a migrated schema, the demo's data). SQLite copies the file; PostgreSQL creates the database from the
 * template, which nothing may be connected to meanwhile.
 */
export async function copyTestDatabase(template: DatabaseConfig): Promise<TestDatabase> {
  if (template.dialect === 'postgres') {
    const serverUrl = new URL(template.location);
    const templateName = serverUrl.pathname.slice(1);
    // The copy is made from the database TEST_DATABASE_URL names, as createTestDatabase's are ('postgres' without it).
    serverUrl.pathname = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://localhost/postgres').pathname;
    return createPostgresDatabase(serverUrl.toString(), ` template ${templateName}`);
  }
  const file = sqliteFile();
  // A database closed last by its only connection has no WAL left; one that has them gets them copied alongside.
  for (const suffix of ['', '-wal', '-shm'])
    if (fs.existsSync(template.location + suffix)) fs.copyFileSync(template.location + suffix, file.location + suffix);
  return { config: { dialect: 'sqlite', location: file.location }, drop: file.drop };
}

const uniqueName = () => `causerie_test_${randomBytes(6).toString('hex')}`;

/** `create database <new name><clause>` on the server at `serverUrl`; dropped with force (its nodes may be gone). */
async function createPostgresDatabase(serverUrl: string, clause: string): Promise<TestDatabase> {
  const name = uniqueName();
  const onServer = async (statement: string) => {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(statement);
    } finally {
      await admin.end();
    }
  };
  await onServer(`create database ${name}${clause}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    config: { dialect: 'postgres', location: url.toString() },
    drop: () => onServer(`drop database if exists ${name} with (force)`),
  };
}

/** A new SQLite file's path in a folder of its own, and the removal of that folder. */
function sqliteFile(): { location: string; drop: () => Promise<void> } {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'causerie-test-'));
  return {
    location: path.join(directory, `${uniqueName()}.db`),
    drop: async () => fs.rmSync(directory, { recursive: true, force: true }),
  };
}

/** The `DATABASE_URL` a node reads for this database. */
export function databaseUrl(config: DatabaseConfig): string {
  return config.dialect === 'sqlite' ? `sqlite:${config.location}` : config.location;
}
