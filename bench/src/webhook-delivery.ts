// webhook-delivery: signed webhook deliveries per second from a node to a local receiver, beside a plain POST loop to it.
//
// Causerie: a node on SQLite (WAL, synchronous=FULL) with SUBSCRIPTIONS subscriptions of one client, all pointing at
// one node:http receiver in this process. First, messages are posted through the REST API in CONVERSATIONS
// conversations (not measured: that is the REST write rate, not delivery). Then each round asks every subscription
// to replay that period (`POST /webhook/{id}/replay`): the backlog is fanned out from the event log, signed, sent in
// order per conversation, and logged; the figure is deliveries received per second, from the first replay request
// to the last receipt (the receiver answers 204 at once). Latency: with one subscription and the node otherwise
// idle, one message at a time, from sending the POST that commits it to the webhook's arrival. The baseline is a
// plain loop of unsigned POSTs with the same body and as many requests in flight, from this process to the same
// receiver.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_KEY, type Server, startCauserie } from './processes.js';
import type { BenchOptions } from './run.js';
import { median, percentile, round } from './stats.js';

const SUBSCRIPTIONS = 10;
const CONVERSATIONS = 100;
const POSTERS = 32;
const IN_FLIGHT = 160;
const TARGET_DELIVERIES_PER_SECOND = 3_000;
const TARGET_P99_MS = 100;

interface Receiver {
  url: string;
  count: number;
  first: { headers: http.IncomingHttpHeaders; body: string } | undefined;
  /** Called with the arrival time of every request. */
  onRequest: ((at: number, body: string) => void) | undefined;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    count: 0,
    first: undefined,
    onRequest: undefined,
    close: async () => undefined,
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      receiver.count += 1;
      receiver.first ??= { headers: request.headers, body };
      receiver.onRequest?.(performance.now(), body);
      response.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

async function api<T>(server: Server, method: string, path: string, body?: unknown): Promise<T> {
  const answer = await fetch(`${server.base}/api/2${path}`, {
    method,
    headers: { 'x-api-key': ADMIN_KEY, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json = (await answer.json()) as { data: T };
  if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(json)}`);
  return json.data;
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for deliveries');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Posts `messages` messages over the conversations, POSTERS at a time. */
async function postMessages(server: Server, conversations: number[], messages: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: POSTERS }, async () => {
      while (next < messages) {
        const index = next++;
        await api(server, 'POST', `/conversation/${conversations[index % conversations.length]}/message`, {
          type: 'visitor',
          text: `message ${index}`,
        });
      }
    }),
  );
}

/** Replays the period to every subscription; deliveries per second until the receiver has them all. */
async function replayRate(
  server: Server,
  receiver: Receiver,
  subscriptions: Array<{ id: number }>,
  period: { from: string; to: string },
  perSubscription: number,
): Promise<number> {
  const expected = receiver.count + perSubscription * subscriptions.length;
  const started = performance.now();
  for (const subscription of subscriptions) {
    const queued = await api<{ queued: number }>(server, 'POST', `/webhook/${subscription.id}/replay`, period);
    if (queued.queued !== perSubscription)
      throw new Error(`replay queued ${queued.queued}, expected ${perSubscription}`);
  }
  await until(() => receiver.count >= expected, 180_000);
  return (perSubscription * subscriptions.length) / ((performance.now() - started) / 1000);
}

/** One message at a time with the node idle: milliseconds from the committing POST to the webhook's arrival. */
async function idleLatency(
  server: Server,
  receiver: Receiver,
  conversation: number,
  samples: number,
): Promise<{ p50: number; p99: number }> {
  const results: number[] = [];
  for (let index = 0; index < samples; index += 1) {
    const arrived = new Promise<number>((resolve) => {
      receiver.onRequest = (at) => resolve(at);
    });
    const sent = performance.now();
    await api(server, 'POST', `/conversation/${conversation}/message`, { type: 'visitor', text: `latency ${index}` });
    results.push((await arrived) - sent);
    receiver.onRequest = undefined;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { p50: percentile(results, 0.5), p99: percentile(results, 0.99) };
}

/** The baseline: unsigned POSTs of the same body, IN_FLIGHT at a time, over keep-alive connections. */
async function plainPosts(receiver: Receiver, body: string, total: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const url = new URL(receiver.url);
  const post = () =>
    new Promise<void>((resolve, reject) => {
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: '/plain',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          response.resume();
          response.on('end', resolve);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < total) {
        next += 1;
        await post();
      }
    }),
  );
  agent.destroy();
  return total / ((performance.now() - started) / 1000);
}

export async function webhookDelivery(options: BenchOptions): Promise<Record<string, unknown>> {
  const rounds = options.quick ? 1 : 3;
  const messages = options.quick ? 1_000 : 2_000;
  const receiver = await startReceiver();
  const server = await startCauserie({ CAUSERIE_OUTBOUND_ALLOWLIST: '127.0.0.1/32' });
  try {
    const client = await api<{ id: number }>(server, 'POST', '/client', { name: 'Webhook Bench', lang: 'en' });
    const website = await api<{ id: number }>(server, 'POST', '/website', {
      url: 'https://bench.example',
      client_id: client.id,
    });
    const conversations: number[] = [];
    for (let index = 0; index < CONVERSATIONS; index += 1)
      conversations.push((await api<{ id: number }>(server, 'POST', '/conversation', { website_id: website.id })).id);
    const from = new Date(Date.now() - 1_000).toISOString().slice(0, 19).replace('T', ' ');
    await postMessages(server, conversations, messages);
    const to = new Date(Date.now() + 1_000).toISOString().slice(0, 19).replace('T', ' ');
    const subscriptions: Array<{ id: number; secret: string }> = [];
    for (let index = 0; index < SUBSCRIPTIONS; index += 1) {
      subscriptions.push(
        await api(server, 'POST', '/webhook', {
          client_id: client.id,
          url: `${receiver.url}/hook/${index}`,
          events: ['message.created'],
        }),
      );
    }

    // Warm-up round (connections, statement cache), then the measured rounds.
    await replayRate(server, receiver, subscriptions, { from, to }, messages);
    // Every delivery is signed: check one as a receiver would.
    const sample = receiver.first;
    const signature = sample?.headers['x-causerie-signature'];
    const valid =
      sample !== undefined &&
      subscriptions.some(
        (subscription) =>
          signature === `sha256=${createHmac('sha256', subscription.secret).update(sample.body).digest('hex')}`,
      );
    if (!valid) throw new Error('a delivery was not signed with its subscription secret');
    const rates: number[] = [];
    for (let index = 1; index <= rounds; index += 1)
      rates.push(await replayRate(server, receiver, subscriptions, { from, to }, messages));

    for (const subscription of subscriptions.slice(1))
      await api(server, 'PUT', `/webhook/${subscription.id}`, { enabled: false });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const latency = await idleLatency(server, receiver, conversations[0] ?? 0, options.quick ? 100 : 300);

    const body = sample?.body ?? '{}';
    const plainRates: number[] = [];
    for (let index = 0; index < rounds; index += 1)
      plainRates.push(await plainPosts(receiver, body, messages * SUBSCRIPTIONS));
    const deliveriesPerSecond = median(rates);
    const baseline = median(plainRates);
    console.log(
      `causerie: ${Math.round(deliveriesPerSecond)} signed deliveries/s (runs: ${rates.map(Math.round).join(', ')}); idle commit-to-receipt p50 ${round(latency.p50)} ms, p99 ${round(latency.p99)} ms`,
    );
    console.log(`baseline (plain POST loop, ${IN_FLIGHT} in flight): ${Math.round(baseline)} POSTs/s`);
    return {
      subscriptions: SUBSCRIPTIONS,
      conversations: CONVERSATIONS,
      deliveries_per_round: messages * SUBSCRIPTIONS,
      causerie_deliveries_per_second: Math.round(deliveriesPerSecond),
      causerie_runs: rates.map(Math.round),
      causerie_idle_p50_ms: round(latency.p50),
      causerie_idle_p99_ms: round(latency.p99),
      baseline_posts_per_second: Math.round(baseline),
      baseline_runs: plainRates.map(Math.round),
      ratio_throughput: round(deliveriesPerSecond / baseline, 3),
      target: { deliveries_per_second: TARGET_DELIVERIES_PER_SECOND, p99_ms: TARGET_P99_MS },
      meets_targets: deliveriesPerSecond >= TARGET_DELIVERIES_PER_SECOND && latency.p99 <= TARGET_P99_MS,
    };
  } finally {
    await server.stop();
    await receiver.close();
  }
}
