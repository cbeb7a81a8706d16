// Issue 21, the developer platform of seed 003: developers (invited by the platform admin, then logged in with a
// password), their apps (a draft the developer edits; each submitted version a frozen copy the admin reviews), the
// app's webhooks (their security token sealed), and installations of a published version by clients (field values
// sealed; the app's client-scoped API key; the webhooks made for the client keep `installation_id`).
import { type Kysely, sql } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  await withIdColumn(dialect, db.schema.createTable('developer'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('company', 'text')
    .addColumn('password_hash', 'text')
    // SHA-256 of the invitation token (shown once to the platform admin); null once used.
    .addColumn('invitation_hash', 'text')
    .addColumn('invitation_expires_at', 'text')
    .addColumn('activated_at', 'text')
    .addColumn('disabled_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await sql`create unique index developer_email_idx on developer (lower(email))`.execute(db);
  await withIdColumn(dialect, db.schema.createTable('developer_session'))
    .addColumn('developer_id', 'integer', (c) => c.notNull().references('developer.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();

  await withIdColumn(dialect, db.schema.createTable('app'))
    .addColumn('developer_id', 'integer', (c) => c.notNull().references('developer.id'))
    // The seed's connectorId: a UUID the app's webhooks and connector calls carry.
    .addColumn('uuid', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    // JSON text of the draft: description, logo_url, links, price, privacy, client_ids, fields, interactions.
    .addColumn('draft', 'text', (c) => c.notNull())
    .addColumn('published_version_id', 'integer')
    .addColumn('review_reason', 'text')
    .addColumn('deleted_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('app_developer_idx').on('app').columns(['developer_id', 'id']).execute();
  await withIdColumn(dialect, db.schema.createTable('app_webhook'))
    .addColumn('app_id', 'integer', (c) => c.notNull().references('app.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    // Sealed (channels/secrets.ts), bound to the app webhook's id; the same token signs every client's copy.
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('app_webhook_app_idx').on('app_webhook').columns(['app_id', 'id']).execute();
  await withIdColumn(dialect, db.schema.createTable('app_version'))
    .addColumn('app_id', 'integer', (c) => c.notNull().references('app.id'))
    // The seed's connectorVersionId (idConnectorVersion in calls to the connector).
    .addColumn('uuid', 'text', (c) => c.notNull().unique())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    // JSON text: the draft as submitted, with the app's webhooks (their ids; tokens stay in app_webhook).
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('review_reason', 'text')
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addColumn('reviewed_at', 'text')
    .execute();
  await db.schema
    .createIndex('app_version_number_idx')
    .on('app_version')
    .columns(['app_id', 'version'])
    .unique()
    .execute();
  await withIdColumn(dialect, db.schema.createTable('app_installation'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('app_id', 'integer', (c) => c.notNull().references('app.id'))
    .addColumn('app_version_id', 'integer', (c) => c.notNull().references('app_version.id'))
    .addColumn('website_ids', 'text', (c) => c.notNull())
    // Sealed JSON of every field's value by field id, bound to the installation's id.
    .addColumn('field_values', 'text', (c) => c.notNull())
    .addColumn('api_key_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  await db.schema
    .createIndex('app_installation_client_idx')
    .on('app_installation')
    .columns(['client_id', 'id'])
    .execute();
  await db.schema.alterTable('webhook').addColumn('installation_id', 'integer').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('webhook').dropColumn('installation_id').execute();
  for (const table of ['app_installation', 'app_version', 'app_webhook', 'app', 'developer_session', 'developer'])
    await db.schema.dropTable(table).execute();
}
