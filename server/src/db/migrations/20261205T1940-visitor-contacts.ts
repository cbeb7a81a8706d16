// Issue 22, contacts: a visitor gets custom attributes (a JSON object of text values, `{}` by default) and can be
// merged into another visitor of its client. A merged visitor keeps its row and unique id, so the browser or phone
// number behind it finds the visitor it was merged into (domain/visitors/identity.ts), but leaves the API.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('visitor')
    .addColumn('custom_attributes', 'text', (column) => column.notNull().defaultTo('{}'))
    .execute();
  await db.schema
    .alterTable('visitor')
    .addColumn('merged_into_id', 'integer', (column) => column.references('visitor.id'))
    .execute();
  await db.schema.createIndex('visitor_merged_into').on('visitor').column('merged_into_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('visitor_merged_into').execute();
  await db.schema.alterTable('visitor').dropColumn('merged_into_id').execute();
  await db.schema.alterTable('visitor').dropColumn('custom_attributes').execute();
}
