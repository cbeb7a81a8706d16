// Chat environments (issue 19 `/chatbot/agent`) registered with Google's RBM Management API, their per-carrier launch
// states, RCS testers, the history of every state change, and the Idempotency-Key answers of the messaging API. The provider work (create the brand and the agent,
// request the launch, invite a tester, poll the states) is claimed from these rows by the worker of every node.
import { type CreateTableBuilder, type Kysely, sql } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

/** The columns of a row the worker claims: what to do next, when, the lease, the attempts and the last failure. */
function withWorkColumns<T extends string, C extends string>(table: CreateTableBuilder<T, C>) {
  return (
    table
      // submit | sync | poll (agents), invite | poll (testers); null: nothing to do.
      .addColumn('work', 'text')
      .addColumn('due_at', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      // Quiet polls in a row: the poll interval doubles with each, back to the first after a change.
      .addColumn('quiet_polls', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'text')
      // JSON text {code, message, at} of the provider failure that postponed the work; null once it went through.
      .addColumn('last_error', 'text')
  );
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);

  await withWorkColumns(
    withIdColumn(dialect, db.schema.createTable('messaging_agent'))
      .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('logo_url', 'text', (c) => c.notNull())
      .addColumn('banner_url', 'text', (c) => c.notNull())
      .addColumn('brand_color', 'text', (c) => c.notNull())
      .addColumn('phone', 'text')
      .addColumn('email', 'text')
      .addColumn('website', 'text')
      .addColumn('privacy_url', 'text', (c) => c.notNull())
      .addColumn('terms_url', 'text', (c) => c.notNull())
      .addColumn('use_case', 'text', (c) => c.notNull())
      .addColumn('hosting_region', 'text', (c) => c.notNull())
      .addColumn('rcs', 'integer', (c) => c.notNull())
      .addColumn('whatsapp_channel_id', 'integer', (c) => c.references('channel.id'))
      .addColumn('sms_channel_id', 'integer', (c) => c.references('channel.id'))
      // pending_verification | active | suspended | rejected | deleted (domain/messaging/agent-states.ts)
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      // Google's names, remembered as soon as obtained so a retry continues instead of creating them again.
      .addColumn('rbm_brand', 'text')
      .addColumn('rbm_agent', 'text')
      .addColumn('launch_requested', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'text'),
  ).execute();
  await db.schema
    .createIndex('messaging_agent_client_idx')
    .on('messaging_agent')
    .columns(['client_id', 'state'])
    .execute();
  await db.schema.createIndex('messaging_agent_due_idx').on('messaging_agent').column('due_at').execute();

  await withIdColumn(dialect, db.schema.createTable('messaging_agent_carrier'))
    .addColumn('agent_id', 'integer', (c) => c.notNull().references('messaging_agent.id'))
    // Google's region id ('orange-fr'): one carrier network.
    .addColumn('carrier', 'text', (c) => c.notNull())
    // pending | launched | rejected | suspended
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('messaging_agent_carrier_idx')
    .on('messaging_agent_carrier')
    .columns(['agent_id', 'carrier'])
    .unique()
    .execute();

  await withWorkColumns(
    withIdColumn(dialect, db.schema.createTable('messaging_tester'))
      .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
      .addColumn('agent_id', 'integer', (c) => c.notNull().references('messaging_agent.id'))
      .addColumn('phone', 'text', (c) => c.notNull())
      // invite_pending | accepted | declined | expired | unreachable | deleted (domain/messaging/tester-states.ts)
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('invited_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'text'),
  ).execute();
  await db.schema
    .createIndex('messaging_tester_live_idx')
    .on('messaging_tester')
    .columns(['agent_id', 'phone'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('messaging_tester_client_idx')
    .on('messaging_tester')
    .columns(['client_id', 'state'])
    .execute();
  await db.schema.createIndex('messaging_tester_due_idx').on('messaging_tester').column('due_at').execute();

  // Every state change of an environment (carrier null), of one of its carriers, or of a tester.
  await withIdColumn(dialect, db.schema.createTable('messaging_agent_history'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    // agent | tester
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'integer', (c) => c.notNull())
    .addColumn('carrier', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('previous_state', 'text')
    .addColumn('reason', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('messaging_agent_history_idx')
    .on('messaging_agent_history')
    .columns(['resource', 'resource_id'])
    .execute();

  // Idempotency-Key of the messaging API's POSTs (issue 19 contract: one table for every service): the first answer,
  // kept per owner and key with a hash of the request, is the answer to every repeat.
  await withIdColumn(dialect, db.schema.createTable('messaging_idempotency'))
    // partner | client
    .addColumn('owner_kind', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    // Null while the first request is being answered.
    .addColumn('status', 'integer')
    .addColumn('answer', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('messaging_idempotency_key_idx')
    .on('messaging_idempotency')
    .columns(['owner_kind', 'owner_id', 'key'])
    .unique()
    .execute();
}
