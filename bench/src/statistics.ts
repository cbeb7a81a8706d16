// statistics: GET /api/2/statistic on three months of a busy client's history, beside the same figures computed by
// plain SQL over the source tables in the same run, and how many events per second the projection absorbs.
//
// Causerie: one node (`start`, read cache off: every request is computed) on SQLite (WAL, synchronous=FULL), or on
// PostgreSQL with `--postgres` (the server TEST_DATABASE_URL names). The client, its 10 websites, 10 skills, 8 groups
// and 200 operators are made through the API; the node stops while three months of history are written in bulk
// (statistics-history.ts: 1,000,000 conversations, ~5 messages each, presence, surveys, sales, rule counters); then
// `causerie stats rebuild` builds the hourly rollups and the node starts again. Timed, sequentially, after a warm-up:
// (a) 20 indicators grouped by operator over the whole history, (b) contact_number by hour over it, (c) every
// indicator of the chat channel for one website and one day; the baseline runs the equivalent SQL aggregation
// (statistics-baseline.ts) on its own connection. Projection: with the projection's lease held by the benchmark,
// messages are posted through the API; then the lease is let go and the time until the projection has read every
// event and recomputed every hour they touched gives the events per second it absorbs.

import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { createTestDatabase, databaseUrl, type TestDatabase } from '@causerie/test-support/database';
import { ADMIN_KEY, type RunningNode, SERVER_MAIN, startNode, startProcess } from '@causerie/test-support/processes';
import autocannon from 'autocannon';
import { type BulkWriter, postgresBulkWriter, sqliteBulkWriter } from './bulk.js';
import { api as callApi } from './client.js';
import type { BenchOptions } from './run.js';
import { type ContactFigures, contactFigures, contactsPerHour, type Scope } from './statistics-baseline.js';
import {
  type History,
  type HistoryScale,
  middleWeekday,
  type SeededOperator,
  type SeededTenant,
  writeHistory,
} from './statistics-history.js';
import { percentile, round } from './stats.js';

const TARGET_P95_MS = 1000;
const TARGET_EVENTS_PER_SECOND = 5000;
const DAY_MS = 86_400_000;

interface Scale extends HistoryScale {
  samples: number;
  warmups: number;
  /** Messages posted through the API for the projection's throughput. */
  projectionMessages: number;
}

const FULL: Scale = {
  conversations: 1_000_000,
  surveys: 100_000,
  sales: 150_000,
  days: 91,
  samples: 20,
  warmups: 2,
  projectionMessages: 30_000,
};
const QUICK: Scale = {
  conversations: 100_000,
  surveys: 10_000,
  sales: 15_000,
  days: 91,
  samples: 20,
  warmups: 2,
  projectionMessages: 10_000,
};

/** (a): 20 indicators of the four families that group by operator on chat. */
const BY_OPERATOR_INDICATORS = [
  'contact_number',
  'contact_answered_after_first_message_duration',
  'contact_answered_duration',
  'contact_closed_after_last_message_duration',
  'contact_duration',
  'contact_sent_message_number',
  'contact_received_message_number',
  'contact_waiting_answered_number',
  'contact_waiting_duration',
  'contact_per_hour_number',
  'contact_simultaneous_number',
  'satisfaction_global_rate',
  'satisfaction_respondent_number',
  'satisfaction_welcome_rate',
  'satisfaction_resolution_rate',
  'presence_duration',
  'production_duration',
  'occupation_rate',
  'transaction_after_contact_number',
  'transaction_after_contact_amount',
] as const;

/** Counts both sides must give exactly (the others are averages: rounding differs). */
const EXACT_INDICATORS = [
  'contact_number',
  'contact_sent_message_number',
  'contact_received_message_number',
  'contact_waiting_answered_number',
  'satisfaction_respondent_number',
  'transaction_after_contact_number',
] as const satisfies readonly (keyof ContactFigures)[];

type Api = <T>(method: string, path: string, body?: unknown) => Promise<T>;

const apiOf =
  (base: string, key = ADMIN_KEY): Api =>
  <T>(method: string, path: string, body?: unknown) =>
    callApi<T>({ base }, method, `/api/2${path}`, key, body);

interface Tenant extends SeededTenant {
  clientKey: string;
}

/** The client and its people, through the API as an integrator would make them. */
async function setUp(api: Api): Promise<Tenant> {
  const client = await api<{ id: number }>('POST', '/client', { name: 'Statistics Bench', lang: 'en' });
  const key = await api<{ key: string }>('POST', `/client/${client.id}/key`, { name: 'bench' });
  const websiteIds: number[] = [];
  for (let i = 0; i < 10; i++)
    websiteIds.push(
      (await api<{ id: number }>('POST', '/website', { client_id: client.id, url: `https://shop${i}.bench.example` }))
        .id,
    );
  const skillIds: number[] = [];
  for (let i = 0; i < 10; i++)
    skillIds.push((await api<{ id: number }>('POST', '/skill', { client_id: client.id, name: `Skill ${i}` })).id);
  const groupIds: number[] = [];
  for (let i = 0; i < 8; i++)
    groupIds.push((await api<{ id: number }>('POST', '/group', { client_id: client.id, name: `Team ${i}` })).id);
  const operators: SeededOperator[] = [];
  for (let i = 0; i < 200; i++) {
    const groupId = groupIds[i % groupIds.length] ?? 0;
    const skills = [skillIds[i % skillIds.length] ?? 0, skillIds[(i * 7 + 3) % skillIds.length] ?? 0];
    const websites = websiteIds.filter((_, w) => (w + i) % 3 !== 0);
    const chatMax = 3 + (i % 3);
    const created = await api<{ id: number }>('POST', '/operator', {
      client_id: client.id,
      name: `Operator ${i}`,
      email: `operator${i}@stats.bench.example`,
      group_id: groupId,
      website_list: websites,
      skill_list: [...new Set(skills)],
      chat_max_number: chatMax,
    });
    operators.push({
      id: created.id,
      groupId,
      skillIds: [...new Set(skills)],
      websiteIds: websites,
      chatMax,
      capacityRaisedMidway: i % 10 === 0,
    });
  }
  return { clientId: client.id, clientKey: key.key, websiteIds, skillIds, operators };
}

/** What the rebuild needs of the server's compiled modules when its CLI has no `stats rebuild` yet. */
interface ServerDatabaseModule {
  openDatabase(config: TestDatabase['config']): { db: unknown; close(): Promise<void> };
}
interface ServerRebuildModule {
  rebuildStatistics(db: unknown, options?: { now?: Date }): Promise<{ days: number; rows: number }>;
}

/**
 * `causerie stats rebuild` on the database (or, while the CLI lacks it, the same function imported from the server's
 * build): its wall time and which way it ran.
 */
async function rebuild(database: TestDatabase): Promise<{ ms: number; via: 'cli' | 'import' }> {
  const started = Date.now();
  const cli = startProcess(process.execPath, [SERVER_MAIN, 'stats', 'rebuild'], {
    DATABASE_URL: databaseUrl(database.config),
    CAUSERIE_ADMIN_KEY: ADMIN_KEY,
    LOG_LEVEL: 'warn',
  });
  const exit = await cli.exited;
  if (exit.code === 0) return { ms: Date.now() - started, via: 'cli' };
  if (!cli.output().includes("Unknown command 'stats'"))
    throw new Error(`causerie stats rebuild exited with ${exit.code}:\n${cli.output()}`);
  const server = pathToFileURL(SERVER_MAIN);
  const { openDatabase } = (await import(new URL('./db/database.js', server).href)) as ServerDatabaseModule;
  const { rebuildStatistics } = (await import(
    new URL('./domain/statistics/rebuild.js', server).href
  )) as ServerRebuildModule;
  const opened = openDatabase(database.config);
  const importedAt = Date.now();
  try {
    await rebuildStatistics(opened.db);
  } finally {
    await opened.close();
  }
  return { ms: Date.now() - importedAt, via: 'import' };
}

/** Reads the projection's state straight from its tables. */
async function projectionState(reader: BulkWriter): Promise<{ cursor: number; owner: string | null; dirty: number }> {
  const [state] = await reader.query<{ cursor: unknown; lease_owner: string | null }>(
    `select cursor, lease_owner from stats_projection where name = 'statistics'`,
  );
  const [dirty] = await reader.query<{ n: unknown }>('select count(*) as n from stats_dirty');
  return { cursor: Number(state?.cursor ?? 0), owner: state?.lease_owner ?? null, dirty: Number(dirty?.n ?? 0) };
}

async function lastEventId(reader: BulkWriter): Promise<number> {
  const [row] = await reader.query<{ id: unknown }>('select coalesce(max(id), 0) as id from event');
  return Number(row?.id ?? 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the projection has read the whole log and no hour waits to be recomputed. */
async function projectionIdle(reader: BulkWriter, timeoutMs: number, pollMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await lastEventId(reader);
    const state = await projectionState(reader);
    if (state.cursor >= last && state.dirty === 0) return;
    if (Date.now() > deadline)
      throw new Error(`projection not caught up after ${timeoutMs} ms: ${JSON.stringify({ last, ...state })}`);
    await sleep(pollMs);
  }
}

interface Timing {
  p50_ms: number;
  p95_ms: number;
  samples: number;
}

async function timed<T>(samples: number, warmups: number, run: () => Promise<T>): Promise<{ timing: Timing; last: T }> {
  let last: T | undefined;
  for (let i = 0; i < warmups; i++) last = await run();
  const durations: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    last = await run();
    durations.push(performance.now() - started);
  }
  return {
    timing: {
      p50_ms: round(percentile(durations, 0.5)),
      p95_ms: round(percentile(durations, 0.95)),
      samples,
    },
    last: last as T,
  };
}

type StatisticRow = Record<string, number | string | null>;

async function statistic(base: string, key: string, filters: Record<string, string>): Promise<StatisticRow[]> {
  const query = Object.entries(filters)
    .map(([name, value]) => `filters[${name}]=${encodeURIComponent(value)}`)
    .join('&');
  const url = `${base}/api/2/statistic?${query}`;
  const request = () => fetch(url, { headers: { 'x-api-key': key } });
  // The plain-SQL baseline blocks this process for seconds at a time (synchronous better-sqlite3) while the node closes
  // the idle kept-alive connection: the next request may go out on it as it closes. One new connection is tried then.
  const answer = await request().catch((error: unknown) => {
    if (error instanceof TypeError && error.message === 'fetch failed') return request();
    throw error;
  });
  const body = (await answer.json()) as { data: StatisticRow[] | StatisticRow };
  if (!answer.ok) throw new Error(`GET /api/2/statistic?${query}: ${answer.status} ${JSON.stringify(body)}`);
  // Without resource nor granularity the answer is the one row itself.
  return Array.isArray(body.data) ? body.data : [body.data];
}

/** Rows of the API and the baseline that differ on the exact counts (at most a few named, for the report). */
function disagreements(api: StatisticRow[], baseline: Map<number, ContactFigures>): string[] {
  const found: string[] = [];
  for (const row of api) {
    const expected = baseline.get(Number(row.resource_id));
    for (const name of EXACT_INDICATORS) {
      const want = expected?.[name] ?? 0;
      if (Number(row[name] ?? 0) !== want) found.push(`operator ${row.resource_id} ${name}: ${row[name]} ≠ ${want}`);
    }
  }
  return found;
}

const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Posts messages through the API while the projection is held back, then times how fast it absorbs them. */
async function projectionThroughput(
  node: RunningNode,
  reader: BulkWriter,
  tenant: Tenant,
  messages: number,
): Promise<Record<string, unknown>> {
  const api = apiOf(node.base, tenant.clientKey);
  const websiteId = tenant.websiteIds[0] ?? 0;
  const today = date(Date.now());
  const operators = tenant.operators.filter((operator) => operator.websiteIds.includes(websiteId)).slice(0, 50);
  const conversationIds: number[] = [];
  for (let i = 0; i < 200; i++) {
    const operator = operators[i % operators.length];
    conversationIds.push(
      (
        await api<{ id: number }>('POST', '/conversation', {
          website_id: websiteId,
          visitor_uid: `live-${i}`,
          ...(operator !== undefined && { operator_id: operator.id }),
        })
      ).id,
    );
  }
  await projectionIdle(reader, 120_000);
  const count = async () => {
    const [row] = await statistic(node.base, tenant.clientKey, {
      website_list: String(websiteId),
      indicators: 'contact_sent_message_number,contact_received_message_number',
      from: today,
      to: today,
    });
    return Number(row?.contact_sent_message_number ?? 0) + Number(row?.contact_received_message_number ?? 0);
  };
  const before = await count();

  // Hold the lease as another node would: the projection reads nothing while the messages are posted.
  const far = new Date(Date.now() + 3_600_000).toISOString();
  await reader.run(
    `update stats_projection set lease_owner = 'benchmark', lease_until = '${far}' where name = 'statistics'`,
  );
  const firstEvent = (await lastEventId(reader)) + 1;
  let turn = 0;
  const posted = await autocannon({
    url: node.base,
    connections: 20,
    amount: messages,
    headers: { 'x-api-key': tenant.clientKey, 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const index = turn++;
          return {
            ...request,
            path: `/api/2/conversation/${conversationIds[index % conversationIds.length]}/message`,
            body: JSON.stringify({
              type: Math.floor(index / conversationIds.length) % 2 === 0 ? 'visitor' : 'operator',
              text: `Message ${index}`,
            }),
          };
        },
      },
    ],
  });
  if (posted.non2xx > 0 || posted.errors > 0)
    throw new Error(`posting messages: ${posted.non2xx} non-2xx answers, ${posted.errors} errors`);
  const lastEvent = await lastEventId(reader);
  const events = lastEvent - firstEvent + 1;

  // Let go: the projection takes the lease at its next round (it polls every second when idle).
  const released = Date.now();
  await reader.run(`update stats_projection set lease_owner = null, lease_until = null where name = 'statistics'`);
  let taken: number | null = null;
  for (;;) {
    const state = await projectionState(reader);
    if (taken === null && state.owner !== null) taken = Date.now();
    if (state.cursor >= lastEvent && state.dirty === 0) break;
    if (Date.now() - released > 600_000) throw new Error('the projection did not absorb the events within 10 minutes');
    await sleep(5);
  }
  const absorbed = Date.now();
  const after = await count();
  const absorbingSeconds = (absorbed - (taken ?? released)) / 1000;
  return {
    events,
    messages_posted: messages,
    api_messages_per_second: round(posted.requests.average, 0),
    absorb_seconds: round(absorbingSeconds, 2),
    seconds_from_release: round((absorbed - released) / 1000, 2),
    events_per_second: round(events / absorbingSeconds, 0),
    rollups_reflect_messages: after - before === messages,
  };
}

/** The tenant and history of a kept database: the client this benchmark made, a new key for it. */
async function reusedTenant(reader: BulkWriter, api: Api, days: number): Promise<{ tenant: Tenant; history: History }> {
  const [client] = await reader.query<{ id: number }>(
    `select id from client where name = 'Statistics Bench' order by id desc limit 1`,
  );
  if (client === undefined) throw new Error('BENCH_REUSE_DATABASE: no client made by this benchmark in that file');
  const key = await api<{ key: string }>('POST', `/client/${client.id}/key`, { name: 'bench again' });
  const websiteIds = (
    await reader.query<{ id: number }>('select id from website where client_id = ? order by id', [client.id])
  ).map((row) => row.id);
  const links = await reader.query<{ operator_id: number; website_id: number }>(
    `select ow.operator_id, ow.website_id from operator_website ow join operator o on o.id = ow.operator_id
     where o.client_id = ? order by ow.operator_id`,
    [client.id],
  );
  const operators = new Map<number, SeededOperator>();
  for (const link of links) {
    const operator = operators.get(link.operator_id) ?? {
      id: link.operator_id,
      groupId: 0,
      skillIds: [],
      websiteIds: [],
      chatMax: 0,
      capacityRaisedMidway: false,
    };
    operators.set(link.operator_id, { ...operator, websiteIds: [...operator.websiteIds, link.website_id] });
  }
  const [first] = await reader.query<{ first: string }>(
    'select min(created_at) as first from conversation where client_id = ?',
    [client.id],
  );
  const startMs = Math.floor(Date.parse(first?.first ?? '') / DAY_MS) * DAY_MS;
  const counts: Record<string, number> = {};
  for (const table of ['conversation', 'conversation_message', 'satisfaction', 'sale']) {
    const [row] = await reader.query<{ n: unknown }>(`select count(*) as n from "${table}"`);
    counts[table] = Number(row?.n ?? 0);
  }
  return {
    tenant: { clientId: client.id, clientKey: key.key, websiteIds, skillIds: [], operators: [...operators.values()] },
    history: {
      from: new Date(startMs).toISOString(),
      to: new Date(startMs + days * DAY_MS).toISOString(),
      rows: counts,
      outcomes: {},
      busyDay: middleWeekday(startMs, days),
      seconds: 0,
    },
  };
}

export async function statistics(options: BenchOptions): Promise<Record<string, unknown>> {
  const scale = options.quick ? QUICK : FULL;
  if (options.postgres && !process.env.TEST_DATABASE_URL?.startsWith('postgres'))
    throw new Error('--postgres needs TEST_DATABASE_URL=postgres://… naming a PostgreSQL server.');
  // BENCH_REUSE_DATABASE: an SQLite file a run kept (BENCH_KEEP_DATABASE), measured again without writing it anew.
  const reuse = process.env.BENCH_REUSE_DATABASE;
  const database: TestDatabase =
    reuse !== undefined
      ? { config: { dialect: 'sqlite', location: reuse }, drop: async () => undefined }
      : await createTestDatabase(options.postgres ? {} : { dialect: 'sqlite' });
  // Every request computed: the read cache would answer the repeated requests from memory.
  const env = { CAUSERIE_READ_CACHE_MS: '0' };
  let node: RunningNode | undefined;
  let reader: BulkWriter | undefined;
  const log = (line: string) => console.error(line);
  try {
    let tenant: Tenant;
    let history: History;
    let rebuilt: { ms: number; via: 'cli' | 'import' } | undefined;
    // The history ends at today's UTC midnight: the same rows for the same day.
    const endMs = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    if (reuse === undefined) {
      node = await startNode({ database, timeoutMs: 60_000, env });
      tenant = await setUp(apiOf(node.base));
      await node.stop('SIGTERM');
      node = undefined;
      const writer =
        database.config.dialect === 'sqlite'
          ? sqliteBulkWriter(database.config.location)
          : await postgresBulkWriter(database.config.location);
      reader = writer;
      history = await writeHistory(writer, tenant, scale, endMs);
      log(
        `history written in ${history.seconds} s: ${JSON.stringify(history.rows)} ${JSON.stringify(history.outcomes)}`,
      );
      rebuilt = await rebuild(database);
      log(`rollups rebuilt in ${round(rebuilt.ms / 1000)} s (${rebuilt.via})`);
      node = await startNode({ database, timeoutMs: 120_000, env });
    } else {
      reader = sqliteBulkWriter(reuse);
      node = await startNode({ database, timeoutMs: 120_000, env });
      ({ tenant, history } = await reusedTenant(reader, apiOf(node.base), scale.days));
    }
    const writer = reader;
    await projectionIdle(reader, 600_000, 100);

    const key = tenant.clientKey;
    const lastDay = date(Date.parse(history.to) - DAY_MS);
    const firstDay = history.from.slice(0, 10);
    const whole: Scope = { clientId: tenant.clientId, websiteIds: [], from: history.from, to: history.to };
    const busyWebsite = tenant.websiteIds[0] ?? 0;
    const oneDay: Scope = {
      clientId: tenant.clientId,
      websiteIds: [busyWebsite],
      from: `${history.busyDay}T00:00:00.000Z`,
      to: new Date(Date.parse(`${history.busyDay}T00:00:00.000Z`) + DAY_MS).toISOString(),
    };
    const running = node;
    const loadAtQueries = os.loadavg().map((load) => round(load, 1));
    const queries: Record<string, unknown>[] = [];
    const measure = async (
      name: string,
      request: () => Promise<StatisticRow[]>,
      baseline: (() => Promise<unknown>) | undefined,
      check: (rows: StatisticRow[], expected: unknown) => string[],
    ) => {
      // BENCH_ONLY: the queries whose name contains one of its comma-separated parts, e.g. `(b),(c)`.
      const only = process.env.BENCH_ONLY?.split(',');
      if (only !== undefined && !only.some((part) => name.includes(part))) return;
      const causerie = await timed(scale.samples, scale.warmups, request);
      // BENCH_BASELINE_SAMPLES: fewer samples of the plain-SQL baseline, whose (a) takes about 40 s each at full scale.
      const baselineSamples = Number(process.env.BENCH_BASELINE_SAMPLES ?? scale.samples);
      const bare = baseline === undefined ? undefined : await timed(baselineSamples, scale.warmups, baseline);
      const problems = bare === undefined ? [] : check(causerie.last, bare.last);
      const figures = {
        query: name,
        rows: causerie.last.length,
        causerie: causerie.timing,
        ...(bare !== undefined && {
          baseline: bare.timing,
          speedup_p50: round(bare.timing.p50_ms / causerie.timing.p50_ms, 1),
          agrees_with_baseline: problems.length === 0,
          ...(problems.length > 0 && { disagreements: problems.slice(0, 5), disagreement_count: problems.length }),
        }),
        meets_target: causerie.timing.p95_ms < TARGET_P95_MS,
      };
      queries.push(figures);
      log(JSON.stringify(figures));
    };

    await measure(
      '(a) 20 indicators by operator, whole history',
      () =>
        statistic(running.base, key, {
          resource: 'operator',
          indicators: BY_OPERATOR_INDICATORS.join(','),
          from: firstDay,
          to: lastDay,
        }),
      () => contactFigures(writer, whole, true),
      (rows, expected) => disagreements(rows, expected as Map<number, ContactFigures>),
    );
    await measure(
      '(b) contact_number by hour, whole history',
      () =>
        statistic(running.base, key, {
          indicators: 'contact_number',
          granularity: 'hour',
          from: firstDay,
          to: lastDay,
        }),
      () => contactsPerHour(writer, whole),
      (rows, expected) => {
        const perHour = expected as Map<string, number>;
        const wrong = rows
          .filter((row) => Number(row.contact_number ?? 0) !== (perHour.get(String(row.period).slice(0, 13)) ?? 0))
          .map((row) => `${row.period}: ${row.contact_number} ≠ ${perHour.get(String(row.period).slice(0, 13)) ?? 0}`);
        const total = [...perHour.values()].reduce((sum, n) => sum + n, 0);
        const apiTotal = rows.reduce((sum, row) => sum + Number(row.contact_number ?? 0), 0);
        return total === apiTotal ? wrong : [...wrong, `total ${apiTotal} ≠ ${total}`];
      },
    );
    await measure(
      '(c) every chat indicator, one website, one day',
      () =>
        statistic(running.base, key, { website_list: String(busyWebsite), from: history.busyDay, to: history.busyDay }),
      () => contactFigures(writer, oneDay, false),
      (rows, expected) => {
        const figures = (expected as Map<number, ContactFigures>).get(0);
        const row = rows[0] ?? {};
        return EXACT_INDICATORS.filter((name) => Number(row[name] ?? 0) !== (figures?.[name] ?? 0)).map(
          (name) => `${name}: ${row[name]} ≠ ${figures?.[name] ?? 0}`,
        );
      },
    );

    const projection = await projectionThroughput(running, reader, tenant, scale.projectionMessages);
    log(JSON.stringify(projection));
    const projectionMeets = Number(projection.events_per_second) >= TARGET_EVENTS_PER_SECOND;
    return {
      dialect: database.config.dialect,
      // The machine is shared: the load when the queries started says how much of it the run had.
      load_average_at_queries: loadAtQueries,
      conversations: scale.conversations,
      days: scale.days,
      rows: history.rows,
      outcomes: history.outcomes,
      generate_seconds: reuse === undefined ? history.seconds : null,
      rebuild_seconds: rebuilt === undefined ? null : round(rebuilt.ms / 1000),
      rebuild_via: rebuilt?.via ?? null,
      reused_database: reuse !== undefined,
      queries,
      projection: { ...projection, meets_target: projectionMeets },
      target: { p95_ms: TARGET_P95_MS, events_per_second: TARGET_EVENTS_PER_SECOND },
      meets_target: queries.every((query) => query.meets_target === true) && projectionMeets,
    };
  } catch (error) {
    // A node that went away says why in its output.
    if (node !== undefined) {
      const { exitCode, signalCode } = node.child;
      console.error(`node exit code ${exitCode}, signal ${signalCode}; output (end):\n${node.output().slice(-3000)}`);
    }
    throw error;
  } finally {
    await reader?.close();
    await node?.stop('SIGKILL');
    if (process.env.BENCH_KEEP_DATABASE === undefined && reuse === undefined) await database.drop();
    else console.error(`database kept: ${database.config.location}`);
  }
}
