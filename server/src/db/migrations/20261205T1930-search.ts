// Issue 22: full-text search over what was said in conversations (visitor and operator messages, private notes,
// closing notes), visitor names and emails, and tag names. SQLite: FTS5 tables over those rows (external content,
// so the text is stored once), kept in step by triggers in the writing transaction. PostgreSQL: GIN indexes on
// `to_tsvector('simple', …)` expressions, which the database maintains itself. The expressions here must stay
// identical to those domain/search/query.ts matches, or PostgreSQL cannot use the indexes.
import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../dialect.js';

/** Message kinds indexed: operator (1), visitor (2), private note (6); system notices and navigation are not text. */
const INDEXED_KINDS = '1, 2, 6';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`create index conversation_message_search on conversation_message
      using gin (to_tsvector('simple', body)) where kind in (1, 2, 6)`.execute(db);
    await sql`create index visitor_search on visitor using gin (to_tsvector('simple',
      coalesce(firstname, '') || ' ' || coalesce(lastname, '') || ' ' || coalesce(email, '')))`.execute(db);
    await sql`create index tag_search on tag using gin (to_tsvector('simple', name))`.execute(db);
    return;
  }
  const statements = [
    `create virtual table message_search using fts5(body, content='conversation_message', content_rowid='id',
      tokenize='unicode61 remove_diacritics 2')`,
    `insert into message_search(rowid, body) select id, body from conversation_message where kind in (${INDEXED_KINDS})`,
    `create trigger message_search_insert after insert on conversation_message when new.kind in (${INDEXED_KINDS})
      begin insert into message_search(rowid, body) values (new.id, new.body); end`,
    `create trigger message_search_delete after delete on conversation_message when old.kind in (${INDEXED_KINDS})
      begin insert into message_search(message_search, rowid, body) values ('delete', old.id, old.body); end`,
    `create trigger message_search_update after update of body, kind on conversation_message begin
      insert into message_search(message_search, rowid, body) select 'delete', old.id, old.body where old.kind in (${INDEXED_KINDS});
      insert into message_search(rowid, body) select new.id, new.body where new.kind in (${INDEXED_KINDS});
    end`,
    `create virtual table visitor_search using fts5(firstname, lastname, email, content='visitor', content_rowid='id',
      tokenize='unicode61 remove_diacritics 2')`,
    `insert into visitor_search(rowid, firstname, lastname, email) select id, firstname, lastname, email from visitor`,
    `create trigger visitor_search_insert after insert on visitor begin
      insert into visitor_search(rowid, firstname, lastname, email) values (new.id, new.firstname, new.lastname, new.email);
    end`,
    `create trigger visitor_search_delete after delete on visitor begin
      insert into visitor_search(visitor_search, rowid, firstname, lastname, email)
        values ('delete', old.id, old.firstname, old.lastname, old.email);
    end`,
    `create trigger visitor_search_update after update of firstname, lastname, email on visitor begin
      insert into visitor_search(visitor_search, rowid, firstname, lastname, email)
        values ('delete', old.id, old.firstname, old.lastname, old.email);
      insert into visitor_search(rowid, firstname, lastname, email) values (new.id, new.firstname, new.lastname, new.email);
    end`,
    `create virtual table tag_search using fts5(name, content='tag', content_rowid='id',
      tokenize='unicode61 remove_diacritics 2')`,
    `insert into tag_search(rowid, name) select id, name from tag`,
    `create trigger tag_search_insert after insert on tag begin
      insert into tag_search(rowid, name) values (new.id, new.name); end`,
    `create trigger tag_search_delete after delete on tag begin
      insert into tag_search(tag_search, rowid, name) values ('delete', old.id, old.name); end`,
    `create trigger tag_search_update after update of name on tag begin
      insert into tag_search(tag_search, rowid, name) values ('delete', old.id, old.name);
      insert into tag_search(rowid, name) values (new.id, new.name);
    end`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    for (const index of ['conversation_message_search', 'visitor_search', 'tag_search'])
      await sql`drop index if exists ${sql.ref(index)}`.execute(db);
    return;
  }
  for (const table of ['message', 'visitor', 'tag']) {
    for (const change of ['insert', 'delete', 'update'])
      await sql.raw(`drop trigger if exists ${table}_search_${change}`).execute(db);
    await sql.raw(`drop table if exists ${table}_search`).execute(db);
  }
}
