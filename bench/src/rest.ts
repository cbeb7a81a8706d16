// rest: the REST read path under load, endpoint by endpoint, beside a bare node:http server answering a JSON body of
// the same size in the same run.
//
// Causerie: one node (`start`) on SQLite (WAL, synchronous=FULL), or on PostgreSQL with `--postgres` (the server named
// by TEST_DATABASE_URL). A realistic client is seeded: websites, skills, groups, tags and operators through the API
// (as an integrator would make them), then conversations with their visitors, messages, tags, sales and surveys
// written straight into the database in bulk (the write path is not what is measured; the API would take an hour
// for 100,000 conversations). A third of the operators are online. Then autocannon drives each endpoint with 50
// connections for a fixed time (after a short warm-up), and the bare server for as long with a body of the same
// size. Reported per endpoint: req/s, p50/p99 and the ratio; the target is every ratio ≥ 0.5 and every p99 ≤ 20 ms
// on SQLite (≥ 0.3 on PostgreSQL, a network hop away).

import { createTestDatabase, type TestDatabase } from '@causerie/test-support/database';
import { ADMIN_KEY, startNode } from '@causerie/test-support/processes';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import pg from 'pg';
import { api as callApi } from './client.js';
import { pinToCpus, startBaseline } from './processes.js';
import type { BenchOptions } from './run.js';
import { round } from './stats.js';

const CONNECTIONS = 50;
const TARGET_RATIO_SQLITE = 0.5;
const TARGET_RATIO_POSTGRES = 0.3;
const TARGET_P99_MS = 20;

interface Scale {
  websites: number;
  operators: number;
  conversations: number;
  messagesPerConversation: number;
  seconds: number;
  warmupSeconds: number;
}

const FULL: Scale = {
  websites: 10,
  operators: 200,
  conversations: 100_000,
  messagesPerConversation: 4,
  seconds: 10,
  warmupSeconds: 2,
};
const QUICK: Scale = {
  websites: 10,
  operators: 200,
  conversations: 10_000,
  messagesPerConversation: 4,
  seconds: 2.5,
  warmupSeconds: 0.5,
};

/** Rows written straight into the database, on either dialect. */
interface BulkWriter {
  insert(table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void>;
  run(sql: string): Promise<void>;
  maxId(table: string): Promise<number>;
  /** PostgreSQL's serial counters follow explicit ids only when told. */
  resetSequence(table: string): Promise<void>;
  close(): Promise<void>;
}

function sqliteWriter(file: string): BulkWriter {
  const db = new Database(file);
  db.pragma('busy_timeout = 10000');
  return {
    async insert(table, columns, rows) {
      const statement = db.prepare(
        `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`,
      );
      db.transaction(() => {
        for (const row of rows) statement.run(...row);
      })();
    },
    async run(sql) {
      db.exec(sql);
    },
    async maxId(table) {
      const row = db.prepare(`select coalesce(max(id), 0) as max from "${table}"`).get() as { max: number };
      return row.max;
    },
    async resetSequence() {},
    async close() {
      db.close();
    },
  };
}

async function postgresWriter(url: string): Promise<BulkWriter> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    async insert(table, columns, rows) {
      // PostgreSQL takes at most 65,535 parameters per statement.
      const perStatement = Math.floor(60_000 / columns.length);
      await client.query('begin');
      for (let start = 0; start < rows.length; start += perStatement) {
        const chunk = rows.slice(start, start + perStatement);
        const values: unknown[] = [];
        const tuples = chunk.map((row) => {
          const placeholders = row.map((value) => {
            values.push(value);
            return `$${values.length}`;
          });
          return `(${placeholders.join(', ')})`;
        });
        await client.query(
          `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}`,
          values,
        );
      }
      await client.query('commit');
    },
    async run(sql) {
      await client.query(sql);
    },
    async maxId(table) {
      const answer = await client.query<{ max: string }>(`select coalesce(max(id), 0) as max from "${table}"`);
      return Number(answer.rows[0]?.max ?? 0);
    },
    async resetSequence(table) {
      await client.query(`select setval(pg_get_serial_sequence('"${table}"', 'id'), (select max(id) from "${table}"))`);
    },
    async close() {
      await client.end();
    },
  };
}

type Api = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** The REST API v2 of `base` with the admin key. */
function apiOf(base: string): Api {
  return <T>(method: string, path: string, body?: unknown) =>
    callApi<T>({ base }, method, `/api/2${path}`, ADMIN_KEY, body);
}

interface Seeded {
  clientKey: string;
  websiteIds: number[];
  operatorIds: number[];
  conversationIds: number[];
  /** A day with conversations, for the date filters, and an operator who had one that day. */
  busyDay: string;
  busyOperator: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The client, through the API; its history, in bulk. */
async function seed(api: Api, writer: BulkWriter, scale: Scale): Promise<Seeded> {
  const client = await api<{ id: number }>('POST', '/client', { name: 'REST Bench', lang: 'en' });
  const key = await api<{ key: string }>('POST', `/client/${client.id}/key`, { name: 'bench' });
  const websiteIds: number[] = [];
  for (let i = 0; i < scale.websites; i++)
    websiteIds.push(
      (await api<{ id: number }>('POST', '/website', { client_id: client.id, url: `https://shop${i}.bench.example` }))
        .id,
    );
  const skillIds: number[] = [];
  for (let i = 0; i < 10; i++)
    skillIds.push((await api<{ id: number }>('POST', '/skill', { client_id: client.id, name: `Skill ${i}` })).id);
  const groupIds: number[] = [];
  for (let i = 0; i < 5; i++)
    groupIds.push((await api<{ id: number }>('POST', '/group', { client_id: client.id, name: `Group ${i}` })).id);
  const tagIds: number[] = [];
  for (let i = 0; i < 20; i++)
    tagIds.push(
      (await api<{ id: number }>('POST', '/tag', { client_id: client.id, name: `tag-${i}`, website_id: websiteIds }))
        .id,
    );
  const operatorIds: number[] = [];
  for (let i = 0; i < scale.operators; i++)
    operatorIds.push(
      (
        await api<{ id: number }>('POST', '/operator', {
          client_id: client.id,
          name: `Operator ${i}`,
          email: `operator${i}@bench.example`,
          group_id: groupIds[i % groupIds.length],
          website_list: websiteIds.filter((_, w) => (w + i) % 3 !== 0),
          skill_list: [skillIds[i % skillIds.length], skillIds[(i * 7 + 3) % skillIds.length]],
        })
      ).id,
    );
  // A third of the team online for chat.
  await writer.run(
    `update operator set connected = 1, chat_available = 1 where client_id = ${client.id} and id % 3 = 0`,
  );

  const now = Date.now();
  const spanMs = 85 * 24 * 3_600_000;
  const firstVisitor = (await writer.maxId('visitor')) + 1;
  const firstConversation = (await writer.maxId('conversation')) + 1;
  const visitors: unknown[][] = [];
  const visitorWebsites: unknown[][] = [];
  const conversations: unknown[][] = [];
  const messages: unknown[][] = [];
  const conversationTags: unknown[][] = [];
  const sales: unknown[][] = [];
  const surveys: unknown[][] = [];
  const visitorCount = Math.ceil(scale.conversations / 2);
  for (let v = 0; v < visitorCount; v++) {
    const id = firstVisitor + v;
    const created = iso(now - spanMs + Math.floor((v / visitorCount) * spanMs));
    visitors.push([id, client.id, `bench-${id}`, `Visitor ${v}`, `visitor${v}@mail.example`, created, created]);
    visitorWebsites.push([id, websiteIds[v % websiteIds.length]]);
  }
  const conversationIds: number[] = [];
  for (let c = 0; c < scale.conversations; c++) {
    const id = firstConversation + c;
    conversationIds.push(id);
    const visitorIndex = c % visitorCount;
    const websiteId = websiteIds[visitorIndex % websiteIds.length];
    const operatorId = operatorIds[(c * 13) % operatorIds.length];
    const createdMs = now - spanMs + Math.floor((c / scale.conversations) * spanMs);
    const created = iso(createdMs);
    const answered = iso(createdMs + 20_000);
    const closed = iso(createdMs + 600_000);
    const lastSeq = scale.messagesPerConversation;
    conversations.push([
      id,
      client.id,
      websiteId,
      'chat',
      'web',
      firstVisitor + visitorIndex,
      operatorId,
      skillIds[c % skillIds.length],
      'closed',
      1,
      c % 2,
      `bench-${id}@chat.bench.example`,
      lastSeq,
      created,
      answered,
      closed,
      closed,
      created,
      answered,
      'answered',
      20_000,
      lastSeq,
      lastSeq,
    ]);
    for (let seq = 1; seq <= scale.messagesPerConversation; seq++) {
      const fromVisitor = seq % 2 === 1;
      messages.push([
        id,
        seq,
        fromVisitor ? 2 : 1,
        fromVisitor ? null : operatorId,
        fromVisitor ? `Hello, question number ${seq} about my order ${id}` : `Of course, here is the answer ${seq}.`,
        iso(createdMs + seq * 15_000),
      ]);
    }
    if (c % 3 === 0) conversationTags.push([id, tagIds[c % tagIds.length]]);
    if (c % 20 === 0)
      sales.push([
        client.id,
        websiteId,
        `order-${id}`,
        firstVisitor + visitorIndex,
        `bench-${firstVisitor + visitorIndex}`,
        49.9,
        'EUR',
        operatorId,
        id,
        closed,
      ]);
    if (c % 10 === 0) surveys.push([client.id, websiteId, id, operatorId, 4, 5, 4, 'Quick and kind.', closed]);
  }
  await writer.insert(
    'visitor',
    ['id', 'client_id', 'unique_id', 'lastname', 'email', 'created_at', 'updated_at'],
    visitors,
  );
  await writer.insert('visitor_website', ['visitor_id', 'website_id'], visitorWebsites);
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
      'skill_id',
      'status',
      'operator_answer',
      'operator_closed',
      'xmpp_id',
      'last_seq',
      'created_at',
      'answered_at',
      'closed_at',
      'updated_at',
      'queued_at',
      'assigned_at',
      'outcome',
      'wait_ms',
      'visitor_read_seq',
      'operator_read_seq',
    ],
    conversations,
  );
  await writer.insert(
    'conversation_message',
    ['conversation_id', 'seq', 'kind', 'operator_id', 'body', 'created_at'],
    messages,
  );
  await writer.insert('conversation_tag', ['conversation_id', 'tag_id'], conversationTags);
  await writer.insert(
    'sale',
    [
      'client_id',
      'website_id',
      'external_id',
      'visitor_id',
      'visitor_uid',
      'amount',
      'currency',
      'operator_id',
      'conversation_id',
      'created_at',
    ],
    sales,
  );
  await writer.insert(
    'satisfaction',
    [
      'client_id',
      'website_id',
      'conversation_id',
      'operator_id',
      'note_welcome',
      'note_delay',
      'note_resolution',
      'comment',
      'created_at',
    ],
    surveys,
  );
  for (const table of ['visitor', 'conversation']) await writer.resetSequence(table);
  // The planner's statistics, as a running database would have them.
  await writer.run('analyze');
  const middle = Math.floor(scale.conversations / 2);
  const busyDay = iso(now - spanMs + Math.floor((middle / scale.conversations) * spanMs)).slice(0, 10);
  const busyOperator = operatorIds[(middle * 13) % operatorIds.length] ?? 0;
  return { clientKey: key.key, websiteIds, operatorIds, conversationIds, busyDay, busyOperator };
}

interface Endpoint {
  name: string;
  /** Paths, taken in turn by the connections (several ids, so no single row is hot). */
  paths: string[];
}

function endpointsOf(seeded: Seeded): Endpoint[] {
  const someConversations = Array.from(
    { length: 100 },
    (_, i) => seeded.conversationIds[Math.floor((i / 100) * seeded.conversationIds.length)] ?? 1,
  );
  const website = seeded.websiteIds[2] ?? 1;
  return [
    { name: 'GET /api/2/website', paths: ['/api/2/website'] },
    { name: 'GET /api/2/operator?full=1', paths: ['/api/2/operator?full=1'] },
    {
      name: 'GET /api/2/conversation?limit=100&filters[website_id]&filters[from]',
      paths: [`/api/2/conversation?limit=100&filters[website_id]=${website}&filters[from]=${seeded.busyDay}`],
    },
    { name: 'GET /api/2/conversation/{id}', paths: someConversations.map((id) => `/api/2/conversation/${id}`) },
    { name: 'GET /api/2/operator/live', paths: ['/api/2/operator/live'] },
    {
      name: 'GET /api/chat_history/getHistory/ (v1, one day)',
      paths: [
        `/api/chat_history/getHistory/?sdate=${seeded.busyDay}&edate=${seeded.busyDay}&opid=${seeded.busyOperator}&key=${seeded.clientKey}`,
      ],
    },
  ];
}

interface Measured {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function drive(base: string, paths: string[], headers: Record<string, string>, seconds: number) {
  let turn = 0;
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: seconds,
    headers,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: paths[turn++ % paths.length] ?? '/' }),
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  } satisfies Measured;
}

/** The node's read-cache answers so far (its /metrics), to report what share of a run it served. */
async function cacheAnswers(base: string): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const count = (result: string) =>
    Number(new RegExp(`causerie_read_cache_answers\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { hit: count('hit'), miss: count('miss') };
}

async function bodySize(base: string, path: string, headers: Record<string, string>): Promise<number> {
  const answer = await fetch(`${base}${path}`, { headers });
  const body = await answer.arrayBuffer();
  if (!answer.ok) throw new Error(`GET ${path}: ${answer.status} ${Buffer.from(body).toString().slice(0, 300)}`);
  return body.byteLength;
}

export async function rest(options: BenchOptions): Promise<Record<string, unknown>> {
  const scale = options.quick ? QUICK : FULL;
  const postgres = options.postgres;
  if (postgres && !process.env.TEST_DATABASE_URL?.startsWith('postgres'))
    throw new Error('--postgres needs TEST_DATABASE_URL=postgres://… naming a PostgreSQL server.');
  const database: TestDatabase = await createTestDatabase(postgres ? {} : { dialect: 'sqlite' });
  // BENCH_CPU_PROFILE_DIR: the node writes a V8 CPU profile there when it stops (see bench/RESULTS.md, rest).
  const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
  // CAUSERIE_READ_CACHE_MS=0 measures every request as a miss (a client paging through a list).
  const readCache = process.env.CAUSERIE_READ_CACHE_MS;
  const node = await startNode({
    database,
    timeoutMs: 60_000,
    ...(readCache !== undefined && { env: { CAUSERIE_READ_CACHE_MS: readCache } }),
    ...(profileDir !== undefined && { nodeArguments: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] }),
  });
  const baseline = await startBaseline('json-body');
  const writer =
    database.config.dialect === 'sqlite'
      ? sqliteWriter(database.config.location)
      : await postgresWriter(database.config.location);
  try {
    const seedStarted = Date.now();
    const seeded = await seed(apiOf(node.base), writer, scale);
    const seedSeconds = round((Date.now() - seedStarted) / 1000);
    const headers = { 'x-api-key': seeded.clientKey };
    // The measured servers on CPU 0, this process (autocannon) on CPU 1: on two cores, a load generator sharing the
    // servers' cores makes the ratio measure its turns with them more than their work (BENCH_PIN=0: no pinning).
    const pinned =
      process.env.BENCH_PIN !== '0' &&
      pinToCpus(node.child.pid, '0') &&
      pinToCpus(baseline.child.pid, '0') &&
      pinToCpus(process.pid, '1');
    const target = postgres ? TARGET_RATIO_POSTGRES : TARGET_RATIO_SQLITE;
    const endpoints: Record<string, unknown>[] = [];
    // BENCH_ONLY: the endpoints whose name contains it (profiling one endpoint at a time).
    const only = process.env.BENCH_ONLY;
    for (const endpoint of endpointsOf(seeded).filter((e) => only === undefined || e.name.includes(only))) {
      const bytes = await bodySize(node.base, endpoint.paths[0] ?? '/', headers);
      await drive(node.base, endpoint.paths, headers, scale.warmupSeconds);
      const cacheBefore = await cacheAnswers(node.base);
      const causerie = await drive(node.base, endpoint.paths, headers, scale.seconds);
      const cacheAfter = await cacheAnswers(node.base);
      const hits = cacheAfter.hit - cacheBefore.hit;
      const misses = cacheAfter.miss - cacheBefore.miss;
      const bare = await drive(baseline.base, [`/body?bytes=${bytes}`], {}, scale.seconds);
      if (causerie.non2xx > 0 || causerie.errors > 0)
        throw new Error(`${endpoint.name}: ${causerie.non2xx} non-2xx answers, ${causerie.errors} errors under load`);
      const ratio = causerie.requestsPerSecond / bare.requestsPerSecond;
      endpoints.push({
        endpoint: endpoint.name,
        body_bytes: bytes,
        causerie_requests_per_second: round(causerie.requestsPerSecond, 0),
        causerie_p50_ms: causerie.p50,
        causerie_p99_ms: causerie.p99,
        read_cache_hit_ratio: hits + misses === 0 ? 0 : round(hits / (hits + misses), 4),
        baseline_requests_per_second: round(bare.requestsPerSecond, 0),
        baseline_p99_ms: bare.p99,
        ratio: round(ratio, 3),
        meets_target: ratio >= target && causerie.p99 <= TARGET_P99_MS,
      });
      console.error(JSON.stringify(endpoints[endpoints.length - 1]));
    }
    return {
      dialect: database.config.dialect,
      read_cache_ms: readCache === undefined ? 1000 : Number(readCache),
      servers_on_cpu_0_load_generator_on_cpu_1: pinned,
      connections: CONNECTIONS,
      seconds_per_endpoint: scale.seconds,
      conversations: scale.conversations,
      operators: scale.operators,
      seed_seconds: seedSeconds,
      endpoints,
      target: { ratio: target, p99_ms: TARGET_P99_MS },
      meets_target: endpoints.every((endpoint) => endpoint.meets_target === true),
    };
  } finally {
    await writer.close();
    await baseline.stop();
    // A profiled node must exit by itself to write its profile.
    await node.stop(profileDir === undefined ? 'SIGKILL' : 'SIGTERM');
    // BENCH_KEEP_DATABASE: left in place for a look at its query plans.
    if (process.env.BENCH_KEEP_DATABASE === undefined) await database.drop();
    else console.error(`database kept: ${database.config.location}`);
  }
}
