// Computes hourly rollups again from the source rows and replaces them: one website's hours (conversations and
// sales) or one client's presence hours. The projection and `causerie stats rebuild` both go through here, so the
// incremental path and a rebuild give the same rows by construction; each replacement changes its local days
// (days.ts) by the same difference in its transaction.
import type { Kysely, Transaction } from 'kysely';
import { type Database, MESSAGE_KIND, STATS_MEASURES } from '../../db/schema.js';
import { yieldToIo } from '../../event-loop.js';
import { transact } from '../../events/transact.js';
import { type ContactFacts, type ConversationFact, contactRollups, type SaleFact } from './contact-rollups.js';
import { applyDayChanges, lockScope, timeZoneOf } from './days.js';
import { type OperatorFact, type PresenceFacts, presenceRollups } from './presence-rollups.js';
import { hourOf, type RollupRow } from './rollup-rows.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Ids per `in (…)` list: well under both dialects' bound-parameter limits. */
const ID_CHUNK = 500;
/** Rows per insert: each row binds about 50 values. */
const INSERT_CHUNK = 100;

/** Conversations read per statement when an hour's are read. */
const CONVERSATION_PAGE = 1_000;

/**
 * Reads `ids` a chunk at a time, giving the event loop a turn between two reads (yieldToIo): on SQLite each read is
 * synchronous and the awaits between them never leave the microtask queue, so a busy hour's reads (tens of
 * milliseconds) would otherwise hold every HTTP answer and timer of the node until the last one.
 */
async function inChunks<T>(ids: readonly number[], load: (chunk: number[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let index = 0; index < ids.length; index += ID_CHUNK) {
    if (index > 0) await yieldToIo();
    out.push(...(await load(ids.slice(index, index + ID_CHUNK))));
  }
  return out;
}

const CONVERSATION_COLUMNS = [
  'id',
  'channel',
  'source',
  'operator_id',
  'skill_id',
  'rule_id',
  'page_type',
  'contact_type',
  'created_at',
  'answered_at',
  'closed_at',
  'queued_at',
  'outcome',
  'wait_ms',
  'operator_answer',
  'operator_closed',
  'problem_reported_at',
] as const;

/** A website's conversations created in [from, to), a page at a time (by creation, then id) with a turn between. */
async function hourConversations(db: Db, websiteId: number, from: string, to: string): Promise<ConversationFact[]> {
  const out: ConversationFact[] = [];
  let after: { created_at: string; id: number } | undefined;
  for (;;) {
    const page: ConversationFact[] = await db
      .selectFrom('conversation')
      .select(CONVERSATION_COLUMNS)
      .where('website_id', '=', websiteId)
      .where('created_at', '>=', after?.created_at ?? from)
      .where('created_at', '<', to)
      .$if(after !== undefined, (query) =>
        query.where((eb) => eb.or([eb('created_at', '>', after?.created_at ?? from), eb('id', '>', after?.id ?? 0)])),
      )
      .orderBy('created_at')
      .orderBy('id')
      .limit(CONVERSATION_PAGE)
      .execute();
    out.push(...page);
    const last = page.at(-1);
    if (last === undefined || page.length < CONVERSATION_PAGE) return out;
    after = { created_at: last.created_at, id: last.id };
    await yieldToIo();
  }
}

/** Reads what a website's hours [from, to) are computed from. */
async function loadContactFacts(
  db: Db,
  website: { id: number; client_id: number },
  from: string,
  to: string,
): Promise<ContactFacts> {
  const conversations = await hourConversations(db, website.id, from, to);
  await yieldToIo();
  const ids = conversations.map((conversation) => conversation.id);
  const messages = await inChunks(ids, (chunk) =>
    db
      .selectFrom('conversation_message')
      .select(['conversation_id', 'kind', 'operator_id', 'created_at'])
      .where('conversation_id', 'in', chunk)
      .where('kind', 'in', [MESSAGE_KIND.operator, MESSAGE_KIND.visitor])
      .orderBy('conversation_id')
      .orderBy('seq')
      .execute(),
  );
  const surveys = await inChunks(ids, (chunk) =>
    db
      .selectFrom('satisfaction')
      .select(['conversation_id', 'note_welcome', 'note_delay', 'note_resolution'])
      .where('conversation_id', 'in', chunk)
      .execute(),
  );
  const sold = await inChunks(ids, (chunk) =>
    db.selectFrom('sale').select('conversation_id').distinct().where('conversation_id', 'in', chunk).execute(),
  );
  const datedSurveys = await db
    .selectFrom('satisfaction')
    .innerJoin('conversation', 'conversation.id', 'satisfaction.conversation_id')
    .select([
      'satisfaction.operator_id',
      'conversation.operator_id as conversation_operator_id',
      'satisfaction.note_welcome',
      'satisfaction.note_delay',
      'satisfaction.note_resolution',
      'satisfaction.created_at',
    ])
    // The client's surveys of those hours (its index on client and date), then the website's.
    .where('satisfaction.client_id', '=', website.client_id)
    .where('satisfaction.website_id', '=', website.id)
    .where('satisfaction.created_at', '>=', from)
    .where('satisfaction.created_at', '<', to)
    .execute();
  const sales: SaleFact[] = await db
    .selectFrom('sale')
    .select(['conversation_id', 'operator_id', 'amount', 'created_at'])
    // By client and date first, as for surveys (an index on both), not every sale of the website.
    .where('client_id', '=', website.client_id)
    .where('website_id', '=', website.id)
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .execute();
  const known = new Map(conversations.map((conversation) => [conversation.id, conversation]));
  const missing = [
    ...new Set(
      sales.flatMap((sale) =>
        sale.conversation_id === null || known.has(sale.conversation_id) ? [] : [sale.conversation_id],
      ),
    ),
  ];
  const others = await inChunks(missing, (chunk) =>
    db.selectFrom('conversation').select(CONVERSATION_COLUMNS).where('id', 'in', chunk).execute(),
  );
  for (const conversation of others) known.set(conversation.id, conversation);
  const operators = await db
    .selectFrom('operator')
    .select(['id', 'group_id'])
    .where('client_id', '=', website.client_id)
    .execute();
  return {
    conversations,
    messages,
    surveys,
    datedSurveys: datedSurveys.map(({ created_at, ...survey }) => ({
      ...survey,
      hour: hourOf(Date.parse(created_at)),
    })),
    soldConversationIds: new Set(sold.flatMap((row) => (row.conversation_id === null ? [] : [row.conversation_id]))),
    sales,
    saleConversations: known,
    groupOfOperator: new Map(operators.map((operator) => [operator.id, operator.group_id])),
  };
}

/** Reads what a client's presence hours [from, to) are computed from. */
async function loadPresenceFacts(db: Db, clientId: number, from: string, to: string): Promise<PresenceFacts> {
  const operatorRows = await db
    .selectFrom('operator')
    .select(['id', 'group_id', 'chat_max_number'])
    .where('client_id', '=', clientId)
    .execute();
  const ids = operatorRows.map((operator) => operator.id);
  const skills = await inChunks(ids, (chunk) =>
    db.selectFrom('operator_skill').select(['operator_id', 'skill_id']).where('operator_id', 'in', chunk).execute(),
  );
  const websites = await inChunks(ids, (chunk) =>
    db.selectFrom('operator_website').select(['operator_id', 'website_id']).where('operator_id', 'in', chunk).execute(),
  );
  const listOf = (rows: { operator_id: number }[], pick: (row: never) => number) => {
    const map = new Map<number, number[]>();
    for (const row of rows) map.set(row.operator_id, [...(map.get(row.operator_id) ?? []), pick(row as never)]);
    return map;
  };
  const skillsOf = listOf(skills, (row: { skill_id: number }) => row.skill_id);
  const websitesOf = listOf(websites, (row: { website_id: number }) => row.website_id);
  const operators: OperatorFact[] = operatorRows.map((operator) => ({
    id: operator.id,
    group_id: operator.group_id,
    chat_max_number: operator.chat_max_number,
    skill_ids: skillsOf.get(operator.id) ?? [],
    website_ids: websitesOf.get(operator.id) ?? [],
  }));
  const ms = (instant: string | null) => (instant === null ? null : Date.parse(instant));
  const sessions = await db
    .selectFrom('presence_session')
    .select(['operator_id', 'started_at', 'ended_at'])
    .where('client_id', '=', clientId)
    .where('started_at', '<', to)
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', from)]))
    .execute();
  const availability = await db
    .selectFrom('availability_interval')
    .select(['operator_id', 'channel', 'started_at', 'ended_at'])
    .where('client_id', '=', clientId)
    .where('started_at', '<', to)
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', from)]))
    .execute();
  const holdings = await db
    .selectFrom('conversation_holding')
    .select(['operator_id', 'channel', 'started_at', 'ended_at'])
    .where('client_id', '=', clientId)
    .where('started_at', '<', to)
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', from)]))
    .execute();
  const capacities = await db
    .selectFrom('operator_capacity')
    .select(['operator_id', 'chat_max_number', 'started_at'])
    .where('client_id', '=', clientId)
    .execute();
  return {
    operators,
    sessions: sessions.map((row) => ({
      operator_id: row.operator_id,
      start: Date.parse(row.started_at),
      end: ms(row.ended_at),
    })),
    availability: availability.map((row) => ({
      operator_id: row.operator_id,
      channel: row.channel,
      start: Date.parse(row.started_at),
      end: ms(row.ended_at),
    })),
    holdings: holdings.map((row) => ({
      operator_id: row.operator_id,
      channel: row.channel,
      start: Date.parse(row.started_at),
      end: ms(row.ended_at),
    })),
    capacities: capacities.map((row) => ({
      operator_id: row.operator_id,
      start: Date.parse(row.started_at),
      value: row.chat_max_number,
    })),
  };
}

/**
 * A row with some figure. Rows of zeros add nothing to any sum (an operator connected on chat has call and video rows
 * of zeros), so they are not stored: a deleted operator or rule is then listed only where it has figures.
 */
function holdsFigures(row: RollupRow): boolean {
  return row.last_sale_at !== null || STATS_MEASURES.some((measure) => row.measures[measure] !== 0);
}

/** Replaces the rows of one scope's hours [from, to) by `rows`, inside the caller's transaction. */
async function replaceRows(
  trx: Transaction<Database>,
  scope: { clientId: number; websiteId: number },
  from: string,
  to: string,
  rows: readonly RollupRow[],
): Promise<void> {
  await lockScope(trx, scope);
  const before = await trx
    .selectFrom('stats_hour')
    .selectAll()
    .where('website_id', '=', scope.websiteId)
    .where('client_id', '=', scope.clientId)
    .where('hour', '>=', from)
    .where('hour', '<', to)
    .execute();
  await trx
    .deleteFrom('stats_hour')
    .where('website_id', '=', scope.websiteId)
    .where('client_id', '=', scope.clientId)
    .where('hour', '>=', from)
    .where('hour', '<', to)
    .execute();
  for (let index = 0; index < rows.length; index += INSERT_CHUNK) {
    const values = rows.slice(index, index + INSERT_CHUNK).map((row) => {
      const value: Record<string, string | number | null> = {
        client_id: scope.clientId,
        website_id: scope.websiteId,
        hour: row.hour,
        channel: row.channel,
        source: row.source,
        resource: row.resource,
        resource_id: row.resource_id,
        last_sale_at: row.last_sale_at,
      };
      for (const measure of STATS_MEASURES) value[measure] = row.measures[measure];
      return value as unknown as Database['stats_hour'];
    });
    // A rebuild and the projection may compute the same hour at once (PostgreSQL): both derive the same rows from the
    // same source rows, so the second writer keeps the first's instead of failing on the key.
    await trx
      .insertInto('stats_hour')
      .values(values)
      .onConflict((conflict) =>
        conflict
          .columns(['website_id', 'hour', 'client_id', 'resource', 'resource_id', 'channel', 'source'])
          .doNothing(),
      )
      .execute();
  }
  // Their local days change by the same difference in the same transaction: days never disagree with hours.
  await applyDayChanges(trx, scope, before, rows, await timeZoneOf(trx, scope.clientId));
}

/**
 * Computes a website's hours [from, to) again (hour-aligned instants). The source rows are read outside the writing
 * transaction: a change committed meanwhile has marked the hour again (stats_dirty), so it is computed once more.
 */
export async function recomputeWebsiteHours(
  db: Kysely<Database>,
  website: { id: number; client_id: number },
  from: string,
  to: string,
): Promise<number> {
  const rows = contactRollups(await loadContactFacts(db, website, from, to))
    .all()
    .filter(holdsFigures);
  await transact(db, (trx) => replaceRows(trx, { clientId: website.client_id, websiteId: website.id }, from, to, rows));
  return rows.length;
}

/** Computes a client's presence hours [from, to) again, open intervals running until `now`. */
export async function recomputePresenceHours(
  db: Kysely<Database>,
  clientId: number,
  from: string,
  to: string,
  now: Date,
): Promise<number> {
  const until = Math.min(Date.parse(to), now.getTime());
  const facts = await loadPresenceFacts(db, clientId, from, to);
  const rows = presenceRollups(facts, Date.parse(from), until).all().filter(holdsFigures);
  await transact(db, (trx) => replaceRows(trx, { clientId, websiteId: 0 }, from, to, rows));
  return rows.length;
}
