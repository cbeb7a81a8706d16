// Commerce orders (issue 18): orders created through the API or by Shopify's order webhook, each client's commerce
// settings, its Shopify stores (access token and webhook secret sealed), the Shopify webhook ids already taken, and
// the Shopify order actions already applied (so a flow step repeated after a crash does not act twice).
import type { Kysely } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);

  await withIdColumn(dialect, db.schema.createTable('commerce_order'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    // '' for a direct order without a store: a unique index treats NULLs as distinct, '' is one value.
    .addColumn('store', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('user_key', 'text', (c) => c.notNull())
    // The order's display name where the shop gives one (Shopify's `#1001`).
    .addColumn('name', 'text')
    // JSON text, as the API gives them back: { name, phone, email } and [{ sku, name, quantity, unit_price }].
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('items', 'text', (c) => c.notNull())
    .addColumn('subtotal', 'double precision')
    .addColumn('shipping', 'double precision')
    .addColumn('tax', 'double precision')
    .addColumn('total', 'double precision', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('shipping_address', 'text')
    .addColumn('payment_method', 'text')
    .addColumn('financial_status', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // One order per merchant order id and store: a retried creation finds the first.
  await db.schema
    .createIndex('commerce_order_external_idx')
    .on('commerce_order')
    .columns(['client_id', 'store', 'external_id'])
    .unique()
    .execute();
  // Flows and the API read a customer's orders.
  await db.schema
    .createIndex('commerce_order_user_key_idx')
    .on('commerce_order')
    .columns(['client_id', 'user_key'])
    .execute();

  await db.schema
    .createTable('commerce_settings')
    .addColumn('client_id', 'integer', (c) => c.primaryKey().references('client.id'))
    .addColumn('orders_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await withIdColumn(dialect, db.schema.createTable('shopify_store'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    // The `id_store` of the webhook URL the merchant pastes into Shopify.
    .addColumn('id_store', 'text', (c) => c.notNull())
    // SHOPIFY_STORE_NAME: the `{name}` of admin.shopify.com/store/{name} and {name}.myshopify.com.
    .addColumn('store_name', 'text', (c) => c.notNull())
    // SHOPIFY_TOKEN_APP and the webhook signing secret, sealed (channels/secrets.ts) and bound to the row.
    .addColumn('access_token', 'text', (c) => c.notNull())
    .addColumn('webhook_secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('shopify_store_id_store_idx')
    .on('shopify_store')
    .columns(['client_id', 'id_store'])
    .unique()
    .execute();

  // X-Shopify-Webhook-Id of deliveries taken: Shopify retries a delivery with the same id.
  await db.schema
    .createTable('shopify_webhook_seen')
    .addColumn('store_id', 'integer', (c) => c.notNull().references('shopify_store.id').onDelete('cascade'))
    .addColumn('webhook_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'integer')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('shopify_webhook_seen_pk', ['store_id', 'webhook_id'])
    .execute();

  // Order actions (tag, note, cancel) Shopify accepted, by the caller's idempotency key.
  await db.schema
    .createTable('shopify_order_action')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('store', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('shopify_order_action_pk', ['client_id', 'idempotency_key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('shopify_order_action').execute();
  await db.schema.dropTable('shopify_webhook_seen').execute();
  await db.schema.dropTable('shopify_store').execute();
  await db.schema.dropTable('commerce_settings').execute();
  await db.schema.dropTable('commerce_order').execute();
}
