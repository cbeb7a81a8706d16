// Issue 20's sends (`/messenger/submit`, `/messenger/conversation`, a broadcast's recipients): one messenger_message
// per recipient, claimed by the messenger worker on every node when due (its `work`), then followed through the
// channel's delivery states; the account's opt-out list; and the messenger's cursor on the event log (delivery
// changes and customers' replies), in the table the flows' cursor lives in.
import type { Kysely } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);

  await withIdColumn(dialect, db.schema.createTable('messenger_message'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    // The chat environment it is sent from (its WhatsApp, SMS and RCS channels).
    .addColumn('agent_id', 'integer', (c) => c.notNull().references('messaging_agent.id'))
    .addColumn('broadcast_id', 'integer', (c) => c.references('messenger_broadcast.id'))
    .addColumn('to', 'text', (c) => c.notNull())
    // What the caller asked: rcs | whatsapp | sms | auto.
    .addColumn('requested_channel', 'text', (c) => c.notNull())
    // The channel it left on (null until it left).
    .addColumn('channel', 'text')
    .addColumn('channel_id', 'integer')
    // JSON text: the content (a template reference or direct text) and the recipient's variables.
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('variables', 'text', (c) => c.notNull())
    .addColumn('reference', 'text')
    // JSON text {channel, after_minutes} or null; `fallback_from`: the channel it left first when it fell back.
    .addColumn('fallback', 'text')
    .addColumn('fallback_from', 'text')
    // queued | scheduled | sent | delivered | read | failed | expired | opted_out | cancelled
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('send_at', 'text')
    // The worker's: send | fallback, when, its lease and attempts.
    .addColumn('work', 'text')
    .addColumn('due_at', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // The conversation entry that carried it, whose delivery changes become its states.
    .addColumn('conversation_id', 'integer')
    .addColumn('seq', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messenger_message_due_idx').on('messenger_message').columns(['due_at']).execute();
  await db.schema
    .createIndex('messenger_message_client_idx')
    .on('messenger_message')
    .columns(['client_id', 'id'])
    .execute();
  await db.schema
    .createIndex('messenger_message_broadcast_idx')
    .on('messenger_message')
    .columns(['broadcast_id', 'state'])
    .execute();
  await db.schema
    .createIndex('messenger_message_entry_idx')
    .on('messenger_message')
    .columns(['conversation_id', 'seq'])
    .execute();

  await withIdColumn(dialect, db.schema.createTable('messenger_optout'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('phone', 'text', (c) => c.notNull())
    // api | keyword
    .addColumn('source', 'text', (c) => c.notNull())
    // The customer's word (STOP) when they opted out themselves.
    .addColumn('keyword', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('messenger_optout_phone_idx')
    .on('messenger_optout')
    .columns(['client_id', 'phone'])
    .unique()
    .execute();

  // The messenger reads the events committed from now on: earlier deliveries belong to no send.
  const last = await (db as Kysely<{ event: { id: number } }>)
    .selectFrom('event')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  await (db as Kysely<{ flow_event_cursor: { name: string; cursor: number; gaps: string; updated_at: string } }>)
    .insertInto('flow_event_cursor')
    .values({ name: 'messenger', cursor: Number(last?.id ?? 0), gaps: '[]', updated_at: new Date().toISOString() })
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await (db as Kysely<{ flow_event_cursor: { name: string } }>)
    .deleteFrom('flow_event_cursor')
    .where('name', '=', 'messenger')
    .execute();
  await db.schema.dropTable('messenger_optout').execute();
  await db.schema.dropTable('messenger_message').execute();
}
