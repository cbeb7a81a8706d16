// Statistics rollups gain the operator credits (messages written, surveys and sales by their own date and credited
// operator, sold conversations) that the operator statistic and v1 getStats read, and every website hour already rolled
// up is marked for the projection to compute again, so that rows written before this version get them too.
import { type Kysely, sql } from 'kysely';

/** The measures this migration adds to stats_hour and stats_day (db/schema.ts STATS_MEASURES ends with them). */
export const MEASURES_ADDED = [
  'authored_messages',
  'credited_surveys',
  'credited_note_welcome_sum',
  'credited_note_delay_sum',
  'credited_note_resolution_sum',
  'recorded_surveys',
  'recorded_notes_sum',
  'credited_sales',
  'credited_sales_cents',
  'sold_contacts',
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['stats_hour', 'stats_day'])
    for (const measure of MEASURES_ADDED)
      await db.schema
        .alterTable(table)
        .addColumn(measure, 'double precision', (column) => column.notNull().defaultTo(0))
        .execute();
  // The new columns read 0 on every row already written. Rather than ask whoever upgrades to run `causerie stats
  // rebuild` (figures wrong until they do), the projection computes those hours again in the background: every website
  // hour with a rollup row (each conversation and each sale has one) and every hour a survey was given in (a survey now
  // counts in its own hour, which may hold nothing else). Presence hours (website 0) carry none of the new measures.
  // Until a marked hour is computed its new measures read 0; `causerie stats rebuild` does the same work at once.
  const now = new Date().toISOString();
  const mark = `${now}#migration-20261204T1300`;
  await sql`insert into stats_dirty (client_id, website_id, hour, marked_at, since)
    select client_id, website_id, hour, ${mark}, ${now} from (
      select client_id, website_id, hour from stats_hour where website_id <> 0
      union
      select client_id, website_id, substr(created_at, 1, 13) || ':00:00.000Z' as hour from satisfaction
    ) as hours
    where true
    on conflict (client_id, website_id, hour) do nothing`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['stats_hour', 'stats_day'])
    for (const measure of MEASURES_ADDED) await db.schema.alterTable(table).dropColumn(measure).execute();
}
