// Issue 22: a tag gets a colour (`#rrggbb`, none by default) and can be archived: an archived tag is no longer offered
// to operators, but stays on the conversations that have it and in the statistics.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tag').addColumn('colour', 'text').execute();
  await db.schema
    .alterTable('tag')
    .addColumn('archived', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tag').dropColumn('archived').execute();
  await db.schema.alterTable('tag').dropColumn('colour').execute();
}
