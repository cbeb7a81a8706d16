// Issue 20's scenario templates: a template whose opening message is followed by steps (wait for a reply, branch,
// send, hand over) keeps those steps as a flow of the flow engine — one engine, not two — and points at it here.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('messenger_template')
    .addColumn('flow_id', 'integer', (c) => c.references('flow.id'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messenger_template').dropColumn('flow_id').execute();
}
