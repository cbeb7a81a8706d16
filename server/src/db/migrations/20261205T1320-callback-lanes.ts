// Issue 20: a messaging callback's deliveries are ordered per resource (a message's queued → sent → delivered → read),
// not per callback, so one account's reports are sent in parallel. `lane_key` names the resource (`MESSENGER_REPORT:42`);
// rows written before it have none and keep the old one-at-a-time lane of their callback.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('webhook_delivery').addColumn('lane_key', 'text').execute();
  // The webhook worker's check that a claimed delivery is the earliest one pending in its lane.
  await db.schema
    .createIndex('webhook_delivery_lane_idx')
    .on('webhook_delivery')
    .columns(['lane_key', 'status', 'event_id'])
    .execute();
  // Its read of the resources whose delivery waits for a retry (their later states wait too): few rows, callbacks' only.
  await db.schema
    .createIndex('webhook_delivery_lane_retry_idx')
    .on('webhook_delivery')
    .columns(['status', 'attempt'])
    .where(sql.ref('lane_key'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('webhook_delivery_lane_retry_idx').execute();
  await db.schema.dropIndex('webhook_delivery_lane_idx').execute();
  await db.schema.alterTable('webhook_delivery').dropColumn('lane_key').execute();
}
