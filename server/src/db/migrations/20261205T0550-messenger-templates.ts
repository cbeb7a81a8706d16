// Issue 20's message templates (`/messenger/template`): a named, versioned-by-update content of the account, usable at
// once on RCS and SMS; a template meant for WhatsApp is also submitted to Meta (`POST /{waba_id}/message_templates`)
// by the messenger worker (its `work`), and its status follows Meta's message_template_status_update webhook.
import { type Kysely, sql } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  await withIdColumn(dialect, db.schema.createTable('messenger_template'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    // Lower case, digits and _ (Meta's rule for template names).
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    // MARKETING | UTILITY | AUTHENTICATION
    .addColumn('category', 'text', (c) => c.notNull())
    // JSON text: body, header, footer, buttons, card, carousel, sms_text.
    .addColumn('content', 'text', (c) => c.notNull())
    // The WhatsApp channel it is submitted through, and the business account (WABA) Meta files it under.
    .addColumn('whatsapp_channel_id', 'integer')
    .addColumn('waba_id', 'text')
    .addColumn('meta_template_id', 'text')
    // none | pending | approved | rejected | paused | disabled
    .addColumn('whatsapp_status', 'text', (c) => c.notNull())
    .addColumn('whatsapp_reason', 'text')
    // The worker's: submit (to Meta), when, its lease, attempts, the last failure.
    .addColumn('work', 'text')
    .addColumn('due_at', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  // One live template per name and language in an account (Meta's own rule under a business account); a deleted
  // one frees its name. The index, not a read before the insert, is what keeps two concurrent creations apart.
  await db.schema
    .createIndex('messenger_template_name_uq')
    .on('messenger_template')
    .columns(['client_id', 'name', 'language'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  await db.schema.createIndex('messenger_template_due_idx').on('messenger_template').columns(['due_at']).execute();
  await db.schema
    .createIndex('messenger_template_meta_idx')
    .on('messenger_template')
    .columns(['meta_template_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('messenger_template').execute();
}
