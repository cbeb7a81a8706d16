// Issue 22 §6: a conversation's transcript e-mailed to the visitor. Each request is a row the transcript worker claims
// (a lease, so two nodes never send the same mail) and sends through the installation's SMTP server, retrying a few
// times with backoff before it gives up with the error.
import type { Kysely } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await withIdColumn(dialectOf(db), db.schema.createTable('transcript_mail'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('conversation_id', 'integer', (c) => c.notNull().references('conversation.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    // queued (waiting for its first or next attempt), sent, failed (given up).
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    // The operator whose console session asked for it; null for an API key.
    .addColumn('operator_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .execute();
  await db.schema.createIndex('transcript_mail_due').on('transcript_mail').columns(['status', 'due_at']).execute();
  await db.schema.createIndex('transcript_mail_conversation').on('transcript_mail').column('conversation_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('transcript_mail').execute();
}
