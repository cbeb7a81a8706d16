// Issue 21's leftovers. An uninstalled app's webhook subscriptions are retired, not deleted: they still receive the
// `connector.uninstalled` of their own installation (appended in the same transaction, dispatched after the commit)
// and nothing after it (`retired_by_event`: the last event they may receive); the API never lists them again.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('webhook').addColumn('retired_at', 'text').execute();
  await db.schema.alterTable('webhook').addColumn('retired_by_event', 'integer').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('webhook').dropColumn('retired_by_event').execute();
  await db.schema.alterTable('webhook').dropColumn('retired_at').execute();
}
