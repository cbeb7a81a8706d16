// Presence history for the statistics engine (issue 17): operators' availability intervals per channel, who held each
// conversation when, and each operator's chat limit over time; backfilled from the current state.
import { type Kysely, sql } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

/** The tables as this migration sees them (migrations must not follow later changes of db/schema.ts). */
interface Before {
  operator: {
    id: number;
    client_id: number;
    chat_max_number: number;
    chat_available: number;
    call_available: number;
    video_available: number;
    created_at: string;
    deleted_at: string | null;
  };
  conversation: {
    id: number;
    client_id: number;
    website_id: number;
    channel: string;
    operator_id: number | null;
    status: string;
    created_at: string;
    assigned_at: string | null;
  };
  availability_interval: {
    client_id: number;
    operator_id: number;
    channel: string;
    started_at: string;
  };
  conversation_holding: {
    client_id: number;
    website_id: number;
    conversation_id: number;
    operator_id: number;
    channel: string;
    started_at: string;
  };
  operator_capacity: { client_id: number; operator_id: number; chat_max_number: number; started_at: string };
}

const AVAILABLE_COLUMNS = [
  ['chat', 'chat_available'],
  ['call', 'call_available'],
  ['video', 'video_available'],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  const table = (name: string) => withIdColumn(dialect, db.schema.createTable(name));

  // One row per stretch of availability of an operator on one channel; `ended_at` null while available.
  await table('availability_interval')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('operator_id', 'integer', (c) => c.notNull().references('operator.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema
    .createIndex('availability_interval_operator_idx')
    .on('availability_interval')
    .columns(['operator_id', 'started_at'])
    .execute();
  // The open rows, found by operator; unique so that an operator is never twice available on one channel.
  await db.schema
    .createIndex('availability_interval_open_uq')
    .on('availability_interval')
    .columns(['operator_id', 'channel'])
    .unique()
    .where(sql.ref('ended_at'), 'is', null)
    .execute();

  // Who held a conversation from when to when (assignment or transfer in, to close or transfer away): operators' load.
  await table('conversation_holding')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('website_id', 'integer', (c) => c.notNull().references('website.id'))
    .addColumn('conversation_id', 'integer', (c) => c.notNull().references('conversation.id'))
    .addColumn('operator_id', 'integer', (c) => c.notNull().references('operator.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema
    .createIndex('conversation_holding_operator_idx')
    .on('conversation_holding')
    .columns(['operator_id', 'started_at'])
    .execute();
  await db.schema
    .createIndex('conversation_holding_open_idx')
    .on('conversation_holding')
    .column('operator_id')
    .where(sql.ref('ended_at'), 'is', null)
    .execute();
  // One holder at a time: a conversation has at most one open holding.
  await db.schema
    .createIndex('conversation_holding_open_uq')
    .on('conversation_holding')
    .column('conversation_id')
    .unique()
    .where(sql.ref('ended_at'), 'is', null)
    .execute();

  // The operator's chat limit from `started_at` until the next row of the same operator.
  await table('operator_capacity')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('operator_id', 'integer', (c) => c.notNull().references('operator.id'))
    .addColumn('chat_max_number', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('operator_capacity_operator_idx')
    .on('operator_capacity')
    .columns(['operator_id', 'started_at'])
    .execute();

  await backfill(db as unknown as Kysely<Before>);
}

/**
 * What the current state tells: an operator available now has been since now (earlier stretches are only in the event
 * log), a conversation held now since its assignment (or creation), and a limit since the operator's creation.
 */
async function backfill(db: Kysely<Before>): Promise<void> {
  const now = new Date().toISOString();
  // Cast: PostgreSQL cannot infer the type of a bound parameter in a select list.
  const text = (value: string) => sql<string>`cast(${value} as text)`;
  for (const [channel, column] of AVAILABLE_COLUMNS) {
    await db
      .insertInto('availability_interval')
      .columns(['client_id', 'operator_id', 'channel', 'started_at'])
      .expression(
        db
          .selectFrom('operator')
          .select(['client_id', 'id', text(channel).as('channel'), text(now).as('started_at')])
          .where(column, '=', 1)
          .where('deleted_at', 'is', null),
      )
      .execute();
  }
  await db
    .insertInto('conversation_holding')
    .columns(['client_id', 'website_id', 'conversation_id', 'operator_id', 'channel', 'started_at'])
    .expression(
      db
        .selectFrom('conversation')
        .select((eb) => [
          'client_id',
          'website_id',
          'id',
          'operator_id',
          'channel',
          eb.fn.coalesce('assigned_at', 'created_at').as('started_at'),
        ])
        .where('status', '!=', 'closed')
        .where('operator_id', 'is not', null),
    )
    .execute();
  await db
    .insertInto('operator_capacity')
    .columns(['client_id', 'operator_id', 'chat_max_number', 'started_at'])
    .expression(db.selectFrom('operator').select(['client_id', 'id', 'chat_max_number', 'created_at']))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('operator_capacity').execute();
  await db.schema.dropTable('conversation_holding').execute();
  await db.schema.dropTable('availability_interval').execute();
}
