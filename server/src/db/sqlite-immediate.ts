// SQLite transactions that take the write lock when they begin, so several processes can share one database file.
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';

/**
 * `BEGIN IMMEDIATE` instead of Kysely's deferred `BEGIN`. A deferred transaction that reads, then writes, cannot
 * wait for another process's write to finish (SQLite answers SQLITE_BUSY at once, since waiting could deadlock);
 * an immediate one waits (busy_timeout) at its start instead, and then reads and writes without interference. One
 * process alone never notices: its single connection runs one transaction at a time either way.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** The SQLite dialect with immediate transactions (see ImmediateSqliteDriver). */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}
