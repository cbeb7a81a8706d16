// search: GET /api/2/conversation/search over 1,000,000 messages (100,000 conversations of 10 messages, 50,000
// named visitors, two clients), beside the same search by `LIKE '%…%'` over the raw driver in the same run.
//
// Causerie: one node (`start`, read cache off) on SQLite (FTS5 tables kept by triggers) or on PostgreSQL with `--postgres` (GIN
// indexes on to_tsvector('simple', …)). The clients, websites and operators are made through the API; the node stops
// while visitors, conversations and messages are written in bulk (the triggers and indexes follow every row, as in
// production), then starts again. Timed, sequentially, after warm-ups: typical searches an operator types (a frequent
// word, rarer words, two words, a visitor's surname) as the console asks them (first page of 20,
// most relevant first, with snippets); the baseline asks the same words with `LIKE '%word%'` (ILIKE on PostgreSQL),
// counting matching messages per conversation of the client, on its own connection. Figures: p95 and median per
// search and over all, and the ratio baseline / Causerie.
import { createTestDatabase } from '@causerie/test-support/database';
import { ADMIN_KEY, type RunningNode, startNode } from '@causerie/test-support/processes';
import { type BulkWriter, postgresBulkWriter, type Row, sqliteBulkWriter } from './bulk.js';
import { api as callApi } from './client.js';
import type { BenchOptions } from './run.js';
import { median, percentile, round } from './stats.js';

const TARGET_P95_MS = 200;
/** Every search computed: the REST read cache would answer a repeated search from memory for a second. */
const NO_READ_CACHE = { CAUSERIE_READ_CACHE_MS: '0' };

interface Scale {
  conversations: number;
  messagesPerConversation: number;
  visitors: number;
  samples: number;
  warmups: number;
}
const FULL: Scale = { conversations: 100_000, messagesPerConversation: 10, visitors: 50_000, samples: 10, warmups: 1 };
const QUICK: Scale = { conversations: 10_000, messagesPerConversation: 10, visitors: 5_000, samples: 15, warmups: 2 };

/** What operators type; the last one is a surname of the seeded visitors. */
const SEARCHES = ['order', 'refund', 'invoice', 'delivery late', 'parcel', 'lefebvre'] as const;

/** Words that make up messages: a few support words at known rates, the rest filler drawn from a long tail. */
const SUPPORT_WORDS: ReadonlyArray<[string, number]> = [
  ['order', 0.02],
  ['delivery', 0.01],
  ['late', 0.01],
  ['refund', 0.004],
  ['invoice', 0.003],
  ['parcel', 0.002],
];
const SURNAMES = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Lefebvre'];
const SURNAME_TAIL = 2000;
const FIRSTNAMES = ['Jeanne', 'Paul', 'Amélie', 'Lucas', 'Chloé', 'Hugo', 'Léa', 'Nathan', 'Emma', 'Louis'];
const FILLER_SIZE = 5000;
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'be', 'da', 'fe', 'gi', 'ho', 'ju', 'ze'];

/** A deterministic generator: the same rows on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function fillerWords(): string[] {
  const words: string[] = [];
  for (let index = 0; words.length < FILLER_SIZE; index++) {
    let word = '';
    for (let rest = index; word.length < 6 || rest > 0; rest = Math.floor(rest / SYLLABLES.length))
      word += SYLLABLES[rest % SYLLABLES.length];
    words.push(word);
  }
  return words;
}

function messageText(next: () => number, filler: readonly string[]): string {
  const words: string[] = [];
  const length = 6 + Math.floor(next() * 10);
  for (let i = 0; i < length; i++) {
    // Zipf-like: low indexes far more often.
    words.push(filler[Math.floor(filler.length * next() ** 3)] ?? 'x');
  }
  for (const [word, rate] of SUPPORT_WORDS) {
    if (next() < rate * 1.5) words.splice(Math.floor(next() * words.length), 0, word);
  }
  if (next() < 0.01) words.push(String(1000 + Math.floor(next() * 9000)));
  return words.join(' ');
}

interface Seeded {
  clientKey: string;
  clientId: number;
  websiteIds: number[];
  otherClientId: number;
  otherWebsiteId: number;
  operatorId: number;
}

type Api = <T>(method: string, path: string, body?: unknown) => Promise<T>;

async function setUp(api: Api): Promise<Seeded> {
  const client = await api<{ id: number }>('POST', '/client', { name: 'Search Bench', lang: 'en' });
  const key = await api<{ key: string }>('POST', `/client/${client.id}/key`, { name: 'bench' });
  const websiteIds: number[] = [];
  for (let i = 0; i < 3; i++)
    websiteIds.push(
      (await api<{ id: number }>('POST', '/website', { client_id: client.id, url: `https://s${i}.search.example` })).id,
    );
  const operator = await api<{ id: number }>('POST', '/operator', {
    client_id: client.id,
    name: 'Search Agent',
    email: 'agent@search.example',
  });
  const other = await api<{ id: number }>('POST', '/client', { name: 'Other Bench', lang: 'en' });
  const otherSite = await api<{ id: number }>('POST', '/website', { client_id: other.id, url: 'https://o.example' });
  return {
    clientKey: key.key,
    clientId: client.id,
    websiteIds,
    otherClientId: other.id,
    otherWebsiteId: otherSite.id,
    operatorId: operator.id,
  };
}

/** Visitors, conversations and messages in batches; 10 % of the conversations belong to the other client. */
async function seed(writer: BulkWriter, seeded: Seeded, scale: Scale): Promise<number> {
  const started = Date.now();
  const next = random(22);
  const filler = fillerWords();
  const surnames = [...SURNAMES];
  for (let i = 0; i < SURNAME_TAIL; i++) surnames.push(`${filler[FILLER_SIZE - 1 - i]}son`);
  const firstVisitor = (await writer.maxId('visitor')) + 1;
  const firstConversation = (await writer.maxId('conversation')) + 1;
  const firstMessage = (await writer.maxId('conversation_message')) + 1;
  const now = Date.now();
  const visitorClient = (index: number) => (index % 10 === 9 ? seeded.otherClientId : seeded.clientId);
  const BATCH = 5000;
  for (let start = 0; start < scale.visitors; start += BATCH) {
    const rows: Row[] = [];
    for (let index = start; index < Math.min(scale.visitors, start + BATCH); index++) {
      const lastname = surnames[Math.floor(surnames.length * next() ** 2)] ?? 'Doe';
      const firstname = FIRSTNAMES[index % FIRSTNAMES.length] ?? 'Jo';
      const at = new Date(now - 86_400_000 * 200).toISOString();
      rows.push([
        firstVisitor + index,
        visitorClient(index),
        `bench-${index}`,
        firstname,
        lastname,
        `${firstname}.${lastname}.${index}@mail.example`.toLowerCase(),
        at,
        at,
      ]);
    }
    await writer.insert(
      'visitor',
      ['id', 'client_id', 'unique_id', 'firstname', 'lastname', 'email', 'created_at', 'updated_at'],
      rows,
    );
  }
  let messageId = firstMessage;
  const CONVERSATION_BATCH = 2000;
  for (let start = 0; start < scale.conversations; start += CONVERSATION_BATCH) {
    const conversations: Row[] = [];
    const messages: Row[] = [];
    for (let index = start; index < Math.min(scale.conversations, start + CONVERSATION_BATCH); index++) {
      const visitorIndex = Math.floor(next() * scale.visitors);
      const clientId = visitorClient(visitorIndex);
      const websiteId =
        clientId === seeded.clientId
          ? (seeded.websiteIds[index % seeded.websiteIds.length] ?? 0)
          : seeded.otherWebsiteId;
      const createdMs = now - Math.floor(next() * 180 * 86_400_000);
      const created = new Date(createdMs).toISOString();
      const closed = new Date(createdMs + 600_000).toISOString();
      const id = firstConversation + index;
      const operatorId = clientId === seeded.clientId ? seeded.operatorId : null;
      conversations.push([
        id,
        clientId,
        websiteId,
        index % 20 === 0 ? 'call' : 'chat',
        'web',
        firstVisitor + visitorIndex,
        operatorId,
        'closed',
        `bench-${id}`,
        scale.messagesPerConversation,
        created,
        closed,
        closed,
      ]);
      for (let seq = 1; seq <= scale.messagesPerConversation; seq++) {
        const visitorSide = seq % 2 === 1;
        messages.push([
          messageId++,
          id,
          seq,
          visitorSide ? 2 : 1,
          visitorSide ? null : operatorId,
          messageText(next, filler),
          new Date(createdMs + seq * 30_000).toISOString(),
        ]);
      }
    }
    await writer.insert(
      'conversation',
      [
        'id',
        'client_id',
        'website_id',
        'channel',
        'source',
        'visitor_id',
        'operator_id',
        'status',
        'xmpp_id',
        'last_seq',
        'created_at',
        'closed_at',
        'updated_at',
      ],
      conversations,
    );
    await writer.insert(
      'conversation_message',
      ['id', 'conversation_id', 'seq', 'kind', 'operator_id', 'body', 'created_at'],
      messages,
    );
  }
  for (const table of ['visitor', 'conversation', 'conversation_message']) await writer.resetSequence(table);
  await writer.run('analyze');
  return Date.now() - started;
}

/** The baseline: the same words by LIKE over the raw driver, most matching messages first, first page. */
async function likeSearch(reader: BulkWriter, clientId: number, text: string): Promise<number> {
  const words = text.split(' ');
  const like = reader.dialect === 'postgres' ? 'ilike' : 'like';
  const conditions = words.map(() => `m.body ${like} ?`).join(' and ');
  const rows = await reader.query<{ conversation_id: number }>(
    `select m.conversation_id, count(*) as hits from conversation_message m
       join conversation c on c.id = m.conversation_id
     where c.client_id = ? and m.kind in (1, 2, 6) and ${conditions}
     group by m.conversation_id order by hits desc, m.conversation_id desc limit 20`,
    [clientId, ...words.map((word) => `%${word}%`)],
  );
  return rows.length;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export async function search(options: BenchOptions): Promise<Record<string, unknown>> {
  const scale = options.quick ? QUICK : FULL;
  if (options.postgres && !process.env.TEST_DATABASE_URL?.startsWith('postgres'))
    throw new Error('--postgres needs TEST_DATABASE_URL=postgres://… naming a PostgreSQL server.');
  const database = await createTestDatabase(options.postgres ? {} : { dialect: 'sqlite' });
  const log = (line: string) => console.error(line);
  let node: RunningNode | undefined;
  let reader: BulkWriter | undefined;
  try {
    node = await startNode({ database, timeoutMs: 60_000, env: NO_READ_CACHE });
    const base = node.base;
    const seeded = await setUp(<T>(method: string, path: string, body?: unknown) =>
      callApi<T>({ base }, method, `/api/2${path}`, ADMIN_KEY, body),
    );
    await node.stop('SIGTERM');
    node = undefined;
    reader =
      database.config.dialect === 'sqlite'
        ? sqliteBulkWriter(database.config.location)
        : await postgresBulkWriter(database.config.location);
    const seedMs = await seed(reader, seeded, scale);
    const messages = scale.conversations * scale.messagesPerConversation;
    log(`${messages} messages written and indexed in ${round(seedMs / 1000)} s`);
    node = await startNode({ database, timeoutMs: 120_000, env: NO_READ_CACHE });
    const running = node;
    const ask = async (text: string) => {
      const answer = await fetch(`${running.base}/api/2/conversation/search?q=${encodeURIComponent(text)}&limit=20`, {
        headers: { 'x-api-key': seeded.clientKey },
      });
      const json = (await answer.json()) as { data: unknown[]; pagination: { count: number } };
      if (!answer.ok) throw new Error(`search ${text}: ${answer.status} ${JSON.stringify(json)}`);
      return json.pagination.count;
    };
    const perSearch: Record<string, unknown> = {};
    const allCauserie: number[] = [];
    const allBaseline: number[] = [];
    for (const text of SEARCHES) {
      const driver = reader;
      for (let i = 0; i < scale.warmups; i++) {
        await ask(text);
        await likeSearch(driver, seeded.clientId, text);
      }
      const causerie: number[] = [];
      const baseline: number[] = [];
      let matches = 0;
      for (let i = 0; i < scale.samples; i++) {
        causerie.push(
          await timed(async () => {
            matches = await ask(text);
          }),
        );
        baseline.push(await timed(() => likeSearch(driver, seeded.clientId, text)));
      }
      allCauserie.push(...causerie);
      allBaseline.push(...baseline);
      perSearch[text] = {
        conversations_matching: matches,
        p95_ms: round(percentile(causerie, 0.95)),
        median_ms: round(median(causerie)),
        like_p95_ms: round(percentile(baseline, 0.95)),
        like_median_ms: round(median(baseline)),
      };
      log(`${text}: ${JSON.stringify(perSearch[text])}`);
    }
    const p95 = percentile(allCauserie, 0.95);
    const likeP95 = percentile(allBaseline, 0.95);
    return {
      dialect: database.config.dialect,
      messages,
      conversations: scale.conversations,
      seed_seconds: round(seedMs / 1000),
      p95_ms: round(p95),
      median_ms: round(median(allCauserie)),
      target_p95_ms: TARGET_P95_MS,
      meets_target: p95 < TARGET_P95_MS,
      like_p95_ms: round(likeP95),
      like_median_ms: round(median(allBaseline)),
      like_over_search_p95: round(likeP95 / p95, 2),
      searches: perSearch,
    };
  } catch (error) {
    if (node !== undefined) console.error(`node output (end):\n${node.output().slice(-3000)}`);
    throw error;
  } finally {
    await reader?.close();
    await node?.stop('SIGKILL');
    if (process.env.BENCH_KEEP_DATABASE === undefined) await database.drop();
    else console.error(`database kept: ${database.config.location}`);
  }
}
