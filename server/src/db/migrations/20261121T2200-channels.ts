// Messaging channels (WhatsApp, SMS, RCS, web chat): channel settings with encrypted credentials, raw inbound
// payloads (stored before processing, design.md §4.6), de-duplication of provider message ids, customers' addresses
// per channel, outbound messages with their delivery state, and inbound media.
import type { Kysely } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  const table = (name: string) => withIdColumn(dialect, db.schema.createTable(name));

  await table('channel')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('website_id', 'integer', (c) => c.notNull().references('website.id'))
    // whatsapp | sms | rcs | chat
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('base_url', 'text', (c) => c.notNull())
    // AES-256-GCM sealed JSON (channels/secrets.ts); never returned by the API.
    .addColumn('credentials', 'text', (c) => c.notNull())
    // Names of the credential fields stored, so the API can say which are set without decrypting.
    .addColumn('credential_fields', 'text', (c) => c.notNull())
    .addColumn('send_rate', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  await db.schema.createIndex('channel_client_idx').on('channel').columns(['client_id', 'type']).execute();

  // One row per verified webhook request, stored before it is processed: a crash between the 200 and the processing
  // loses nothing (unprocessed rows are picked up again at start).
  await table('channel_inbound')
    .addColumn('channel_id', 'integer', (c) => c.notNull().references('channel.id'))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('processed_at', 'text')
    // A node's claim while it processes the row; an expired claim (crashed node) is taken again.
    .addColumn('claimed_until', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('channel_inbound_pending_idx')
    .on('channel_inbound')
    .columns(['processed_at', 'id'])
    .execute();

  // Provider message ids already turned into history entries: a provider's retry (same wamid) is ignored.
  await db.schema
    .createTable('channel_message_seen')
    .addColumn('channel_id', 'integer', (c) => c.notNull().references('channel.id'))
    .addColumn('provider_message_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'integer')
    .addColumn('seq', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_message_seen_pk', ['channel_id', 'provider_message_id'])
    .execute();

  // A customer's address (phone number) on one channel: their visitor, current conversation and last message time.
  await table('channel_contact')
    .addColumn('channel_id', 'integer', (c) => c.notNull().references('channel.id'))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('visitor_id', 'integer', (c) => c.notNull().references('visitor.id'))
    .addColumn('conversation_id', 'integer', (c) => c.references('conversation.id'))
    .addColumn('last_inbound_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('channel_contact_address_uq')
    .on('channel_contact')
    .columns(['channel_id', 'address'])
    .unique()
    .execute();
  await db.schema
    .createIndex('channel_contact_conversation_idx')
    .on('channel_contact')
    .column('conversation_id')
    .execute();

  // Outbound messages to providers, claimed by the worker; `state` is the delivery state shown to agents.
  await table('channel_outbound')
    .addColumn('channel_id', 'integer', (c) => c.notNull().references('channel.id'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('conversation_id', 'integer', (c) => c.notNull().references('conversation.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    // JSON OutboundContent (text, media or template).
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    // A worker's claim: others skip the row until this instant (a crashed worker's claim expires).
    .addColumn('claimed_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('channel_outbound_due_idx')
    .on('channel_outbound')
    .columns(['state', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('channel_outbound_message_uq')
    .on('channel_outbound')
    .columns(['conversation_id', 'seq'])
    .unique()
    .execute();
  await db.schema
    .createIndex('channel_outbound_provider_idx')
    .on('channel_outbound')
    .columns(['channel_id', 'provider_message_id'])
    .execute();

  // Inbound media, downloaded from the provider, kept in the database (a blob table): every node serves them and a
  // backup of the database is a backup of the conversations.
  await table('channel_media')
    .addColumn('channel_id', 'integer', (c) => c.notNull().references('channel.id'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('conversation_id', 'integer', (c) => c.references('conversation.id'))
    .addColumn('provider_media_id', 'text')
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('filename', 'text')
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of [
    'channel_media',
    'channel_outbound',
    'channel_contact',
    'channel_message_seen',
    'channel_inbound',
    'channel',
  ]) {
    await db.schema.dropTable(name).execute();
  }
}
