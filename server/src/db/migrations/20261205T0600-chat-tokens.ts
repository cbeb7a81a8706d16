// Issue 20's chat tokens (`/chatbot/token`): a personalised chat URL for one recipient of a chat environment. Only the
// token's SHA-256 is kept (the token is shown once); its first use is recorded so exactly one read report follows.
import type { Kysely } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  await withIdColumn(dialect, db.schema.createTable('chat_token'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('agent_id', 'integer', (c) => c.notNull().references('messaging_agent.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    // JSON text: phone, email, external_id, firstname, lastname.
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('variables', 'text', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('multiple_use', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('first_used_at', 'text')
    .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
    // The messenger send that carried the URL, when Causerie sent it.
    .addColumn('message_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('chat_token_client_idx').on('chat_token').columns(['client_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('chat_token').execute();
}
