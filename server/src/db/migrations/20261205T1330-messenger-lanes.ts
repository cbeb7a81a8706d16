// The messenger worker claims due sends per lane — one running broadcast, or one account's own sends — oldest first.
// Without these indexes each claim read every row of the broadcast (sent ones included) and sorted them, so a
// 10,000-recipient broadcast spent most of the node's SQLite time in its own claims; with them a claim reads only the
// lane's due rows, in order.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('messenger_message_broadcast_due_idx')
    .on('messenger_message')
    .columns(['broadcast_id', 'due_at', 'id'])
    .execute();
  await db.schema
    .createIndex('messenger_message_own_due_idx')
    .on('messenger_message')
    .columns(['client_id', 'due_at', 'id'])
    .where(sql.ref('broadcast_id'), 'is', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messenger_message_own_due_idx').execute();
  await db.schema.dropIndex('messenger_message_broadcast_due_idx').execute();
}
