// flows: cash-on-delivery flow runs end to end on the durable flow engine (Shopify order webhook → WhatsApp template →
// the customer's button reply → Shopify tag or cancel → charge), beside the same outbound calls and rows made directly.
//
// Causerie: one node (`start`) on SQLite (WAL, synchronous=FULL), or on PostgreSQL with `--postgres` (the server named
// by TEST_DATABASE_URL), with a fake Meta Graph API and a fake Shopify Admin API in this process. Set up through the
// APIs as a merchant would: a client key, a website, a WhatsApp channel whose Graph base URL is the fake, orders on, a
// Shopify store, a price list and the flow (trigger order_created): send_template (Confirm / Cancel) → wait_reply →
// branch on the button payload → shopify_update tag (or cancel) → charge → end. Orders arrive as signed orders/create
// webhooks with RUNS_IN_FLIGHT runs under way at any time (a new order as soon as one run ends: a steady load, not a
// backlog that would make every latency a queueing delay). Each template the fake Graph API accepts is answered by the
// customer's button (one in ten cancels), posted to /webhook/facebook/ signed with the app secret as Meta posts it;
// the fake also posts the sent/delivered/read statuses there, as Meta does.
//
// Options: BENCH_FLOWS_IN_FLIGHT (runs kept under way, 64), BENCH_FLOWS_RATE (orders a second instead: an open load
// at a set rate, where a node falling behind shows as a growing backlog), BENCH_FLOWS_WARMUP (runs made first and left
// out of every figure), BENCH_NODE_ARGUMENTS (more arguments for the node's `node`, space-separated).
// Figures: steps per second from the first measured webhook to the last run's end; per-step latency from when the
// step became due (the previous step's end; the run's start for the first; the reply's arrival, its stored webhook,
// for wait_reply) to its end, read from the run step rows after the run — the customer's time to answer is a
// deliberate wait and is left out; the node's CPU time (user + system, from /proc) over the measured runs, per step.
// Checks: every run done, each order tagged (or cancelled) once in the fake Shopify, one template per order, one
// charge per run. The baseline (flows-baseline.ts) makes the same outbound calls (Graph template send, Shopify
// tagsAdd) from this process to the same fakes, with as many runs in flight, and writes the same rows (order, run, one
// step row per step with its run update, charge) with raw better-sqlite3, one transaction per step, on a file with the
// node's settings.
import http from 'node:http';
import { createTestDatabase, type TestDatabase } from '@causerie/test-support/database';
import type { FakeAnswer, FakeRequest } from '@causerie/test-support/fakes/http';
import { FakeShopify } from '@causerie/test-support/fakes/shopify';
import { type AcceptedMessage, FakeWhatsApp } from '@causerie/test-support/fakes/whatsapp';
import { ADMIN_KEY, startNode } from '@causerie/test-support/processes';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { api } from './client.js';
import { measureBaseline } from './flows-baseline.js';
import {
  APP_SECRET,
  FIRST_ORDER_ID,
  GRAPH_TOKEN,
  orderWebhook,
  PHONE_NUMBER_ID,
  post,
  SHOP,
  STEPS_PER_RUN,
} from './flows-peers.js';
import { untilWarm } from './processes.js';
import type { BenchOptions } from './run.js';
import { median, percentile, round } from './stats.js';

/** Runs under way at any time; `BENCH_FLOWS_IN_FLIGHT` sets another load (the latency at a lighter or heavier one). */
const RUNS_IN_FLIGHT = Number(process.env.BENCH_FLOWS_IN_FLIGHT ?? 64);
/**
 * Orders posted per second when set (`BENCH_FLOWS_RATE`): an open load at a given rate, however far behind the node
 * falls (runs in flight then grow), instead of RUNS_IN_FLIGHT kept under way.
 */
const ORDERS_PER_SECOND = process.env.BENCH_FLOWS_RATE === undefined ? undefined : Number(process.env.BENCH_FLOWS_RATE);
/** Runs made before the measured ones and left out of every figure (`BENCH_FLOWS_WARMUP`; none by default). */
const WARMUP_RUNS = Number(process.env.BENCH_FLOWS_WARMUP ?? 0);
const TARGET_STEPS_PER_SECOND = 1_000;
const TARGET_STEP_P99_MS = 100;

const indexOfPhone = (phone: string) => Number(phone.slice(6));
const cancels = (index: number) => index % 10 === 9;

/** The fake Graph API, which also tells the bench of each template it accepts (the customer then answers). */
class CustomersOnWhatsApp extends FakeWhatsApp {
  onTemplate: ((message: AcceptedMessage) => void) | undefined;

  protected override async handle(request: FakeRequest): Promise<FakeAnswer> {
    const before = this.accepted.length;
    const answer = await super.handle(request);
    const sent = this.accepted[before];
    // After the answer leaves: the customer reads the template, then taps a button.
    if (sent?.type === 'template') setImmediate(() => this.onTemplate?.(sent));
    return answer;
  }
}

/** Rows read back from the node's database, SQLite file or PostgreSQL. */
interface Reader {
  all<T>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

async function readerOf(database: TestDatabase): Promise<Reader> {
  if (database.config.dialect === 'sqlite') {
    const db = new SQLite(database.config.location, { readonly: true, fileMustExist: true });
    return { all: async <T>(sql: string) => db.prepare(sql).all() as T[], close: async () => void db.close() };
  }
  const client = new pg.Client({ connectionString: database.config.location });
  await client.connect();
  return {
    all: async <T>(sql: string) => (await client.query(sql)).rows as T[],
    close: () => client.end(),
  };
}

async function setUp(base: string, graphUrl: string): Promise<{ clientKey: string; webhookUrl: string }> {
  const client = await api<{ id: number }>({ base }, 'POST', '/api/2/client', ADMIN_KEY, {
    name: 'Negozio Bench',
    lang: 'it',
  });
  const { key } = await api<{ key: string }>({ base }, 'POST', `/api/2/client/${client.id}/key`, ADMIN_KEY, {
    name: 'bench',
  });
  const v2 = <T>(method: string, urlPath: string, body?: unknown) =>
    api<T>({ base }, method, `/api/2${urlPath}`, key, body);
  const commerce = <T>(method: string, urlPath: string, body?: unknown) =>
    api<T>({ base }, method, `/api/commerce/v1${urlPath}`, key, body);
  const website = await v2<{ id: number }>('POST', '/website', { label: 'Negozio', url: 'https://negozio.example' });
  const channel = await v2<{ id: number }>('POST', '/channel', {
    type: 'whatsapp',
    website_id: website.id,
    base_url: graphUrl,
    send_rate: 10_000,
    credentials: {
      phone_number_id: PHONE_NUMBER_ID,
      access_token: GRAPH_TOKEN,
      app_secret: APP_SECRET,
      verify_token: 'bench-verify',
    },
  });
  await v2('PUT', '/commerce/settings', { orders_enabled: true });
  const store = await v2<{ id_store: string }>('POST', '/commerce/shopify_store', {
    store_name: SHOP.name,
    access_token: SHOP.accessToken,
    webhook_secret: SHOP.webhookSecret,
  });
  await commerce('PUT', '/prices', { prices: [{ kind: 'cod', unit_price: 0.1, currency: 'EUR' }] });
  await commerce('POST', '/flows', {
    code: 'cod-orders',
    name: 'Conferma contrassegno',
    trigger: { type: 'order_created' },
    definition: {
      channel_id: channel.id,
      steps: [
        { id: 'ask', type: 'send_template', name: 'cod_confirm', language: 'it', parameters: ['{{order.name}}'] },
        { id: 'wait', type: 'wait_reply', timeout_seconds: 86_400 },
        {
          id: 'route',
          type: 'branch',
          conditions: [{ variable: 'reply_payload', operator: 'eq', value: 'CONFIRM', next: 'tag' }],
          else: 'cancel',
        },
        { id: 'tag', type: 'shopify_update', action: 'tag', tags: ['cod-confirmed'], next: 'bill' },
        { id: 'cancel', type: 'shopify_update', action: 'cancel', reason: 'customer' },
        { id: 'bill', type: 'charge', kind: 'cod' },
        { id: 'done', type: 'end' },
      ],
    },
  });
  return {
    clientKey: key,
    webhookUrl: `${base}/api/commerce/webhook/shopify/?api_key=${encodeURIComponent(key)}&action=creation&id_store=${encodeURIComponent(store.id_store)}`,
  };
}

interface StepRow {
  run_id: number;
  ordinal: number;
  type: string;
  started_at: string;
  ended_at: string | null;
}

/** Latencies in ms by step type, each from when the step became due to its end. */
async function stepLatencies(
  reader: Reader,
  warmup: number,
): Promise<{ all: number[]; byType: Map<string, number[]>; steps: number }> {
  const runs = (
    await reader.all<{ id: number; user_key: string; started_at: string }>(
      'select id, user_key, started_at from flow_run',
    )
  ).filter((run) => indexOfPhone(run.user_key) >= warmup);
  const steps = await reader.all<StepRow>(
    'select run_id, ordinal, type, started_at, ended_at from flow_run_step order by run_id, ordinal',
  );
  // The reply's arrival: when /webhook/facebook/ stored the payload of the customer's message.
  const replies = new Map<string, number>();
  for (const row of await reader.all<{ body: string; received_at: string }>(
    'select body, received_at from channel_inbound',
  )) {
    const payload = JSON.parse(row.body) as {
      entry?: Array<{ changes?: Array<{ value?: { messages?: Array<{ from?: string }> } }> }>;
    };
    const from = payload.entry?.[0]?.changes?.[0]?.value?.messages?.[0]?.from;
    if (from !== undefined) replies.set(`+${from}`, Date.parse(row.received_at));
  }
  const runsById = new Map(runs.map((run) => [run.id, run]));
  const all: number[] = [];
  const byType = new Map<string, number[]>();
  let previousEnd = 0;
  let previousRun = -1;
  for (const step of steps) {
    if (step.ended_at === null) throw new Error(`step ${step.ordinal} of run ${step.run_id} has not ended`);
    const run = runsById.get(step.run_id);
    // A warm-up run's step.
    if (run === undefined) continue;
    const started = Date.parse(step.started_at);
    const ended = Date.parse(step.ended_at);
    let due = step.run_id === previousRun ? previousEnd : Date.parse(run.started_at);
    if (step.type === 'wait_reply') {
      const reply = replies.get(run.user_key);
      if (reply === undefined) throw new Error(`no reply stored for ${run.user_key}`);
      // A reply stored before the wait began is due when the wait begins.
      due = Math.max(reply, started);
    }
    const latency = ended - due;
    all.push(latency);
    byType.set(step.type, [...(byType.get(step.type) ?? []), latency]);
    previousRun = step.run_id;
    previousEnd = ended;
  }
  return { all, byType, steps: all.length };
}

/** The Shopify order each order id names, changed exactly once as its customer answered. */
function checkShopify(shopify: FakeShopify, runs: number): void {
  const callsPerOrder = new Map<string, number>();
  for (const call of shopify.calls) {
    const id = String(call.variables.id ?? call.variables.orderId);
    callsPerOrder.set(id, (callsPerOrder.get(id) ?? 0) + 1);
    if (call.userErrors.length > 0)
      throw new Error(`Shopify refused ${call.mutation}: ${JSON.stringify(call.userErrors)}`);
  }
  for (let index = 0; index < runs; index += 1) {
    const id = FIRST_ORDER_ID + index;
    const order = shopify.order(SHOP.name, id);
    const calls = callsPerOrder.get(`gid://shopify/Order/${id}`) ?? 0;
    const expected = cancels(index)
      ? order?.cancelled === true && order.tags.length === 0
      : order?.cancelled === false && order.tags.join() === 'cod-confirmed';
    if (!expected || calls !== 1)
      throw new Error(
        `order ${id}: ${calls} Admin calls, now ${JSON.stringify(order)} (cancel expected: ${cancels(index)})`,
      );
  }
}

interface CauserieFigures {
  seconds: number;
  steps: number;
  latencies: Awaited<ReturnType<typeof stepLatencies>>;
  runStartMs: number[];
  statuses: number;
  /** CPU the node used over the measured runs (user + system, its workers included), in seconds. */
  nodeCpuSeconds: number;
}

async function measureCauserie(runs: number, postgres: boolean): Promise<CauserieFigures> {
  const shopify = await new FakeShopify([SHOP]).start();
  const whatsapp = await new CustomersOnWhatsApp({
    phoneNumberId: PHONE_NUMBER_ID,
    accessToken: GRAPH_TOKEN,
    appSecret: APP_SECRET,
    ratePerSecond: 1_000_000,
  }).start();
  const database = await createTestDatabase(postgres ? {} : { dialect: 'sqlite' });
  // BENCH_CPU_PROFILE_DIR: the node writes a V8 CPU profile there when it stops (as in the rest benchmark).
  const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
  // BENCH_NODE_ARGUMENTS: more arguments for the node's `node` (a preload that counts statements, a heap setting).
  const extraArguments = (process.env.BENCH_NODE_ARGUMENTS ?? '').split(' ').filter((part) => part !== '');
  const node = await startNode({
    database,
    nodeArguments: [
      ...extraArguments,
      ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]),
    ],
    env: {
      CAUSERIE_OUTBOUND_ALLOWLIST: '127.0.0.1/32',
      CAUSERIE_SHOPIFY_ADMIN_URL: shopify.url,
      CAUSERIE_META_APP_SECRET: APP_SECRET,
      CAUSERIE_META_VERIFY_TOKEN: 'bench-verify',
    },
  });
  let reader: Reader | undefined;
  try {
    const { webhookUrl } = await setUp(node.base, whatsapp.url);
    // A running node, not one still compiling its routes' schemas in the background after its start.
    await untilWarm(node.base);
    whatsapp.webhookUrl = `${node.base}/webhook/facebook/`;
    const replyErrors: string[] = [];
    whatsapp.onTemplate = (message) => {
      const index = Number(message.to.slice(5));
      const button = cancels(index) ? { payload: 'CANCEL', text: 'Annulla' } : { payload: 'CONFIRM', text: 'Conferma' };
      void whatsapp.customerSends(`+${message.to}`, { type: 'button', button }).then(
        (sent) => {
          if (sent.status !== 200) replyErrors.push(`reply of ${message.to} answered ${sent.status}`);
        },
        (error: unknown) => replyErrors.push(String(error)),
      );
    };
    const total = WARMUP_RUNS + runs;
    const webhooks = Array.from({ length: total }, (_, index) => orderWebhook(shopify, index));
    reader = await readerOf(database);
    // Asked every 5 ms: counting the ended runs walked all of them (~2 ms at 12,000 runs, a good part of the core this
    // process's fakes answer on). Runs made minus runs under way reads two index entries' worth; SQLite's ids have no
    // gaps, PostgreSQL's may (a rolled-back insert), so there the runs are counted.
    const madeSql = postgres ? 'select count(*) as n from flow_run' : 'select max(id) as n from flow_run';
    const ended = async () => {
      const [made] = await (reader as Reader).all<{ n: number | string | null }>(madeSql);
      const [live] = await (reader as Reader).all<{ n: number | string }>(
        "select count(*) as n from flow_run where state in ('running', 'waiting')",
      );
      return Number(made?.n ?? 0) - Number(live?.n ?? 0);
    };

    const agent = new http.Agent({ keepAlive: true, maxSockets: RUNS_IN_FLIGHT });
    const url = new URL(webhookUrl);
    const deadline = Date.now() + Math.max(120_000, total * 30);
    /** Posts orders `from` to `to` (closed: RUNS_IN_FLIGHT under way; open: `rate` a second) until their runs ended. */
    const drive = async (from: number, to: number, rate: number | undefined, phase: string) => {
      let posted = from;
      let finished = from;
      const started = performance.now();
      let reported = started;
      while (finished < to) {
        const owed =
          rate === undefined
            ? finished + RUNS_IN_FLIGHT
            : from + Math.floor(((performance.now() - started) / 1000) * rate) + 1;
        while (posted < to && posted < owed) {
          const webhook = webhooks[posted];
          posted += 1;
          if (webhook === undefined) break;
          void post(agent, url, webhook.body, webhook.headers).then(
            (status) => {
              if (status !== 200) replyErrors.push(`order webhook answered ${status}`);
            },
            (error: unknown) => replyErrors.push(String(error)),
          );
        }
        if (replyErrors.length > 0) throw new Error(replyErrors.slice(0, 5).join('; '));
        if (Date.now() > deadline) {
          const stuck = await (reader as Reader).all<Record<string, unknown>>(
            "select id, user_key, state, step_index, waiting_for, due_at, lease_until, error from flow_run where state not in ('done', 'failed', 'cancelled') limit 5",
          );
          throw new Error(`only ${finished}/${total} runs ended in time; some left: ${JSON.stringify(stuck)}`);
        }
        if (performance.now() - reported > 5_000) {
          reported = performance.now();
          console.log(
            `${phase} ${round((reported - started) / 1000)} s: ${finished - from}/${to - from} runs ended, ${posted - from} orders posted`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
        finished = await ended();
      }
      return (performance.now() - started) / 1000;
    };
    // Warm-up runs first, not measured: a node just started runs at about half speed for its first ~10 s.
    if (WARMUP_RUNS > 0) await drive(0, WARMUP_RUNS, undefined, 'warm-up');
    const cpuBefore = node.cpuSeconds();
    const seconds = await drive(WARMUP_RUNS, total, ORDERS_PER_SECOND, 'measured');
    const nodeCpuSeconds = node.cpuSeconds() - cpuBefore;
    agent.destroy();
    await whatsapp.settle();

    const states = await reader.all<{ state: string; n: number | string }>(
      'select state, count(*) as n from flow_run group by state',
    );
    const done = Number(states.find((row) => row.state === 'done')?.n ?? 0);
    if (done !== total) throw new Error(`runs by state: ${JSON.stringify(states)} (expected ${total} done)`);
    const charges = await reader.all<{ run_id: number }>('select run_id from commerce_charge');
    if (charges.length !== total || new Set(charges.map((charge) => charge.run_id)).size !== total)
      throw new Error(`${charges.length} charges over ${new Set(charges.map((c) => c.run_id)).size} runs`);
    const templates = whatsapp.accepted.filter((message) => message.type === 'template');
    if (templates.length !== total || new Set(templates.map((message) => message.to)).size !== total)
      throw new Error(`${templates.length} templates sent for ${total} orders`);
    checkShopify(shopify, total);

    const latencies = await stepLatencies(reader, WARMUP_RUNS);
    if (latencies.steps !== runs * STEPS_PER_RUN)
      throw new Error(`${latencies.steps} step rows, expected ${runs * STEPS_PER_RUN}`);
    // From the order's commit (the webhook's answer) to its run's creation by the flows' event feed.
    const orders = await reader.all<{ id: number; created_at: string }>('select id, created_at from commerce_order');
    const orderCreated = new Map(orders.map((order) => [order.id, Date.parse(order.created_at)]));
    const runStarts = await reader.all<{ order_id: number; user_key: string; started_at: string }>(
      'select order_id, user_key, started_at from flow_run',
    );
    const runStartMs = runStarts
      .filter((run) => indexOfPhone(run.user_key) >= WARMUP_RUNS)
      .map((run) => Date.parse(run.started_at) - (orderCreated.get(run.order_id) ?? Number.NaN));
    const statuses = whatsapp.accepted.length;
    return { seconds, steps: latencies.steps, latencies, runStartMs, statuses, nodeCpuSeconds };
  } catch (error) {
    console.error(node.output().slice(-3_000));
    throw error;
  } finally {
    await reader?.close();
    // A profiled node stops gracefully, which is when V8 writes the profile.
    await node.stop(profileDir === undefined ? 'SIGKILL' : 'SIGTERM');
    await database.drop();
    await whatsapp.stop();
    await shopify.stop();
  }
}

/** Runs the benchmark. */
export async function flows(options: BenchOptions): Promise<Record<string, unknown>> {
  if (options.postgres && !process.env.TEST_DATABASE_URL?.startsWith('postgres'))
    throw new Error('--postgres needs TEST_DATABASE_URL=postgres://… naming a PostgreSQL server.');
  const runs = options.quick ? 1_000 : 10_000;
  const causerie = await measureCauserie(runs, options.postgres);
  const baseline = await measureBaseline(runs, RUNS_IN_FLIGHT);
  const stepsPerSecond = causerie.steps / causerie.seconds;
  const p50 = percentile(causerie.latencies.all, 0.5);
  const p99 = percentile(causerie.latencies.all, 0.99);
  const byType = Object.fromEntries(
    [...causerie.latencies.byType].map(([type, samples]) => [
      type,
      { p50_ms: round(percentile(samples, 0.5)), p99_ms: round(percentile(samples, 0.99)) },
    ]),
  );
  console.log(
    `causerie: ${runs} runs, ${causerie.steps} steps in ${round(causerie.seconds)} s = ${round(stepsPerSecond, 0)} steps/s; step latency p50 ${round(p50)} ms, p99 ${round(p99)} ms`,
  );
  for (const [type, figures] of Object.entries(byType))
    console.log(`  ${type}: p50 ${figures.p50_ms} ms, p99 ${figures.p99_ms} ms`);
  console.log(
    `  order committed → run started: p50 ${round(median(causerie.runStartMs))} ms, p99 ${round(percentile(causerie.runStartMs, 0.99))} ms`,
  );
  // The node's CPU for a step: a figure that moves less than latency with the machine's load (the others' work on it).
  const cpuMsPerStep = (causerie.nodeCpuSeconds * 1000) / causerie.steps;
  console.log(
    `  node CPU: ${round(causerie.nodeCpuSeconds, 1)} s over the measured runs = ${round(cpuMsPerStep, 3)} ms a step (${round(causerie.nodeCpuSeconds / causerie.seconds, 2)} cores)`,
  );
  console.log(`baseline (same calls and rows, directly): ${round(baseline, 0)} steps/s`);
  return {
    database: options.postgres ? 'postgres' : 'sqlite',
    runs,
    warmup_runs: WARMUP_RUNS,
    runs_in_flight: ORDERS_PER_SECOND === undefined ? RUNS_IN_FLIGHT : null,
    orders_per_second: ORDERS_PER_SECOND ?? null,
    steps: causerie.steps,
    causerie_seconds: round(causerie.seconds, 2),
    steps_per_second: round(stepsPerSecond, 0),
    step_p50_ms: round(p50),
    step_p99_ms: round(p99),
    step_latency_by_type: byType,
    node_cpu_ms_per_step: round(cpuMsPerStep, 3),
    run_start_p50_ms: round(median(causerie.runStartMs)),
    run_start_p99_ms: round(percentile(causerie.runStartMs, 0.99)),
    graph_messages_accepted: causerie.statuses,
    baseline_steps_per_second: round(baseline, 0),
    ratio: round(stepsPerSecond / baseline, 3),
    target: { steps_per_second: TARGET_STEPS_PER_SECOND, step_p99_ms: TARGET_STEP_P99_MS },
    meets_target: stepsPerSecond >= TARGET_STEPS_PER_SECOND && p99 <= TARGET_STEP_P99_MS,
  };
}
