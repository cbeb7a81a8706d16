// Opens the database named by the configuration (SQLite in WAL mode, or a PostgreSQL pool) and migrates it.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type Migration, type MigrationProvider, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import type { Dialect } from './dialect.js';
import * as foundation from './migrations/20261121T1300-foundation.js';
import * as conversations from './migrations/20261121T1600-conversations.js';
import * as live from './migrations/20261121T1900-live.js';
import * as webhooks from './migrations/20261121T2100-webhooks.js';
import * as channels from './migrations/20261121T2200-channels.js';
import * as ssoKeyHash from './migrations/20261204T0400-sso-key-hash.js';
import * as presenceHistory from './migrations/20261204T1000-presence-history.js';
import * as targeting from './migrations/20261204T1010-targeting.js';
import * as problemsTimezoneCurrency from './migrations/20261204T1020-problems-timezone-currency.js';
import * as statistics from './migrations/20261204T1030-statistics.js';
import * as statisticsDays from './migrations/20261204T1100-statistics-days.js';
import * as flows from './migrations/20261204T1200-flows.js';
import * as commerceOrders from './migrations/20261204T1210-commerce-orders.js';
import * as statisticsMoreMeasures from './migrations/20261204T1300-statistics-more-measures.js';
import * as flowSchedules from './migrations/20261204T1500-flow-schedules.js';
import * as messagingAgents from './migrations/20261204T1610-messaging-agents.js';
import * as messagingPartner from './migrations/20261204T1620-messaging-partner.js';
import * as messengerBroadcasts from './migrations/20261205T0530-messenger-broadcasts.js';
import * as messengerMessages from './migrations/20261205T0540-messenger-messages.js';
import * as messengerTemplates from './migrations/20261205T0550-messenger-templates.js';
import * as chatTokens from './migrations/20261205T0600-chat-tokens.js';
import * as scenarioTemplates from './migrations/20261205T1310-scenario-templates.js';
import * as callbackLanes from './migrations/20261205T1320-callback-lanes.js';
import * as messengerLanes from './migrations/20261205T1330-messenger-lanes.js';
import * as developerPlatform from './migrations/20261205T1700-developer-platform.js';
import * as closingAnswers from './migrations/20261205T1710-closing-answers.js';
import * as appSigningSecret from './migrations/20261205T1720-app-signing-secret.js';
import * as appInstallationLifecycle from './migrations/20261205T1900-app-installation-lifecycle.js';
import * as cannedResponses from './migrations/20261205T1910-canned-responses.js';
import * as tagColourArchive from './migrations/20261205T1920-tag-colour-archive.js';
import * as search from './migrations/20261205T1930-search.js';
import * as visitorContacts from './migrations/20261205T1940-visitor-contacts.js';
import * as messageSearchVector from './migrations/20261206T0000-message-search-vector.js';
import * as transcriptMail from './migrations/20261206T0100-transcript-mail.js';
import type { Database } from './schema.js';
import { ImmediateSqliteDialect } from './sqlite-immediate.js';

/** Every migration, in order. Listed statically so the compiled server and the tests load the same set. */
export const MIGRATIONS: Record<string, Migration> = {
  '20261121T1300-foundation': foundation,
  '20261121T1600-conversations': conversations,
  '20261121T1900-live': live,
  '20261121T2100-webhooks': webhooks,
  '20261121T2200-channels': channels,
  '20261204T0400-sso-key-hash': ssoKeyHash,
  '20261204T1000-presence-history': presenceHistory,
  '20261204T1010-targeting': targeting,
  '20261204T1020-problems-timezone-currency': problemsTimezoneCurrency,
  '20261204T1030-statistics': statistics,
  '20261204T1100-statistics-days': statisticsDays,
  '20261204T1200-flows': flows,
  '20261204T1210-commerce-orders': commerceOrders,
  '20261204T1300-statistics-more-measures': statisticsMoreMeasures,
  '20261204T1500-flow-schedules': flowSchedules,
  '20261204T1610-messaging-agents': messagingAgents,
  '20261204T1620-messaging-partner': messagingPartner,
  '20261205T0530-messenger-broadcasts': messengerBroadcasts,
  '20261205T0540-messenger-messages': messengerMessages,
  '20261205T0550-messenger-templates': messengerTemplates,
  '20261205T0600-chat-tokens': chatTokens,
  '20261205T1310-scenario-templates': scenarioTemplates,
  '20261205T1320-callback-lanes': callbackLanes,
  '20261205T1330-messenger-lanes': messengerLanes,
  '20261205T1700-developer-platform': developerPlatform,
  '20261205T1710-closing-answers': closingAnswers,
  '20261205T1720-app-signing-secret': appSigningSecret,
  '20261205T1900-app-installation-lifecycle': appInstallationLifecycle,
  '20261205T1910-canned-responses': cannedResponses,
  '20261205T1920-tag-colour-archive': tagColourArchive,
  '20261205T1930-search': search,
  '20261205T1940-visitor-contacts': visitorContacts,
  '20261206T0000-message-search-vector': messageSearchVector,
  '20261206T0100-transcript-mail': transcriptMail,
};

const migrationProvider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

// PostgreSQL returns bigint (count(*), sums) as text by default; our counts fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number.parseInt(value, 10));

/** The file behind each SQLite handle opened here, so migrations can lock it (see migrateToLatest). */
const sqliteFiles = new WeakMap<Kysely<Database>, string>();

/** Opens a connection (pool) for the configured database. Does not migrate. */
export function openDatabase(config: DatabaseConfig): Store {
  if (config.dialect === 'postgres') {
    const pool = new pg.Pool({ connectionString: config.location, max: 10 });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  if (config.location !== ':memory:') fs.mkdirSync(path.dirname(config.location), { recursive: true });
  const sqlite = new SQLite(config.location);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a transaction acknowledged to a caller is on disk, not only in the OS cache.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Immediate transactions: the workers of a node (CAUSERIE_WORKERS) may share this file.
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }) });
  if (config.location !== ':memory:') sqliteFiles.set(db, config.location);
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

function migrator(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider: migrationProvider });
}

/** Applies every pending migration; returns the names applied now. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const file = sqliteFiles.get(db);
  if (file !== undefined) return migrateSqliteFile(file);
  return runMigrations(db);
}

async function runMigrations(db: Kysely<Database>): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

/**
 * Kysely takes no lock on SQLite (it assumes one connection), so two processes starting on a new file at once
 * (`start` and `keys create`, or a node's workers) both created the tables and one failed. Here the migrations run in
 * one `BEGIN IMMEDIATE` transaction on a connection of their own: the second process waits for the first to commit,
 * then finds nothing left to do; a migration that fails leaves the file as it was.
 */
async function migrateSqliteFile(file: string): Promise<string[]> {
  const connection = new SQLite(file);
  connection.pragma('busy_timeout = 120000');
  connection.pragma('foreign_keys = ON');
  const migrating = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
  try {
    await sql`begin immediate`.execute(migrating);
    try {
      const applied = await runMigrations(migrating);
      await sql`commit`.execute(migrating);
      return applied;
    } catch (error) {
      await sql`rollback`.execute(migrating);
      throw error;
    }
  } finally {
    await migrating.destroy();
  }
}

/** Names of migrations the code knows but the database has not applied yet. */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const migrations = await migrator(db).getMigrations();
  return migrations.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
}

/** Cheap round trip used by readiness checks. */
export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Prepared statements kept per SQL text; past this many distinct texts the first prepared is dropped. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every SQLite query anew; the same few hundred statements run over and over, so they are kept.
 * Safe because Kysely runs each statement to completion (`all`/`run`) before the next, on one connection.
 */
function withStatementCache(sqlite: SQLite.Database): { prepare(sql: string): SQLite.Statement; close(): void } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string): SQLite.Statement {
      const cached = cache.get(text);
      // A hit leaves the map as it is: moving the entry to the end on every hit (least recently used) made this
      // function 3.3 % of a busy node's CPU samples (1.9 % without); evicting the first prepared instead costs at most
      // one preparation again, and is rare.
      if (cached !== undefined) return cached;
      const statement = sqlite.prepare(text);
      cache.set(text, statement);
      if (cache.size > STATEMENT_CACHE_SIZE) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      return statement;
    },
    close(): void {
      cache.clear();
      sqlite.close();
    },
  };
}
