// Issue 19's partner half: each owner's messaging callback (delivered by the webhook worker), partners' companies,
// the accounts (Causerie clients) created for them with their activation link, and the history of every state change.
import type { Kysely } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);

  // One active return URL per owner (a partner, or a client): a new registration replaces the URL of the same row.
  await withIdColumn(dialect, db.schema.createTable('messaging_callback'))
    // partner | client
    .addColumn('owner_kind', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    // Sealed like webhook secrets (webhooks/signing.ts), bound to this row; the previous one signs too for a day.
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('messaging_callback_owner_idx')
    .on('messaging_callback')
    .columns(['owner_kind', 'owner_id'])
    .unique()
    .execute();

  // Callback deliveries are webhook_delivery rows (same worker, signing, retries, log, replay) naming the callback
  // instead of a subscription; webhook_id is 0 on them.
  await db.schema.alterTable('webhook_delivery').addColumn('callback_id', 'integer').execute();
  await db.schema
    .createIndex('webhook_delivery_callback_idx')
    .on('webhook_delivery')
    .columns(['callback_id', 'created_at'])
    .execute();

  await withIdColumn(dialect, db.schema.createTable('messaging_company'))
    .addColumn('partner_id', 'integer', (c) => c.notNull().references('partner.id'))
    .addColumn('legal_name', 'text', (c) => c.notNull())
    .addColumn('trade_name', 'text')
    // siren | siret | vat
    .addColumn('identifier_kind', 'text', (c) => c.notNull())
    .addColumn('legal_identifier', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    // ISO 3166-1 alpha-2
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('website', 'text')
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('sector', 'text')
    .addColumn('logo_url', 'text')
    // pending_verification | verified | rejected | suspended (domain/messaging/company-states.ts)
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('messaging_company_partner_idx')
    .on('messaging_company')
    .columns(['partner_id', 'state'])
    .execute();

  await withIdColumn(dialect, db.schema.createTable('messaging_account'))
    .addColumn('partner_id', 'integer', (c) => c.notNull().references('partner.id'))
    .addColumn('company_id', 'integer', (c) => c.notNull().references('messaging_company.id'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('owner_name', 'text', (c) => c.notNull())
    .addColumn('owner_email', 'text', (c) => c.notNull())
    .addColumn('owner_phone', 'text')
    .addColumn('owner_locale', 'text', (c) => c.notNull())
    .addColumn('owner_timezone', 'text', (c) => c.notNull())
    .addColumn('activation_required', 'integer', (c) => c.notNull())
    // pending_verification | pending_activation | active | suspended | rejected | closed (account-states.ts)
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    // SHA-256 of the one-time activation token (the token itself is only mailed); null once used or never issued.
    .addColumn('activation_token_hash', 'text')
    .addColumn('activation_expires_at', 'text')
    .addColumn('activated_at', 'text')
    // The owner's operator (an admin of the client), made when the account becomes active.
    .addColumn('operator_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('messaging_account_partner_idx')
    .on('messaging_account')
    .columns(['partner_id', 'state'])
    .execute();
  await db.schema.createIndex('messaging_account_client_idx').on('messaging_account').column('client_id').execute();
  await db.schema
    .createIndex('messaging_account_token_idx')
    .on('messaging_account')
    .column('activation_token_hash')
    .execute();

  // Every state change of a company or an account.
  await withIdColumn(dialect, db.schema.createTable('messaging_partner_history'))
    .addColumn('partner_id', 'integer', (c) => c.notNull().references('partner.id'))
    // company | account
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('previous_state', 'text')
    .addColumn('reason', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('messaging_partner_history_idx')
    .on('messaging_partner_history')
    .columns(['resource', 'resource_id'])
    .execute();

  // The state of a client made through the partner API; null for every other client (always usable). The key and
  // session checks read it in the query they already make, so an inactive account costs no extra query.
  await db.schema.alterTable('client').addColumn('account_state', 'text').execute();
}
