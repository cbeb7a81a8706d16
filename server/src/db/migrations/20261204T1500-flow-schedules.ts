// Flows gain a schedule (the next time a scheduled flow fires, claimed by the engines on every node) and deletion: a
// deleted flow keeps its rows for the runs' history, and its code may be used again by a new flow.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('flow').addColumn('next_fire_at', 'text').execute();
  await db.schema.alterTable('flow').addColumn('deleted_at', 'text').execute();
  await db.schema.dropIndex('flow_client_code_idx').execute();
  await db.schema
    .createIndex('flow_client_code_live_idx')
    .on('flow')
    .columns(['client_id', 'code'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  await db.schema.createIndex('flow_next_fire_idx').on('flow').column('next_fire_at').execute();
}
