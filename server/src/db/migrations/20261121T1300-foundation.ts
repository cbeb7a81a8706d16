// Foundation schema: tenancy (partner → client → website), people (operators, groups, skills), API keys, event log.
import { type Kysely, sql } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  const table = (name: string) => withIdColumn(dialect, db.schema.createTable(name));

  await table('partner')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await table('client')
    .addColumn('partner_id', 'integer', (c) => c.references('partner.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('client_partner_idx').on('client').column('partner_id').execute();

  await table('website')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('website_client_idx').on('website').column('client_id').execute();

  await table('operator_group')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'integer', (c) => c.references('operator_group.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('operator_group_client_idx').on('operator_group').column('client_id').execute();

  await table('skill')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('parent_id', 'integer', (c) => c.references('skill.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('skill_client_idx').on('skill').column('client_id').execute();

  await table('operator')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text')
    .addColumn('pseudo', 'text')
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('chat_enabled', 'integer', (c) => c.notNull())
    .addColumn('call_enabled', 'integer', (c) => c.notNull())
    .addColumn('video_enabled', 'integer', (c) => c.notNull())
    .addColumn('chat_max_number', 'integer', (c) => c.notNull())
    .addColumn('chat_and_call', 'integer', (c) => c.notNull())
    .addColumn('chat_priority', 'integer', (c) => c.notNull())
    .addColumn('call_priority', 'integer', (c) => c.notNull())
    .addColumn('video_priority', 'integer', (c) => c.notNull())
    .addColumn('language_list', 'text', (c) => c.notNull())
    .addColumn('language_admin', 'text', (c) => c.notNull())
    .addColumn('group_id', 'integer', (c) => c.references('operator_group.id'))
    .addColumn('password_hash', 'text')
    .addColumn('sso_key', 'text', (c) => c.notNull())
    .addColumn('connected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('chat_available', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('call_available', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('video_available', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  await db.schema.createIndex('operator_client_idx').on('operator').column('client_id').execute();
  await db.schema.createIndex('operator_group_idx').on('operator').column('group_id').execute();
  // Email is the console login: unique within a client among operators that are not deleted. Not across
  // clients, so that a conflict never tells one tenant which addresses another tenant uses.
  await db.schema
    .createIndex('operator_email_live_uq')
    .on('operator')
    .expression(sql`client_id, lower(email)`)
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  await db.schema.createIndex('operator_sso_key_uq').on('operator').column('sso_key').unique().execute();

  await db.schema
    .createTable('operator_website')
    .addColumn('operator_id', 'integer', (c) => c.notNull().references('operator.id'))
    .addColumn('website_id', 'integer', (c) => c.notNull().references('website.id'))
    .addPrimaryKeyConstraint('operator_website_pk', ['operator_id', 'website_id'])
    .execute();
  await db.schema.createIndex('operator_website_website_idx').on('operator_website').column('website_id').execute();

  await db.schema
    .createTable('operator_skill')
    .addColumn('operator_id', 'integer', (c) => c.notNull().references('operator.id'))
    .addColumn('skill_id', 'integer', (c) => c.notNull().references('skill.id'))
    .addPrimaryKeyConstraint('operator_skill_pk', ['operator_id', 'skill_id'])
    .execute();
  await db.schema.createIndex('operator_skill_skill_idx').on('operator_skill').column('skill_id').execute();

  await table('api_key')
    .addColumn('public_id', 'text', (c) => c.notNull().unique())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('partner_id', 'integer', (c) => c.references('partner.id'))
    .addColumn('client_id', 'integer', (c) => c.references('client.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await table('event')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('partner_id', 'integer')
    .addColumn('client_id', 'integer')
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'integer', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_client_idx').on('event').columns(['client_id', 'id']).execute();
  await db.schema.createIndex('event_type_idx').on('event').columns(['type', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of [
    'event',
    'api_key',
    'operator_skill',
    'operator_website',
    'operator',
    'skill',
    'operator_group',
    'website',
    'client',
    'partner',
  ]) {
    await db.schema.dropTable(name).execute();
  }
}
