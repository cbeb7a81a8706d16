// The statistics engine's tables (domain/statistics/): hourly rollups, the buckets waiting to be recomputed, and the
// projection's cursor over the event log with its lease.
import { type Kysely, sql } from 'kysely';

/**
 * The measures of a rollup row, as this migration creates them (db/schema.ts STATS_MEASURES lists the same names;
 * domain/statistics/days.test.ts checks the tables' columns against it). Sums and counts are doubles so amounts and seconds keep their fractions (PostgreSQL's
 * `real` is single precision: not used).
 */
export const MEASURES = [
  'contacts',
  'first_reply_sum',
  'first_reply_n',
  'reply_sum',
  'reply_n',
  'close_gap_sum',
  'close_gap_n',
  'duration_sum',
  'duration_n',
  'sent_messages',
  'received_messages',
  'unanswered',
  'missed_busy',
  'missed_offline',
  'queued',
  'abandoned',
  'abandoned_wait_sum',
  'queue_answered',
  'queue_answered_wait_sum',
  'answered_outcome',
  'operator_answered',
  'from_rule',
  'converted',
  'problems',
  'surveys',
  'note_welcome_sum',
  'note_delay_sum',
  'note_resolution_sum',
  'sales_after',
  'sales_after_amount',
  'sales_after_delay_sum',
  'sales_in_session',
  'sales_total',
  'sales_total_amount',
  'presence_s',
  'presence_union_s',
  'non_occupied_s',
  'partial_s',
  'full_s',
  'unavailable_s',
  'production_union_s',
  'presentation_union_s',
  'load_integral_s',
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  let table = db.schema
    .createTable('stats_hour')
    .addColumn('client_id', 'integer', (column) => column.notNull())
    // 0 on the client's presence rows: presence belongs to operators, not to one website.
    .addColumn('website_id', 'integer', (column) => column.notNull())
    .addColumn('hour', 'text', (column) => column.notNull())
    .addColumn('channel', 'text', (column) => column.notNull())
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('resource', 'text', (column) => column.notNull())
    .addColumn('resource_id', 'text', (column) => column.notNull());
  for (const measure of MEASURES)
    table = table.addColumn(measure, 'double precision', (column) => column.notNull().defaultTo(0));
  await table
    .addColumn('last_sale_at', 'text')
    .addPrimaryKeyConstraint('stats_hour_pk', [
      'website_id',
      'hour',
      'client_id',
      'resource',
      'resource_id',
      'channel',
      'source',
    ])
    .execute();
  // Reads: a website's (or, website 0, the clients' presence) rows of one resource over a range of hours.
  await db.schema
    .createIndex('stats_hour_read_idx')
    .on('stats_hour')
    .columns(['website_id', 'resource', 'hour'])
    .execute();

  await db.schema
    .createTable('stats_dirty')
    .addColumn('client_id', 'integer', (column) => column.notNull())
    .addColumn('website_id', 'integer', (column) => column.notNull())
    .addColumn('hour', 'text', (column) => column.notNull())
    .addColumn('marked_at', 'text', (column) => column.notNull())
    // When the hour became due: it is computed a second after, so a busy hour is computed about once a second.
    .addColumn('since', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('stats_dirty_pk', ['client_id', 'website_id', 'hour'])
    .execute();

  await db.schema
    .createTable('stats_projection')
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('cursor', 'integer', (column) => column.notNull())
    .addColumn('gaps', 'text', (column) => column.notNull())
    .addColumn('presence_until', 'text', (column) => column.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
  // The projection starts at the beginning of the log and of presence: on a database with history, its first rounds
  // build the rollups of everything (in the background, bucket by bucket), as `causerie stats rebuild` would.
  const now = new Date().toISOString();
  await sql`insert into stats_projection (name, cursor, gaps, presence_until, updated_at)
    values ('statistics', 0, '[]', '1970-01-01T00:00:00.000Z', ${now})`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('stats_projection').execute();
  await db.schema.dropTable('stats_dirty').execute();
  await db.schema.dropTable('stats_hour').execute();
}
