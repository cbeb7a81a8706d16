// Daily rollups (domain/statistics/days.ts): the sums of a client's local days, so that a query over months reads a
// row per day where it would read one per hour; and, per client, the time zone its days were summed in.
import type { Kysely } from 'kysely';
// The measures of stats_hour as that migration created them: the day rows have the same columns.
import { MEASURES } from './20261204T1030-statistics.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  let table = db.schema
    .createTable('stats_day')
    .addColumn('client_id', 'integer', (column) => column.notNull())
    .addColumn('website_id', 'integer', (column) => column.notNull())
    // The client's local date (`2026-11-03`) in the time zone stats_day_zone names for the client.
    .addColumn('day', 'text', (column) => column.notNull())
    .addColumn('channel', 'text', (column) => column.notNull())
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('resource', 'text', (column) => column.notNull())
    .addColumn('resource_id', 'text', (column) => column.notNull());
  for (const measure of MEASURES)
    table = table.addColumn(measure, 'double precision', (column) => column.notNull().defaultTo(0));
  await table
    .addColumn('last_sale_at', 'text')
    .addPrimaryKeyConstraint('stats_day_pk', [
      'website_id',
      'day',
      'client_id',
      'resource',
      'resource_id',
      'channel',
      'source',
    ])
    .execute();
  await db.schema
    .createIndex('stats_day_read_idx')
    .on('stats_day')
    .columns(['website_id', 'resource', 'day'])
    .execute();

  // No row for a client yet: its queries read hours only until the projection has summed its days (it does so for
  // every client without a row, or whose time zone changed since, on its next round).
  await db.schema
    .createTable('stats_day_zone')
    .addColumn('client_id', 'integer', (column) => column.primaryKey())
    .addColumn('time_zone', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('stats_day_zone').execute();
  await db.schema.dropTable('stats_day').execute();
}
