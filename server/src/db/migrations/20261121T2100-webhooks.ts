// Outgoing webhooks: subscriptions, the dispatch outbox fed by the event log, and one delivery row per attempt.
import type { Kysely } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);

  await withIdColumn(dialect, db.schema.createTable('webhook'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    // JSON arrays: event selectors as given (`*`, `conversations.domain`, names) and website ids (empty = all).
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('website_ids', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('compat', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('disabled_reason', 'text')
    // The signing secret must be usable to sign, so it cannot be hashed: it is stored sealed (webhooks/signing.ts).
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'text')
    // Start of the current run of failed attempts (null after any success): sustained failure disables.
    .addColumn('failing_since', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_client_idx').on('webhook').columns(['client_id', 'enabled']).execute();

  // Written by appendEvent in the event's own transaction; claimed, fanned out and deleted by the dispatcher.
  await withIdColumn(dialect, db.schema.createTable('webhook_outbox'))
    .addColumn('event_id', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await withIdColumn(dialect, db.schema.createTable('webhook_delivery'))
    .addColumn('webhook_id', 'integer', (c) => c.notNull())
    .addColumn('client_id', 'integer', (c) => c.notNull())
    .addColumn('event_id', 'integer', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    // Orders deliveries of one conversation within one subscription; null for events about no conversation.
    .addColumn('conversation_id', 'integer')
    // Stable for one event to one subscription (retries and replays): X-…-CorrelationId and, prefixed, webhook-id.
    .addColumn('correlation_id', 'text', (c) => c.notNull())
    // New for every attempt: X-…-Delivery.
    .addColumn('delivery_uuid', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    // pending → delivering → delivered | retrying (a later attempt row follows) | failed.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('request_body', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('http_status', 'integer')
    .addColumn('latency_ms', 'integer')
    .addColumn('error', 'text')
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    // A claimed attempt belongs to its worker until then; past it, a crashed worker's attempt is taken over.
    .addColumn('lease_until', 'text')
    .addColumn('completed_at', 'text')
    .execute();
  await db.schema
    .createIndex('webhook_delivery_due_idx')
    .on('webhook_delivery')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('webhook_delivery_order_idx')
    .on('webhook_delivery')
    .columns(['webhook_id', 'conversation_id', 'status'])
    .execute();
  await db.schema
    .createIndex('webhook_delivery_log_idx')
    .on('webhook_delivery')
    .columns(['webhook_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_delivery').execute();
  await db.schema.dropTable('webhook_outbox').execute();
  await db.schema.dropTable('webhook').execute();
}
