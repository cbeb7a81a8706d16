// Commerce flows (issue 18): flows and their immutable versions, merchant requests, durable runs and their step rows,
// charges with a per-client price list, the merchant's endpoints (secrets sealed), and the flows' event-log cursor.
import type { Kysely } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);

  await withIdColumn(dialect, db.schema.createTable('flow'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    // JSON text: `{"type": "request" | "order_created" | "keyword", "keywords"?: [...]}`.
    .addColumn('trigger', 'text', (c) => c.notNull())
    // The version new runs start on (the newest published); null until one is.
    .addColumn('current_version', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('flow_client_code_idx').on('flow').columns(['client_id', 'code']).unique().execute();

  await withIdColumn(dialect, db.schema.createTable('flow_version'))
    .addColumn('flow_id', 'integer', (c) => c.notNull().references('flow.id'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    // JSON text of the checked definition; never changed once written (a run keeps the version it started with).
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('flow_version_flow_idx')
    .on('flow_version')
    .columns(['flow_id', 'version'])
    .unique()
    .execute();

  await withIdColumn(dialect, db.schema.createTable('commerce_request'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('flow_id', 'integer', (c) => c.notNull().references('flow.id'))
    .addColumn('flow_code', 'text', (c) => c.notNull())
    .addColumn('user_key', 'text', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    // open → done | failed | cancelled, following its run.
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('commerce_request_client_idx')
    .on('commerce_request')
    .columns(['client_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('commerce_request_user_idx')
    .on('commerce_request')
    .columns(['client_id', 'user_key'])
    .execute();

  await withIdColumn(dialect, db.schema.createTable('flow_run'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('flow_id', 'integer', (c) => c.notNull().references('flow.id'))
    .addColumn('version_id', 'integer', (c) => c.notNull().references('flow_version.id'))
    .addColumn('request_id', 'integer', (c) => c.references('commerce_request.id'))
    .addColumn('order_id', 'integer')
    .addColumn('user_key', 'text', (c) => c.notNull())
    // running | waiting | done | failed | cancelled
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('variables', 'text', (c) => c.notNull())
    .addColumn('object', 'text')
    // Index in the definition's steps of the step to run next.
    .addColumn('step_index', 'integer', (c) => c.notNull().defaultTo(0))
    // Step rows written so far: the next execution's ordinal (its idempotency key run:<id>:step:<ordinal>).
    .addColumn('steps_run', 'integer', (c) => c.notNull().defaultTo(0))
    // When a worker should look at it next (null: only an inbound reply or a change wakes it).
    .addColumn('due_at', 'text')
    // JSON text of what a waiting run waits for (a reply in a conversation after a seq, with its timeout step).
    .addColumn('waiting_for', 'text')
    .addColumn('conversation_id', 'integer')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('error', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema.createIndex('flow_run_due_idx').on('flow_run').columns(['state', 'due_at']).execute();
  await db.schema.createIndex('flow_run_user_idx').on('flow_run').columns(['client_id', 'user_key']).execute();
  await db.schema.createIndex('flow_run_request_idx').on('flow_run').column('request_id').execute();
  await db.schema
    .createIndex('flow_run_conversation_idx')
    .on('flow_run')
    .columns(['conversation_id', 'state'])
    .execute();

  await withIdColumn(dialect, db.schema.createTable('flow_run_step'))
    .addColumn('run_id', 'integer', (c) => c.notNull().references('flow_run.id'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('step_index', 'integer', (c) => c.notNull())
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    // running | waiting | done | failed
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('output', 'text')
    .addColumn('error', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema
    .createIndex('flow_run_step_run_idx')
    .on('flow_run_step')
    .columns(['run_id', 'ordinal'])
    .unique()
    .execute();

  await withIdColumn(dialect, db.schema.createTable('commerce_charge'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('user_key', 'text', (c) => c.notNull())
    .addColumn('request_id', 'integer')
    .addColumn('run_id', 'integer')
    // The run step that made it: a step repeated after a crash finds its charge instead of adding one.
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('quantity', 'double precision', (c) => c.notNull())
    .addColumn('unit_price', 'double precision', (c) => c.notNull())
    .addColumn('amount', 'double precision', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('commerce_charge_key_idx')
    .on('commerce_charge')
    .columns(['client_id', 'idempotency_key'])
    .unique()
    .execute();
  await db.schema
    .createIndex('commerce_charge_user_idx')
    .on('commerce_charge')
    .columns(['client_id', 'user_key'])
    .execute();

  await db.schema
    .createTable('commerce_price')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('unit_price', 'double precision', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('commerce_price_pk', ['client_id', 'kind'])
    .execute();

  await db.schema
    .createTable('commerce_merchant')
    .addColumn('client_id', 'integer', (c) => c.primaryKey().references('client.id'))
    .addColumn('get_object_url', 'text')
    .addColumn('update_object_url', 'text')
    .addColumn('auth_header_name', 'text')
    // Sealed (channels/secrets.ts), bound to the client: never answered by the API.
    .addColumn('auth_header_value', 'text')
    .addColumn('signing_secret', 'text', (c) => c.notNull())
    .addColumn('timeout_ms', 'integer', (c) => c.notNull().defaultTo(10_000))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('flow_event_cursor')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('cursor', 'integer', (c) => c.notNull())
    .addColumn('gaps', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // Flows start with the events committed from now on: earlier ones belong to no flow.
  const last = await (db as Kysely<{ event: { id: number } }>)
    .selectFrom('event')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  await (db as Kysely<{ flow_event_cursor: { name: string; cursor: number; gaps: string; updated_at: string } }>)
    .insertInto('flow_event_cursor')
    .values({ name: 'flows', cursor: Number(last?.id ?? 0), gaps: '[]', updated_at: new Date().toISOString() })
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'flow_event_cursor',
    'commerce_merchant',
    'commerce_price',
    'commerce_charge',
    'flow_run_step',
    'flow_run',
    'commerce_request',
    'flow_version',
    'flow',
  ])
    await db.schema.dropTable(table).execute();
}
