// The one search interface over both dialects: conversations ranked by how well what was said in them (and their
// visitor's name and email, and their tags) matches the words, each with the best match as an HTML snippet.
// SQLite reads the FTS5 tables of migration 20261205T1930; PostgreSQL the GIN expression indexes of the same migration.
import { type Expression, type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import { dialectOf } from '../../db/dialect.js';
import { type ConversationChannel, type ConversationStatus, type Database, MESSAGE_KIND } from '../../db/schema.js';
import { clientScope, type Principal } from '../tenancy/policy.js';
import { MARK_END, MARK_START, snippetHtml } from './snippet.js';
import { ftsMatch, tsQuery } from './terms.js';

/** Where the best match of a conversation was found. */
export type MatchedIn = 'message' | 'note' | 'visitor' | 'tag';

export interface SearchFilters {
  status?: ConversationStatus;
  channel?: ConversationChannel;
  websiteId?: number;
  /** An operator's id, `null` for conversations nobody took, `!null` for taken ones. */
  operatorId?: number | 'null' | '!null';
  tagId?: number;
  /** Created at or after this instant (ISO). */
  createdFrom?: string;
  /** Created strictly before this instant (ISO). */
  createdBefore?: string;
}

export interface SearchRequest {
  words: readonly string[];
  /**
   * Private notes (closing notes among them) are searched only for the console's people and API keys, who may
   * read them; anything a visitor reaches searches with `false`.
   */
  includeNotes: boolean;
  filters?: SearchFilters;
  /** Only conversations among these (a subquery of `conversation.id`): the list route's own filters. */
  within?: Expression<unknown>;
  /** How many matches of each kind ranking reads (RANK_WINDOW unless a test wants a small one). */
  rankWindow?: number;
}

export interface RankedConversation {
  id: number;
  score: number;
  /** Its best-scored matching message or note among those ranked, `null` when only its visitor or a tag matched. */
  bestMessageId: number | null;
  bestMessageScore: number;
}

export interface SearchHit {
  id: number;
  score: number;
  /** HTML: the matched text escaped, matches in <mark>; safe to insert as markup. */
  snippet: string;
  matchedIn: MatchedIn;
  /** The matching entry's `seq` when the match is in a message or note. */
  seq: number | null;
}

/**
 * A match on the visitor's name or email, or on a tag, counts as much as a strong message match: a person who types
 * a name wants that person's conversations first. The scales differ (FTS5's bm25 against PostgreSQL's ts_rank).
 */
const FIELD_BONUS = { sqlite: 10, postgres: 0.5 } as const;
const SNIPPET_TOKENS = 16;
/** How far ranking looks: beyond this many matching conversations, a person refines the search. */
export const MAX_RANKED = 5000;
/**
 * How many matches of each kind ranking reads, newest first: a word in 3 % of a million messages would otherwise
 * score 30,000 of them for one page. Older matches are reached by narrowing the dates (docs/CONSOLE.md, Search).
 */
export const RANK_WINDOW = 5000;

function kindsOf(includeNotes: boolean): number[] {
  return includeNotes
    ? [MESSAGE_KIND.operator, MESSAGE_KIND.visitor, MESSAGE_KIND.note]
    : [MESSAGE_KIND.operator, MESSAGE_KIND.visitor];
}

/**
 * The PostgreSQL expressions the migrations indexed: keep them identical to them. A message's vector is a stored
 * column (migration 20261206T0000), null for the kinds not indexed.
 */
const PG_MESSAGE_VECTOR = sql`m.search_vector`;
const PG_VISITOR_VECTOR = sql`to_tsvector('simple', coalesce(v.firstname, '') || ' ' || coalesce(v.lastname, '') || ' ' || coalesce(v.email, ''))`;
const PG_TAG_VECTOR = sql`to_tsvector('simple', t.name)`;

function conditions(principal: Principal, request: SearchRequest): RawBuilder<SqlBool> {
  const parts: Array<Expression<SqlBool>> = [clientScope(principal, 'c.client_id')];
  const filters = request.filters ?? {};
  if (filters.status !== undefined) parts.push(sql<SqlBool>`c.status = ${filters.status}`);
  if (filters.channel !== undefined) parts.push(sql<SqlBool>`c.channel = ${filters.channel}`);
  if (filters.websiteId !== undefined) parts.push(sql<SqlBool>`c.website_id = ${filters.websiteId}`);
  if (filters.operatorId === 'null') parts.push(sql<SqlBool>`c.operator_id is null`);
  else if (filters.operatorId === '!null') parts.push(sql<SqlBool>`c.operator_id is not null`);
  else if (filters.operatorId !== undefined) parts.push(sql<SqlBool>`c.operator_id = ${filters.operatorId}`);
  if (filters.tagId !== undefined)
    parts.push(sql<SqlBool>`c.id in (select conversation_id from conversation_tag where tag_id = ${filters.tagId})`);
  if (filters.createdFrom !== undefined) parts.push(sql<SqlBool>`c.created_at >= ${filters.createdFrom}`);
  if (filters.createdBefore !== undefined) parts.push(sql<SqlBool>`c.created_at < ${filters.createdBefore}`);
  if (request.within !== undefined) parts.push(sql<SqlBool>`c.id in ${request.within}`);
  return sql<SqlBool>`${sql.join(parts, sql` and `)}`;
}

interface HitRow {
  conversation_id: number | string;
  /** The matching message or note; `null` for a match on the visitor or a tag. */
  message_id: number | string | null;
  score: number | string;
}

/**
 * The matches ranking reads, each part its newest RANK_WINDOW: messages and notes of the conversations the principal
 * may see (scope and filters applied inside, so that another client's volume never pushes this client's matches out),
 * visitors' names and emails, tags. Scoring reads only these (bm25 and ts_rank cost per match), and FTS5 walks its
 * index newest first and stops at the window, so the cost is bounded whatever the word's frequency.
 */
async function matchingHits(db: Kysely<Database>, principal: Principal, request: SearchRequest): Promise<HitRow[]> {
  const kinds = sql.join(kindsOf(request.includeNotes));
  const where = conditions(principal, request);
  const window = sql.lit(Math.max(1, Math.floor(request.rankWindow ?? RANK_WINDOW)));
  if (dialectOf(db) === 'postgres') {
    const query = sql`to_tsquery('simple', ${tsQuery(request.words)})`;
    const bonus = sql.lit(FIELD_BONUS.postgres);
    // ts_rank in the outer query: only the window's rows are scored.
    const found = await sql<HitRow>`
      select newest.conversation_id, newest.message_id, ts_rank(newest.search_vector, ${query}) as score
      from (
        select m.conversation_id, m.id as message_id, m.search_vector
        from conversation_message m join conversation c on c.id = m.conversation_id
        where ${PG_MESSAGE_VECTOR} @@ ${query} and m.kind in (${kinds}) and ${where}
        order by m.id desc limit ${window}
      ) newest
      union all
      select * from (
        select c.id, null::bigint, ${bonus}::real from visitor v join conversation c on c.visitor_id = v.id
        where ${PG_VISITOR_VECTOR} @@ ${query} and ${where} order by c.id desc limit ${window}
      ) by_visitor
      union all
      select * from (
        select c.id, null::bigint, ${bonus}::real from tag t join conversation_tag ct on ct.tag_id = t.id
          join conversation c on c.id = ct.conversation_id
        where ${PG_TAG_VECTOR} @@ ${query} and ${where} order by c.id desc limit ${window}
      ) by_tag`.execute(db);
    return found.rows;
  }
  const match = ftsMatch(request.words);
  const bonus = sql.lit(FIELD_BONUS.sqlite);
  const found = await sql<HitRow>`
    select * from (
      select m.conversation_id, m.id as message_id, -bm25(message_search) as score
      from message_search join conversation_message m on m.id = message_search.rowid
        join conversation c on c.id = m.conversation_id
      where message_search match ${match} and m.kind in (${kinds}) and ${where}
      order by message_search.rowid desc limit ${window}
    )
    union all
    select * from (
      select c.id, null, ${bonus} from visitor_search join conversation c on c.visitor_id = visitor_search.rowid
      where visitor_search match ${match} and ${where} order by c.id desc limit ${window}
    )
    union all
    select * from (
      select c.id, null, ${bonus} from tag_search join conversation_tag ct on ct.tag_id = tag_search.rowid
        join conversation c on c.id = ct.conversation_id
      where tag_search match ${match} and ${where} order by c.id desc limit ${window}
    )`.execute(db);
  return found.rows;
}

/**
 * The matching conversations the principal may see, most relevant first (then newest), at most MAX_RANKED: each
 * conversation's score is the sum of its matches' (a visitor or tag match adds FIELD_BONUS), over the newest
 * RANK_WINDOW matches of each kind.
 */
export async function rankConversations(
  db: Kysely<Database>,
  principal: Principal,
  request: SearchRequest,
): Promise<RankedConversation[]> {
  const byConversation = new Map<number, RankedConversation>();
  for (const row of await matchingHits(db, principal, request)) {
    const id = Number(row.conversation_id);
    const score = Number(row.score);
    const ranked = byConversation.get(id) ?? { id, score: 0, bestMessageId: null, bestMessageScore: 0 };
    ranked.score += score;
    if (row.message_id !== null && (ranked.bestMessageId === null || score > ranked.bestMessageScore)) {
      ranked.bestMessageId = Number(row.message_id);
      ranked.bestMessageScore = score;
    }
    byConversation.set(id, ranked);
  }
  return [...byConversation.values()]
    .sort((left, right) => right.score - left.score || right.id - left.id)
    .slice(0, MAX_RANKED);
}

/** One page of ranked conversations with their snippets, and how many matched in all. */
export async function searchConversations(
  db: Kysely<Database>,
  principal: Principal,
  request: SearchRequest,
  page: number,
  limit: number,
): Promise<{ hits: SearchHit[]; count: number }> {
  const ranked = await rankConversations(db, principal, request);
  const shown = ranked.slice((page - 1) * limit, page * limit);
  const snippets = await snippetsOf(db, request, shown);
  return {
    count: ranked.length,
    hits: shown.map((row) => {
      const found = snippets.get(row.id);
      return {
        id: row.id,
        score: row.score,
        snippet: found?.snippet ?? '',
        matchedIn: found?.matchedIn ?? 'message',
        seq: found?.seq ?? null,
      };
    }),
  };
}

interface Snippet {
  snippet: string;
  matchedIn: MatchedIn;
  seq: number | null;
}

interface SnippetRow {
  conversation_id: number | string;
  seq: number | string | null;
  kind: number | string | null;
  score: number | string;
  marked: string | null;
}

/**
 * The best match of each conversation as a snippet: its best-ranked message or note, else its visitor's name or
 * email, else its tag. Computed for one page only (snippets cost more than ranks), messages by their ids (an FTS5
 * match per conversation would walk the word's whole doclist).
 */
async function snippetsOf(
  db: Kysely<Database>,
  request: SearchRequest,
  shown: readonly RankedConversation[],
): Promise<Map<number, Snippet>> {
  const snippets = new Map<number, Snippet>();
  if (shown.length === 0) return snippets;
  const ids = sql.join(shown.map((row) => row.id));
  const bestMessages = shown.flatMap((row) => (row.bestMessageId === null ? [] : [row.bestMessageId]));
  // `in (null)` matches nothing: a page whose matches are all visitors or tags.
  const messageIds = bestMessages.length > 0 ? sql.join(bestMessages) : sql`null`;
  let rows: SnippetRow[];
  if (dialectOf(db) === 'postgres') {
    const query = sql`to_tsquery('simple', ${tsQuery(request.words)})`;
    const options = `StartSel="${MARK_START}", StopSel="${MARK_END}", MaxWords=${SNIPPET_TOKENS + 4}, MinWords=6, ShortWord=1, MaxFragments=1, FragmentDelimiter=" … "`;
    const visitorText = sql`coalesce(v.firstname, '') || ' ' || coalesce(v.lastname, '') || ' ' || coalesce(v.email, '')`;
    const found = await sql<SnippetRow>`
      select m.conversation_id, m.seq, m.kind, 1 as score, ts_headline('simple', m.body, ${query}, ${options}) as marked
        from conversation_message m where m.id in (${messageIds})
      union all
      select c.id, null, null, 0, ts_headline('simple', ${visitorText}, ${query}, ${options})
        from conversation c join visitor v on v.id = c.visitor_id
        where c.id in (${ids}) and ${PG_VISITOR_VECTOR} @@ ${query}
      union all
      select ct.conversation_id, null, -1, 0, ts_headline('simple', t.name, ${query}, ${options})
        from conversation_tag ct join tag t on t.id = ct.tag_id
        where ct.conversation_id in (${ids}) and ${PG_TAG_VECTOR} @@ ${query}`.execute(db);
    rows = found.rows;
  } else {
    const match = ftsMatch(request.words);
    const found = await sql<SnippetRow>`
      select m.conversation_id, m.seq, m.kind, 1 as score,
        snippet(message_search, 0, ${MARK_START}, ${MARK_END}, '…', ${SNIPPET_TOKENS}) as marked
      from message_search join conversation_message m on m.id = message_search.rowid
      where message_search match ${match} and message_search.rowid in (${messageIds})
      union all
      select c.id, null, null, 0, snippet(visitor_search, -1, ${MARK_START}, ${MARK_END}, '…', ${SNIPPET_TOKENS})
      from visitor_search join conversation c on c.visitor_id = visitor_search.rowid
      where visitor_search match ${match} and c.id in (${ids})
      union all
      select ct.conversation_id, null, -1, 0, snippet(tag_search, 0, ${MARK_START}, ${MARK_END}, '…', ${SNIPPET_TOKENS})
      from tag_search join conversation_tag ct on ct.tag_id = tag_search.rowid
      where tag_search match ${match} and ct.conversation_id in (${ids})`.execute(db);
    rows = found.rows;
  }
  const rankOf = (row: SnippetRow) => (row.seq !== null ? 2 : row.kind === null ? 1 : 0);
  const best = new Map<number, SnippetRow>();
  for (const row of rows) {
    const id = Number(row.conversation_id);
    const current = best.get(id);
    const better =
      current === undefined ||
      rankOf(row) > rankOf(current) ||
      (rankOf(row) === rankOf(current) && Number(row.score) > Number(current.score));
    if (better) best.set(id, row);
  }
  for (const [id, row] of best) {
    const matchedIn: MatchedIn =
      row.seq === null
        ? row.kind === null
          ? 'visitor'
          : 'tag'
        : Number(row.kind) === MESSAGE_KIND.note
          ? 'note'
          : 'message';
    snippets.set(id, {
      snippet: snippetHtml((row.marked ?? '').trim()),
      matchedIn,
      seq: row.seq === null ? null : Number(row.seq),
    });
  }
  return snippets;
}
