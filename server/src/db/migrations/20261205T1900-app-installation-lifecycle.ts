// Issue 21's leftovers. An uninstalled app's webhook subscriptions are retired, not deleted: they still receive the
// `connector.uninstalled` of their own installation (appended in the same transaction, dispatched after the commit)
// and nothing after it (`retired_by_event`: the last event they may receive); the API never lists them again.
// A client has at most one live installation of an app: the install command checks it, this partial unique index
// guarantees it when two installs race.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('webhook').addColumn('retired_at', 'text').execute();
  await db.schema.alterTable('webhook').addColumn('retired_by_event', 'integer').execute();
  await db.schema
    .createIndex('app_installation_live_uq')
    .on('app_installation')
    .columns(['client_id', 'app_id'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('app_installation_live_uq').execute();
  await db.schema.alterTable('webhook').dropColumn('retired_by_event').execute();
  await db.schema.alterTable('webhook').dropColumn('retired_at').execute();
}
