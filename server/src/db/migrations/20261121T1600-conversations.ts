// Conversations and what hangs off them: visitors, history, tags, transactions, satisfaction, call meetings,
// operator profiles and presence sessions (seed 003 "Resources", seed 002 models).
import type { Kysely } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  const table = (name: string) => withIdColumn(dialect, db.schema.createTable(name));

  await table('visitor')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('unique_id', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('lastname', 'text')
    .addColumn('firstname', 'text')
    .addColumn('address', 'text')
    .addColumn('city', 'text')
    .addColumn('zip', 'text')
    .addColumn('country', 'text')
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('browser', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  // A visitor unique id (`vuid`) names one browser of one client's audience.
  await db.schema
    .createIndex('visitor_unique_id_uq')
    .on('visitor')
    .columns(['client_id', 'unique_id'])
    .unique()
    .execute();
  await db.schema.createIndex('visitor_external_id_idx').on('visitor').columns(['client_id', 'external_id']).execute();

  await db.schema
    .createTable('visitor_website')
    .addColumn('visitor_id', 'integer', (c) => c.notNull().references('visitor.id'))
    .addColumn('website_id', 'integer', (c) => c.notNull().references('website.id'))
    .addPrimaryKeyConstraint('visitor_website_pk', ['visitor_id', 'website_id'])
    .execute();
  await db.schema.createIndex('visitor_website_website_idx').on('visitor_website').column('website_id').execute();

  await table('conversation')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('website_id', 'integer', (c) => c.notNull().references('website.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('visitor_id', 'integer', (c) => c.notNull().references('visitor.id'))
    .addColumn('operator_id', 'integer', (c) => c.references('operator.id'))
    .addColumn('skill_id', 'integer', (c) => c.references('skill.id'))
    .addColumn('rule_id', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('operator_answer', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('operator_closed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('waitinglist', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('page_type', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('phone_number', 'text')
    .addColumn('xmpp_id', 'text', (c) => c.notNull())
    .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('conversation_client_created_idx')
    .on('conversation')
    .columns(['client_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('conversation_website_created_idx')
    .on('conversation')
    .columns(['website_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('conversation_operator_idx')
    .on('conversation')
    .columns(['operator_id', 'status'])
    .execute();
  await db.schema
    .createIndex('conversation_visitor_idx')
    .on('conversation')
    .columns(['visitor_id', 'created_at'])
    .execute();

  // One row per history entry, numbered by the conversation's own sequence (design.md §1).
  await table('conversation_message')
    .addColumn('conversation_id', 'integer', (c) => c.notNull().references('conversation.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'integer', (c) => c.notNull())
    .addColumn('operator_id', 'integer', (c) => c.references('operator.id'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('conversation_message_seq_uq')
    .on('conversation_message')
    .columns(['conversation_id', 'seq'])
    .unique()
    .execute();

  await table('tag')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tag_client_idx').on('tag').column('client_id').execute();

  await db.schema
    .createTable('tag_website')
    .addColumn('tag_id', 'integer', (c) => c.notNull().references('tag.id'))
    .addColumn('website_id', 'integer', (c) => c.notNull().references('website.id'))
    .addPrimaryKeyConstraint('tag_website_pk', ['tag_id', 'website_id'])
    .execute();
  await db.schema.createIndex('tag_website_website_idx').on('tag_website').column('website_id').execute();

  await db.schema
    .createTable('conversation_tag')
    .addColumn('conversation_id', 'integer', (c) => c.notNull().references('conversation.id'))
    .addColumn('tag_id', 'integer', (c) => c.notNull().references('tag.id'))
    .addPrimaryKeyConstraint('conversation_tag_pk', ['conversation_id', 'tag_id'])
    .execute();
  await db.schema.createIndex('conversation_tag_tag_idx').on('conversation_tag').column('tag_id').execute();

  await table('sale')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('website_id', 'integer', (c) => c.notNull().references('website.id'))
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('visitor_id', 'integer', (c) => c.references('visitor.id'))
    .addColumn('visitor_uid', 'text')
    .addColumn('visitor_email', 'text')
    .addColumn('amount', 'double precision', (c) => c.notNull())
    .addColumn('currency', 'text')
    .addColumn('operator_id', 'integer', (c) => c.references('operator.id'))
    .addColumn('conversation_id', 'integer', (c) => c.references('conversation.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sale_client_created_idx').on('sale').columns(['client_id', 'created_at']).execute();
  await db.schema.createIndex('sale_conversation_idx').on('sale').column('conversation_id').execute();
  // A merchant reporting the same order twice (a retry) gets the first row back, not a second sale.
  await db.schema
    .createIndex('sale_external_id_uq')
    .on('sale')
    .columns(['website_id', 'external_id'])
    .unique()
    .execute();

  await table('satisfaction')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('website_id', 'integer', (c) => c.notNull().references('website.id'))
    .addColumn('conversation_id', 'integer', (c) => c.notNull().references('conversation.id'))
    .addColumn('operator_id', 'integer', (c) => c.references('operator.id'))
    .addColumn('note_welcome', 'integer', (c) => c.notNull())
    .addColumn('note_delay', 'integer', (c) => c.notNull())
    .addColumn('note_resolution', 'integer', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('satisfaction_conversation_uq')
    .on('satisfaction')
    .column('conversation_id')
    .unique()
    .execute();
  await db.schema
    .createIndex('satisfaction_client_created_idx')
    .on('satisfaction')
    .columns(['client_id', 'created_at'])
    .execute();

  await table('call_meeting')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('website_id', 'integer', (c) => c.notNull().references('website.id'))
    .addColumn('phone_number', 'text', (c) => c.notNull())
    .addColumn('visitor_uid', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('start_at', 'text', (c) => c.notNull())
    .addColumn('targeting_rule_id', 'text')
    .addColumn('skill_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('call_meeting_client_start_idx')
    .on('call_meeting')
    .columns(['client_id', 'start_at'])
    .execute();

  await db.schema
    .createTable('operator_profile')
    .addColumn('operator_id', 'integer', (c) => c.primaryKey().references('operator.id'))
    .addColumn('status', 'text')
    .addColumn('description', 'text')
    .addColumn('facebook', 'text')
    .addColumn('twitter', 'text')
    .addColumn('city', 'text')
    .addColumn('country', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // Connected periods of an operator: `ended_at` null while connected. Presence statistics read these.
  await table('presence_session')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('operator_id', 'integer', (c) => c.notNull().references('operator.id'))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema
    .createIndex('presence_session_operator_idx')
    .on('presence_session')
    .columns(['operator_id', 'started_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of [
    'presence_session',
    'operator_profile',
    'call_meeting',
    'satisfaction',
    'sale',
    'conversation_tag',
    'tag_website',
    'tag',
    'conversation_message',
    'conversation',
    'visitor_website',
    'visitor',
  ]) {
    await db.schema.dropTable(name).execute();
  }
}
