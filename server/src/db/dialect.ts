// The only place where SQL differs between SQLite and PostgreSQL; everything else is portable Kysely.
import {
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Expression,
  PostgresAdapter,
  type SqlBool,
  sql,
} from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** Which dialect a Kysely instance (or transaction) speaks. */
export function dialectOf(db: { getExecutor(): { adapter: unknown } }): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Adds an auto-incrementing integer primary key named `id`. */
export function withIdColumn<T extends string>(
  dialect: Dialect,
  table: CreateTableBuilder<T, never>,
): CreateTableBuilder<T, 'id'> {
  return dialect === 'postgres'
    ? table.addColumn('id', 'serial', (column: ColumnDefinitionBuilder) => column.primaryKey())
    : table.addColumn('id', 'integer', (column: ColumnDefinitionBuilder) => column.primaryKey().autoIncrement());
}

/** True when a driver error is a unique-constraint violation, on either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Turns a seed-003 filter value into a case-insensitive match: `*` is the wildcard
 * (`*uli*` finds "Julie"); without `*` the value must match whole. `%` and `_` typed by
 * the user are matched literally.
 */
export function wildcardMatch(column: string, value: string): Expression<SqlBool> {
  const escaped = value.replace(/[\\%_]/g, (character) => `\\${character}`).replace(/\*/g, '%');
  return sql<SqlBool>`lower(${sql.ref(column)}) like lower(${escaped}) escape '\\'`;
}
