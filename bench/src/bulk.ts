// Bulk writes for seeding benchmarks on either dialect: multi-row INSERTs inside one transaction per call, and what
// the seeder needs to know of the schema (which tables and columns exist, the highest id, PostgreSQL's counters).
import Database from 'better-sqlite3';
import pg from 'pg';

export type Row = readonly unknown[];

export interface BulkWriter {
  readonly dialect: 'sqlite' | 'postgres';
  /** Writes `rows` in one transaction, many rows per statement. */
  insert(table: string, columns: readonly string[], rows: readonly Row[]): Promise<void>;
  run(sql: string): Promise<void>;
  /** The rows of a read-only query, positional parameters written `?` on both dialects. */
  query<T>(sql: string, parameters?: readonly unknown[]): Promise<T[]>;
  /** The column names of `table`; empty when the table does not exist. */
  columns(table: string): Promise<ReadonlySet<string>>;
  maxId(table: string): Promise<number>;
  /** PostgreSQL's serial counters follow explicit ids only when told; nothing to do on SQLite. */
  resetSequence(table: string): Promise<void>;
  close(): Promise<void>;
}

/** SQLite takes at most 32,766 parameters per statement (better-sqlite3's build); PostgreSQL 65,535. */
const SQLITE_PARAMETERS = 32_000;
const POSTGRES_PARAMETERS = 60_000;

const columnList = (columns: readonly string[]) => columns.map((column) => `"${column}"`).join(', ');

export function sqliteBulkWriter(file: string): BulkWriter {
  const db = new Database(file);
  db.pragma('busy_timeout = 30000');
  // The seeding connection only: its commits need not wait for the disk (the node keeps its own settings).
  db.pragma('synchronous = NORMAL');
  const statements = new Map<string, Database.Statement>();
  const statementFor = (table: string, columns: readonly string[], rowCount: number) => {
    const key = `${table}|${columns.join(',')}|${rowCount}`;
    let statement = statements.get(key);
    if (statement === undefined) {
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      statement = db.prepare(
        `insert into "${table}" (${columnList(columns)}) values ${Array(rowCount).fill(tuple).join(', ')}`,
      );
      statements.set(key, statement);
    }
    return statement;
  };
  return {
    dialect: 'sqlite',
    async insert(table, columns, rows) {
      const perStatement = Math.max(1, Math.floor(SQLITE_PARAMETERS / columns.length));
      db.transaction(() => {
        for (let start = 0; start < rows.length; start += perStatement) {
          const chunk = rows.slice(start, start + perStatement);
          statementFor(table, columns, chunk.length).run(chunk.flat());
        }
      }).immediate();
    },
    async run(sql) {
      db.exec(sql);
    },
    async query<T>(sql: string, parameters: readonly unknown[] = []) {
      return db.prepare(sql).all(...parameters) as T[];
    },
    async columns(table) {
      const rows = db.prepare(`select name from pragma_table_info(?)`).all(table) as { name: string }[];
      return new Set(rows.map((row) => row.name));
    },
    async maxId(table) {
      const row = db.prepare(`select coalesce(max(id), 0) as max from "${table}"`).get() as { max: number };
      return row.max;
    },
    async resetSequence() {},
    async close() {
      db.close();
    },
  };
}

/** `?` placeholders to PostgreSQL's `$n`. */
const numbered = (sql: string) => {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
};

export async function postgresBulkWriter(url: string): Promise<BulkWriter> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    dialect: 'postgres',
    async insert(table, columns, rows) {
      const perStatement = Math.max(1, Math.floor(POSTGRES_PARAMETERS / columns.length));
      await client.query('begin');
      try {
        for (let start = 0; start < rows.length; start += perStatement) {
          const chunk = rows.slice(start, start + perStatement);
          let parameter = 0;
          const tuples = chunk.map(() => `(${columns.map(() => `$${++parameter}`).join(', ')})`);
          await client.query(
            `insert into "${table}" (${columnList(columns)}) values ${tuples.join(', ')}`,
            chunk.flat(),
          );
        }
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw error;
      }
    },
    async run(sql) {
      await client.query(sql);
    },
    async query<T>(sql: string, parameters: readonly unknown[] = []) {
      const answer = await client.query(numbered(sql), [...parameters]);
      return answer.rows as T[];
    },
    async columns(table) {
      const answer = await client.query<{ column_name: string }>(
        `select column_name from information_schema.columns where table_schema = current_schema() and table_name = $1`,
        [table],
      );
      return new Set(answer.rows.map((row) => row.column_name));
    },
    async maxId(table) {
      const answer = await client.query<{ max: string }>(`select coalesce(max(id), 0) as max from "${table}"`);
      return Number(answer.rows[0]?.max ?? 0);
    },
    async resetSequence(table) {
      await client.query(`select setval(pg_get_serial_sequence('"${table}"', 'id'), (select max(id) from "${table}"))`);
    },
    async close() {
      await client.end();
    },
  };
}
