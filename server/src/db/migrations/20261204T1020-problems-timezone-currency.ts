// Problems operators report on conversations (seed 002's operator statistic `problem`), each client's time zone (the
// statistics' periods are read in it) and each website's currency (the statistics' amounts are expressed in it).
import type { Kysely } from 'kysely';

const PROBLEM_COLUMNS = ['problem_reported_at', 'problem_reason', 'problem_operator_id'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  // SQLite adds one column per ALTER TABLE. Null while no problem was reported; the last report wins.
  await db.schema.alterTable('conversation').addColumn('problem_reported_at', 'text').execute();
  await db.schema.alterTable('conversation').addColumn('problem_reason', 'text').execute();
  // No foreign key: SQLite cannot drop a column that has one (down), and the command checks the operator.
  await db.schema.alterTable('conversation').addColumn('problem_operator_id', 'integer').execute();
  // Existing rows take the defaults: the time zone the API has always used (UTC) and the euro.
  await db.schema
    .alterTable('client')
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .execute();
  await db.schema
    .alterTable('website')
    .addColumn('currency', 'text', (c) => c.notNull().defaultTo('EUR'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('website').dropColumn('currency').execute();
  await db.schema.alterTable('client').dropColumn('timezone').execute();
  for (const column of PROBLEM_COLUMNS) await db.schema.alterTable('conversation').dropColumn(column).execute();
}
