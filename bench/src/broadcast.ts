// broadcast: a CSV campaign end to end (issue 20) beside the provider driven directly.
//
// Causerie: one node (`start`) on SQLite (WAL, synchronous=FULL), a fake Twilio-compatible SMS API in this process
// (its rate limit far above the load) that posts each message's sent and delivered statuses back to the channel's
// webhook as Twilio does, and a callback receiver counting MESSENGER_REPORTs. Set up through the APIs as an account
// would (client, website, SMS channel on the fake, callback, chat environment). A broadcast is created, its CSV
// (a phone column and a variable; generated as a stream, never one string) uploaded as the PUT body, and the run lasts
// until every recipient is `delivered` and every report (sent and delivered per recipient) has reached the callback.
// While it runs, another account submits single messages at SUBMIT_RATE per second for SUBMIT_SECONDS: their answer
// time (the submit's latency) and the time until each is `sent` (fairness: a big broadcast must not starve them).
// The node's resident memory is sampled every 250 ms.
//
// Baseline: the same number of messages posted straight to the same fake from this process, 64 at a time over
// keep-alive, with nothing stored: what the provider alone allows on this machine.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createTestDatabase } from '@causerie/test-support/database';
import { FakeTwilio, type TwilioParams, twilioForm, twilioSignature } from '@causerie/test-support/fakes/twilio';
import { startNode } from '@causerie/test-support/processes';
import { api, postOver } from './client.js';
import { ADMIN_KEY, untilWarm } from './processes.js';
import type { BenchOptions } from './run.js';
import { percentile, round } from './stats.js';

const TARGET_RECIPIENTS_PER_SECOND = 2_000;
const TARGET_RSS_BYTES = 300 * 1024 * 1024;
const TARGET_SUBMIT_P99_MS = 50;
const SUBMIT_RATE = 500;
/**
 * BENCH_NODE_HEAP_MB: run the node with that V8 old-space budget (`--max-old-space-size`, as a deployment with a
 * memory limit sets through NODE_OPTIONS); unset or 0, V8's own sizing, which on a machine with much memory lets
 * garbage pile up to hundreds of MB before collecting it.
 */
const heapBudgetMb = Number(process.env.BENCH_NODE_HEAP_MB ?? 0);
/**
 * BENCH_NODE_MALLOC_ARENAS: run the node with glibc's `MALLOC_ARENA_MAX` at that number. glibc gives each thread that
 * allocates (libuv's pool, V8's compiler and collector threads) an arena of its own, up to 8 per core, and memory freed
 * in one is not returned to the others; 2 keeps the resident size close to what the process holds. Read by glibc when
 * the process starts, so it must be in the node's environment, not set from inside it.
 */
const mallocArenas = Number(process.env.BENCH_NODE_MALLOC_ARENAS ?? 0);
/** BENCH_NODE_SEMI_SPACE_MB: the young generation's semi-space (`--max-semi-space-size`); unset or 0, V8's (16 MB). */
const semiSpaceMb = Number(process.env.BENCH_NODE_SEMI_SPACE_MB ?? 0);
const BASELINE_CONCURRENCY = 64;

/** Valid French mobiles (06 6…, 07 7…): one per recipient of the broadcast, one per single submit. */
const phoneOf = (index: number) => `+3366${String(index).padStart(7, '0')}`;
const submitPhoneOf = (index: number) => `+3377${String(index).padStart(7, '0')}`;

/**
 * A callback receiver that counts MESSENGER_REPORTs by message id and state (a repeat of one is counted apart), and
 * notes when each message's `sent` report came.
 */
async function startCounter(): Promise<{
  url: string;
  /** Distinct (message, state) reports received. */
  distinct: () => number;
  duplicates: () => number;
  sentAt: Map<number, number>;
  close(): Promise<void>;
}> {
  const seen = new Set<string>();
  let duplicates = 0;
  const sentAt = new Map<number, number>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; id: number; state: string };
        if (body.type === 'MESSENGER_REPORT') {
          const key = `${body.id}:${body.state}`;
          if (seen.has(key)) duplicates += 1;
          seen.add(key);
          if (body.state === 'sent') sentAt.set(body.id, performance.now());
        }
      } catch {
        // Not a report: counted nowhere.
      }
      response.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/reports`,
    distinct: () => seen.size,
    duplicates: () => duplicates,
    sentAt,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An account set up to send: its key and chat environment on an SMS channel of the fake. */
async function sender(base: string, fake: FakeTwilio, callbackUrl: string, name: string) {
  const client = await api<{ id: number }>({ base }, 'POST', '/api/2/client', ADMIN_KEY, { name, lang: 'fr' });
  const { key } = await api<{ key: string }>({ base }, 'POST', `/api/2/client/${client.id}/key`, ADMIN_KEY, {
    name: 'bench',
  });
  const website = await api<{ id: number }>({ base }, 'POST', '/api/2/website', key, {
    label: name,
    url: 'https://shop.example',
  });
  const channel = await api<{ id: number; webhook_url: string }>({ base }, 'POST', '/api/2/channel', key, {
    type: 'sms',
    website_id: website.id,
    base_url: fake.url,
    // The API's maximum: the provider's own limit, not the channel's bucket, is what the bench may meet.
    send_rate: 10_000,
    credentials: {
      account_sid: fake.options.accountSid,
      auth_token: fake.options.authToken,
      from: fake.options.numbers[0],
    },
  });
  fake.webhookUrl = channel.webhook_url;
  await api({ base }, 'POST', '/api/messaging/system/callback', key, { url: callbackUrl });
  const agent = await api<{ id: number }>({ base }, 'POST', '/api/messaging/chatbot/agent', key, {
    name,
    description: 'Bench',
    logo_url: 'https://cdn.example.fr/logo.png',
    banner_url: 'https://cdn.example.fr/banner.png',
    brand_color: '#0b78d0',
    privacy_url: 'https://example.fr/privacy',
    terms_url: 'https://example.fr/terms',
    channels: ['sms'],
    sms_channel_id: channel.id,
  });
  // A new environment is reviewed first: sends wait until it is active.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const read = await api<{ state: string }>({ base }, 'GET', `/api/messaging/chatbot/agent/${agent.id}`, key);
    if (read.state === 'active') break;
    if (Date.now() > deadline) throw new Error(`environment ${agent.id} still ${read.state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { key, agentId: agent.id };
}

/** The CSV of `rows` recipients, produced as it is read. */
function csvStream(rows: number): Readable {
  let index = -1;
  return new Readable({
    read() {
      if (index === -1) {
        this.push('phone;firstname\n');
        index = 0;
        return;
      }
      if (index >= rows) {
        this.push(null);
        return;
      }
      const lines: string[] = [];
      for (let end = Math.min(rows, index + 1000); index < end; index++)
        lines.push(`${phoneOf(index)};Client ${index}`);
      this.push(`${lines.join('\n')}\n`);
    },
  });
}

/**
 * The fake Twilio posting its status callbacks over a pool of keep-alive connections, retried when a connection fails,
 * as a provider's delivery fleet does. The plain fake opens one connection per callback: 10,000 sends at once are
 * 20,000 connections to the node, many of which fail (`fetch failed`) and their statuses are lost for good — the
 * first runs stalled with thousands of recipients `sent` forever.
 */
class PooledTwilio extends FakeTwilio {
  private readonly pool = new http.Agent({ keepAlive: true, maxSockets: 64 });

  override async postSigned(
    url: string,
    params: TwilioParams,
    signature = twilioSignature(this.options.authToken, url, params),
  ): Promise<number> {
    const body = twilioForm(params);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await postOver(this.pool, new URL(url), body, {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signature,
        });
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  override async stop(): Promise<void> {
    await super.stop();
    this.pool.destroy();
  }
}

/** One JSON POST over a keep-alive agent; the status and the answer. */
function postJson(agent: http.Agent, url: URL, key: string, json: unknown): Promise<{ status: number; text: string }> {
  const body = JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: { 'x-api-key': key, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** PUTs the stream as a text/csv body; the status and the answer. */
function upload(base: string, path: string, key: string, body: Readable): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'PUT',
        headers: { 'x-api-key': key, 'content-type': 'text/csv' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    request.on('error', reject);
    body.pipe(request);
  });
}

async function measureCauserie(rows: number, submitSeconds: number) {
  const fake = await new PooledTwilio({
    accountSid: `AC${'ab'.repeat(16)}`,
    authToken: 'bench-twilio-auth-token-000001',
    numbers: ['+33757000999'],
    ratePerSecond: 1_000_000,
  }).start();
  const other = await new PooledTwilio({
    accountSid: `AC${'cd'.repeat(16)}`,
    authToken: 'bench-twilio-auth-token-000002',
    numbers: ['+33757000998'],
    ratePerSecond: 1_000_000,
  }).start();
  const counter = await startCounter();
  const database = await createTestDatabase({ dialect: 'sqlite' });
  // BENCH_CPU_PROFILE_DIR: the node writes a V8 CPU profile there when it stops (as in the flows benchmark).
  const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
  const nodeArguments = [
    ...(profileDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ...(heapBudgetMb > 0 ? [`--max-old-space-size=${heapBudgetMb}`] : []),
    ...(semiSpaceMb > 0 ? [`--max-semi-space-size=${semiSpaceMb}`] : []),
    // BENCH_NODE_ARGUMENTS: more arguments for the node's `node` (a preload that counts statements), as in flows.
    ...(process.env.BENCH_NODE_ARGUMENTS ?? '').split(' ').filter((part) => part !== ''),
  ];
  const node = await startNode({
    database,
    nodeArguments,
    env: {
      CAUSERIE_OUTBOUND_ALLOWLIST: '127.0.0.0/8',
      LOG_LEVEL: 'error',
      ...(mallocArenas > 0 ? { MALLOC_ARENA_MAX: String(mallocArenas) } : {}),
    },
  });
  let maxRss = 0;
  const sampler = setInterval(() => {
    maxRss = Math.max(maxRss, node.rss());
  }, 250);
  try {
    const big = await sender(node.base, fake, counter.url, 'Campagne SARL');
    const small = await sender(node.base, other, counter.url, 'Boutique SARL');
    // A running node, not one still compiling its routes' schemas in the background after its start.
    await untilWarm(node.base);
    const broadcast = await api<{ id: number }>(
      { base: node.base },
      'POST',
      '/api/messaging/messenger/broadcast',
      big.key,
      {
        agent_id: big.agentId,
        name: 'Bench',
        channel: 'sms',
        content: { text: 'Bonjour {{firstname}}, -30 % ce week-end.' },
      },
    );
    const started = performance.now();
    const uploaded = await upload(
      node.base,
      `/api/messaging/messenger/broadcast/${broadcast.id}/recipients`,
      big.key,
      csvStream(rows),
    );
    if (uploaded.status !== 200) throw new Error(`upload: ${uploaded.status} ${uploaded.text}`);
    const importSeconds = (performance.now() - started) / 1000;
    console.log(`imported ${rows} recipients in ${round(importSeconds, 2)} s: ${uploaded.text.slice(0, 300)}`);

    // Meanwhile, another account's single submits at a steady rate.
    const submitLatencies: number[] = [];
    const submitted = new Map<number, number>();
    let submitFailure: unknown;
    // A client's connection pool, as an integration would keep one.
    const submitAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const submitUrl = new URL('/api/messaging/messenger/submit', node.base);
    const submitting = (async () => {
      const interval = 1000 / SUBMIT_RATE;
      const total = SUBMIT_RATE * submitSeconds;
      const pending: Array<Promise<void>> = [];
      const t0 = performance.now();
      for (let n = 0; n < total; n++) {
        const due = t0 + n * interval;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        pending.push(
          (async () => {
            // From when the submit was due: a late start (the bench's own loop behind) counts as latency.
            const at = due;
            const answer = await postJson(submitAgent, submitUrl, small.key, {
              agent_id: small.agentId,
              to: submitPhoneOf(n),
              channel: 'sms',
              content: { text: 'Votre code : 4242' },
            });
            if (answer.status !== 202) throw new Error(`submit answered ${answer.status}: ${answer.text}`);
            submitLatencies.push(performance.now() - at);
            submitted.set((JSON.parse(answer.text) as { data: { id: number } }).data.id, at);
          })(),
        );
      }
      await Promise.all(pending);
    })().catch((error: unknown) => {
      submitFailure = error;
    });

    const deadline = Date.now() + (rows <= 10_000 ? 5 : 30) * 60_000;
    let deliveredAt = 0;
    let nextLog = 0;
    for (;;) {
      // A node too busy to answer in time is polled again (its slowness shows in the figures, not as a crash).
      const read = await api<{ state: string; progress: Record<string, number> }>(
        { base: node.base },
        'GET',
        `/api/messaging/messenger/broadcast/${broadcast.id}`,
        big.key,
      ).catch((error: unknown) => {
        console.log(`  progress not read: ${String(error)}`);
        return undefined;
      });
      if (read === undefined) continue;
      if (submitFailure !== undefined) throw submitFailure;
      const settled = ['delivered', 'read', 'failed', 'invalid', 'opted_out', 'expired', 'cancelled'];
      if (settled.reduce((sum, state) => sum + (read.progress[state] ?? 0), 0) >= rows) {
        deliveredAt = performance.now();
        if ((read.progress.delivered ?? 0) !== rows)
          throw new Error(`not every recipient was delivered: ${JSON.stringify(read.progress)}`);
        break;
      }
      if (Date.now() > deadline) throw new Error(`broadcast not done: ${JSON.stringify(read)}`);
      if (Date.now() >= nextLog) {
        nextLog = Date.now() + 5_000;
        console.log(
          `  ${round((performance.now() - started) / 1000)} s: ${JSON.stringify(read.progress)}, ${counter.distinct()} reports`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await submitting;
    submitAgent.destroy();
    if (submitFailure !== undefined) throw submitFailure;
    const expectedReports = rows * 2 + submitted.size * 3;
    // Reports still missing at the deadline are counted, not thrown: the other figures stay worth reading.
    while (counter.distinct() < expectedReports && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const missingReports = expectedReports - counter.distinct();
    const reportedAt = performance.now();
    const submitToSent = [...submitted].flatMap(([id, at]) => {
      const sent = counter.sentAt.get(id);
      return sent === undefined ? [] : [sent - at];
    });
    return {
      importSeconds,
      deliveredSeconds: (deliveredAt - started) / 1000,
      endToEndSeconds: (reportedAt - started) / 1000,
      maxRss,
      submitLatencies,
      submitToSent,
      accepted: fake.accepted.length,
      duplicateReports: counter.duplicates(),
      missingReports,
    };
  } finally {
    clearInterval(sampler);
    // A profiled node stops gracefully, which is when V8 writes the profile.
    await node.stop(profileDir === undefined ? 'SIGKILL' : 'SIGTERM');
    await database.drop();
    await counter.close();
    await fake.stop().catch(() => undefined);
    await other.stop().catch(() => undefined);
  }
}

/** The same messages posted straight to a fake, BASELINE_CONCURRENCY at a time over keep-alive. */
async function measureBaseline(rows: number): Promise<number> {
  const fake = await new FakeTwilio({
    accountSid: `AC${'ef'.repeat(16)}`,
    authToken: 'bench-twilio-auth-token-000003',
    numbers: ['+33757000997'],
    ratePerSecond: 1_000_000,
  }).start();
  const agent = new http.Agent({ keepAlive: true, maxSockets: BASELINE_CONCURRENCY });
  const url = new URL(`${fake.url}/2010-04-01/Accounts/${fake.options.accountSid}/Messages.json`);
  const authorization = `Basic ${Buffer.from(`${fake.options.accountSid}:${fake.options.authToken}`).toString('base64')}`;
  let next = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: BASELINE_CONCURRENCY }, async () => {
        while (next < rows) {
          const index = next;
          next += 1;
          const body = new URLSearchParams({
            To: phoneOf(index),
            From: '+33757000997',
            Body: `Bonjour Client ${index}, -30 % ce week-end.`,
          }).toString();
          await new Promise<void>((resolve, reject) => {
            const request = http.request(
              {
                host: url.hostname,
                port: url.port,
                path: url.pathname,
                method: 'POST',
                agent,
                headers: {
                  authorization,
                  'content-type': 'application/x-www-form-urlencoded',
                  'content-length': Buffer.byteLength(body),
                },
              },
              (response) => {
                response.resume();
                response.on('end', () =>
                  response.statusCode === 201 ? resolve() : reject(new Error(`fake answered ${response.statusCode}`)),
                );
              },
            );
            request.on('error', reject);
            request.end(body);
          });
        }
      }),
    );
    return rows / ((performance.now() - started) / 1000);
  } finally {
    agent.destroy();
    await fake.stop();
  }
}

export async function broadcast(options: BenchOptions): Promise<Record<string, unknown>> {
  // BENCH_BROADCAST_ROWS: another size of campaign (a tiny one shows what the submits cost on their own).
  const rows = Number(process.env.BENCH_BROADCAST_ROWS ?? (options.quick ? 10_000 : 100_000));
  // BENCH_BROADCAST_SUBMIT_SECONDS=0: the broadcast alone (to tell its own cost from the submits').
  const submitSeconds = Number(process.env.BENCH_BROADCAST_SUBMIT_SECONDS ?? (options.quick ? 5 : 10));
  const causerie = await measureCauserie(rows, submitSeconds);
  const baseline = await measureBaseline(rows);
  const perSecond = rows / causerie.endToEndSeconds;
  const submitP99 = percentile(causerie.submitLatencies, 0.99);
  console.log(
    `causerie: ${rows} recipients, imported in ${round(causerie.importSeconds)} s, delivered in ${round(causerie.deliveredSeconds)} s, every report in ${round(causerie.endToEndSeconds)} s = ${round(perSecond, 0)} recipients/s; max RSS ${round(causerie.maxRss / 1024 / 1024)} MB`,
  );
  console.log(
    `  submits at ${SUBMIT_RATE}/s meanwhile: answer p50 ${round(percentile(causerie.submitLatencies, 0.5))} ms, p99 ${round(submitP99)} ms; submit → sent p50 ${round(percentile(causerie.submitToSent, 0.5))} ms, p99 ${round(percentile(causerie.submitToSent, 0.99))} ms`,
  );
  if (causerie.missingReports > 0)
    console.log(`  ${causerie.missingReports} reports still missing at the deadline (the figures end there)`);
  console.log(
    `  node heap: ${heapBudgetMb > 0 ? `--max-old-space-size=${heapBudgetMb}` : "V8's default sizing (BENCH_NODE_HEAP_MB unset)"}; semi-space: ${semiSpaceMb > 0 ? `${semiSpaceMb} MB` : "V8's default"}; malloc arenas: ${mallocArenas > 0 ? mallocArenas : "glibc's default (BENCH_NODE_MALLOC_ARENAS unset)"}`,
  );
  console.log(`baseline (the fake driven directly): ${round(baseline, 0)} messages/s`);
  return {
    database: 'sqlite',
    node_max_old_space_mb: heapBudgetMb > 0 ? heapBudgetMb : null,
    node_malloc_arena_max: mallocArenas > 0 ? mallocArenas : null,
    node_max_semi_space_mb: semiSpaceMb > 0 ? semiSpaceMb : null,
    recipients: rows,
    import_seconds: round(causerie.importSeconds, 2),
    delivered_seconds: round(causerie.deliveredSeconds, 2),
    end_to_end_seconds: round(causerie.endToEndSeconds, 2),
    recipients_per_second: round(perSecond, 0),
    max_rss_mb: round(causerie.maxRss / 1024 / 1024),
    submits: causerie.submitLatencies.length,
    submit_p50_ms: round(percentile(causerie.submitLatencies, 0.5)),
    submit_p99_ms: round(submitP99),
    submit_to_sent_p50_ms: round(percentile(causerie.submitToSent, 0.5)),
    submit_to_sent_p99_ms: round(percentile(causerie.submitToSent, 0.99)),
    provider_messages: causerie.accepted,
    duplicate_reports: causerie.duplicateReports,
    missing_reports: causerie.missingReports,
    baseline_messages_per_second: round(baseline, 0),
    ratio: round(perSecond / baseline, 3),
    target: {
      recipients_per_second: TARGET_RECIPIENTS_PER_SECOND,
      max_rss_mb: TARGET_RSS_BYTES / 1024 / 1024,
      submit_p99_ms: TARGET_SUBMIT_P99_MS,
    },
    meets_target:
      causerie.missingReports === 0 &&
      perSecond >= TARGET_RECIPIENTS_PER_SECOND &&
      causerie.maxRss < TARGET_RSS_BYTES &&
      submitP99 <= TARGET_SUBMIT_P99_MS,
  };
}
