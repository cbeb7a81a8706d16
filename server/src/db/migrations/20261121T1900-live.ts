// Live conversations: routing settings and outcomes, read positions, private notes' data, idempotent sends,
// operator sessions for the console and realtime sockets, and the website secret that signs visitor identities.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);

  // SQLite adds one column per ALTER TABLE.
  const addColumns = async (table: string, columns: Array<[string, 'text' | 'integer', boolean?]>) => {
    for (const [name, type, notNullZero] of columns) {
      await db.schema
        .alterTable(table)
        .addColumn(name, type, (c) => (notNullZero ? c.notNull().defaultTo(0) : c))
        .execute();
    }
  };

  await addColumns('conversation', [
    ['queued_at', 'text'],
    ['assigned_at', 'text'],
    // answered | missed_busy | missed_offline | abandoned: what became of the visitor's request (statistics).
    ['outcome', 'text'],
    ['wait_ms', 'integer'],
    ['visitor_read_seq', 'integer', true],
    ['operator_read_seq', 'integer', true],
  ]);
  await db.schema
    .createIndex('conversation_queue_idx')
    .on('conversation')
    .columns(['website_id', 'status', 'queued_at'])
    .execute();

  // JSON details of system entries (assignment, transfer…) and the sender's own id of a message, for idempotent resends.
  await addColumns('conversation_message', [
    ['data', 'text'],
    ['client_message_id', 'text'],
  ]);
  await db.schema
    .createIndex('conversation_message_client_id_uq')
    .on('conversation_message')
    .columns(['conversation_id', 'client_message_id'])
    .unique()
    .execute();

  await addColumns('website', [
    ['routing_strategy', 'text'],
    ['identity_secret', 'text'],
  ]);
  await addColumns('operator', [['last_assigned_at', 'text']]);
  // Websites made before this migration get their identity secret now, so every website shows one.
  const untyped = db as unknown as Kysely<{
    website: { id: number; identity_secret: string | null; routing_strategy: string | null };
  }>;
  for (const website of await untyped.selectFrom('website').select('id').execute()) {
    await untyped
      .updateTable('website')
      .set({ identity_secret: randomBytes(24).toString('base64url'), routing_strategy: 'least_loaded' })
      .where('id', '=', website.id)
      .execute();
  }

  await withIdColumn(dialect, db.schema.createTable('operator_session'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('operator_id', 'integer', (c) => c.notNull().references('operator.id'))
    // SHA-256 of the bearer token: a stolen database does not yield usable sessions.
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('operator_session_operator_idx').on('operator_session').column('operator_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('operator_session').execute();
  await db.schema.dropIndex('conversation_message_client_id_uq').execute();
  await db.schema.dropIndex('conversation_queue_idx').execute();
  for (const [table, columns] of [
    ['conversation', ['queued_at', 'assigned_at', 'outcome', 'wait_ms', 'visitor_read_seq', 'operator_read_seq']],
    ['conversation_message', ['data', 'client_message_id']],
    ['website', ['routing_strategy', 'identity_secret']],
    ['operator', ['last_assigned_at']],
  ] as const) {
    for (const column of columns) await db.schema.alterTable(table).dropColumn(column).execute();
  }
}
