// Broadcasts (issue 20 `/messenger/broadcast`): a named campaign of one content to many recipients. Its recipients
// are messenger_message rows carrying its id (sent by the messenger worker while the broadcast runs); the rows of a
// file's lines that could not become a send are kept as problems, with their line and reason.
import type { Kysely } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);

  await withIdColumn(dialect, db.schema.createTable('messenger_broadcast'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    // The chat environment it is sent from.
    .addColumn('agent_id', 'integer', (c) => c.notNull().references('messaging_agent.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    // JSON text: what every recipient gets (a template reference or direct content), as a submit's `content`.
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    // JSON text {channel, after_minutes} or null.
    .addColumn('fallback', 'text')
    .addColumn('send_at', 'text')
    // Most sends a second for this broadcast (null: as fast as the channels allow).
    .addColumn('rate_per_second', 'integer')
    // ISO country national numbers of its recipients are read in (FR: 06 12 34 56 78), or null: E.164 only.
    .addColumn('default_country', 'text')
    // importing | scheduled | running | paused | completed | cancelled
    .addColumn('state', 'text', (c) => c.notNull())
    // CSV: the columns read from the header (JSON array), the phone column's name.
    .addColumn('columns', 'text')
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('invalid', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema
    .createIndex('messenger_broadcast_client_idx')
    .on('messenger_broadcast')
    .columns(['client_id', 'id'])
    .execute();

  await withIdColumn(dialect, db.schema.createTable('messenger_broadcast_problem'))
    .addColumn('broadcast_id', 'integer', (c) => c.notNull().references('messenger_broadcast.id'))
    // The file's line (1 is the header), or the index in a JSON list.
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    // The number as given, to show next to the reason.
    .addColumn('value', 'text')
    .execute();
  await db.schema
    .createIndex('messenger_broadcast_problem_idx')
    .on('messenger_broadcast_problem')
    .columns(['broadcast_id', 'line'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('messenger_broadcast_problem').execute();
  await db.schema.dropTable('messenger_broadcast').execute();
}
