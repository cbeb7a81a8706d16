// Issue 22, search at a million messages on PostgreSQL: the message text's tsvector stored in a generated column
// instead of an expression index. With only the expression, every ranked match re-parsed its body (ts_rank) and
// a search could not read the newest matches first without parsing each row it passed; stored, ranking reads the
// vector and the newest-first window is a backward walk of the primary key that stops after the window
// (PostgreSQL's documentation recommends the stored column for the same reason). The table is rewritten once,
// about 20 s per million messages on these machines. SQLite keeps its FTS5 table (migration 20261205T1930).
import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  // Only the indexed kinds (operator 1, visitor 2, private note 6) carry a vector: system notices and navigation
  // entries are not text a person searches.
  await sql`alter table conversation_message add column search_vector tsvector
    generated always as (case when kind in (1, 2, 6) then to_tsvector('simple', body) end) stored`.execute(db);
  await sql`drop index if exists conversation_message_search`.execute(db);
  await sql`create index conversation_message_search on conversation_message using gin (search_vector)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  await sql`drop index if exists conversation_message_search`.execute(db);
  await sql`alter table conversation_message drop column if exists search_vector`.execute(db);
  await sql`create index conversation_message_search on conversation_message
    using gin (to_tsvector('simple', body)) where kind in (1, 2, 6)`.execute(db);
}
