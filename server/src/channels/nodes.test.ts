// Channels on two Causerie nodes (real processes) sharing one database and Redis: messages of one number reaching both
// nodes at once make one visitor, one contact and one open conversation (new numbers, and again after a close); a
// channel's send rate holds for the two nodes together (its bucket is in Redis). Also the Redis limiter on its own.
import { postWebhook } from '@causerie/test-support/fakes/http';
import { FakeWhatsApp } from '@causerie/test-support/fakes/whatsapp';
import { killAll, type RunningNode, sleep, startNode, startRedis } from '@causerie/test-support/processes';
import { eventually } from '@causerie/test-support/wait';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Store } from '../db/database.js';
import { MESSAGE_KIND } from '../db/schema.js';
import { ADMIN_KEY, createTestDatabase, type TestDatabase } from '../test/harness.js';
import { RedisSendRate, sendRateKey } from './send-rate.js';
import { whatsappSignature } from './whatsapp.js';

const credentials = {
  access_token: 'EAAG-nodes-token-0123456789',
  app_secret: 'nodes-app-secret',
  verify_token: 'nodes-verify',
};
/** The send-rate test: the channel's send_rate, the fake number's own throughput, and the replies sent. */
const RATE = 10;
const REPLIES = 60;

let database: TestDatabase;
let store: Store;
let redisUrl: string;
let nodes: RunningNode[] = [];
let tenant: { clientId: number; websiteId: number; operatorId: number };

async function api<T>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; data: T }> {
  const answer = await fetch(`${base}/api/2${path}`, {
    method,
    headers: { 'x-api-key': ADMIN_KEY, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json = (await answer.json()) as { data: T };
  return { status: answer.status, data: json.data };
}

async function created<T>(base: string, path: string, body: unknown): Promise<T> {
  const answer = await api<T>(base, 'POST', path, body);
  if (answer.status !== 200) throw new Error(`POST ${path}: ${answer.status} ${JSON.stringify(answer.data)}`);
  return answer.data;
}

function node(index: number): RunningNode {
  const found = nodes[index];
  if (found === undefined) throw new Error(`node ${index} not started`);
  return found;
}

const webhookOf = (base: string, channelId: number) => `${base}/channels/whatsapp/${channelId}/webhook`;

/** A WhatsApp channel of the tenant answered by `fake`. */
async function whatsappChannel(fake: FakeWhatsApp, sendRate?: number): Promise<number> {
  const channel = await created<{ id: number }>(node(0).base, '/channel', {
    type: 'whatsapp',
    client_id: tenant.clientId,
    website_id: tenant.websiteId,
    base_url: fake.url,
    ...(sendRate !== undefined && { send_rate: sendRate }),
    credentials: { ...credentials, phone_number_id: fake.options.phoneNumberId },
  });
  // The fake's statuses go to the first node (any node would do: payloads are processed from the database).
  fake.webhookUrl = webhookOf(node(0).base, channel.id);
  return channel.id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  redisUrl = (await startRedis()).url;
  // The nodes reach the fake providers on loopback; the first node migrates, the second finds the schema up to date.
  const env = { REDIS_URL: redisUrl, CAUSERIE_OUTBOUND_ALLOWLIST: '127.0.0.0/8' };
  nodes = [await startNode({ database, env })];
  nodes.push(await startNode({ database, env }));
  store = openDatabase(database.config);
  const client = await created<{ id: number }>(node(0).base, '/client', { name: 'Nodes SARL', lang: 'fr' });
  const website = await created<{ id: number }>(node(0).base, '/website', {
    url: 'https://nodes.example',
    client_id: client.id,
  });
  const operator = await created<{ id: number }>(node(0).base, '/operator', {
    name: 'Agent',
    email: 'agent@nodes.example',
    website_list: [website.id],
    client_id: client.id,
  });
  tenant = { clientId: client.id, websiteId: website.id, operatorId: operator.id };
}, 120_000);

afterAll(async () => {
  await killAll();
  await store?.close();
  await database?.drop();
});

describe('messages of one number reaching two nodes at once', () => {
  const numbers = Array.from({ length: 20 }, (_, index) => `+3361000${String(index).padStart(4, '0')}`);
  let fake: FakeWhatsApp;
  let channelId: number;

  beforeAll(async () => {
    fake = await new FakeWhatsApp({
      phoneNumberId: '300000000000001',
      accessToken: credentials.access_token,
      appSecret: credentials.app_secret,
    }).start();
    channelId = await whatsappChannel(fake);
  });

  afterAll(async () => {
    await fake.stop();
  });

  /**
   * For each number in turn, a different wamid reaches each node at the same instant: each node stores its payload and
   * processes it at once, both looking for the number's open conversation at the same time.
   */
  async function bothNodesAtOnce(round: string): Promise<void> {
    for (const number of numbers) {
      const statuses = await Promise.all(
        nodes.map((target, index) => {
          const payload = fake.messagePayload(number, {
            type: 'text',
            text: { body: `${round} ${number} via node ${index}` },
          });
          return postWebhook(webhookOf(target.base, channelId), payload.body, {
            'content-type': 'application/json',
            'x-hub-signature-256': whatsappSignature(credentials.app_secret, payload.body),
          });
        }),
      );
      expect(statuses).toEqual([200, 200]);
    }
    // Every payload processed, none set aside with an error (to be tried again a minute later).
    const inbound = () =>
      store.db
        .selectFrom('channel_inbound')
        .select(['id', 'processed_at', 'error'])
        .where('channel_id', '=', channelId)
        .execute();
    await eventually(
      async () => ((await inbound()).every((row) => row.processed_at !== null) ? true : undefined),
      15_000,
      'every payload processed',
    );
    expect((await inbound()).filter((row) => row.error !== null)).toEqual([]);
  }

  /** The number's visitor, contact and open conversations, with the customer's texts in each. */
  async function stateOf(number: string) {
    const visitors = await store.db
      .selectFrom('visitor')
      .select('id')
      .where('client_id', '=', tenant.clientId)
      .where('unique_id', '=', `whatsapp:${number}`)
      .execute();
    const contacts = await store.db
      .selectFrom('channel_contact')
      .select(['visitor_id', 'conversation_id'])
      .where('channel_id', '=', channelId)
      .where('address', '=', number)
      .execute();
    const open = await store.db
      .selectFrom('conversation')
      .select(['id', 'visitor_id'])
      .where('client_id', '=', tenant.clientId)
      .where('phone_number', '=', number)
      .where('status', '!=', 'closed')
      .execute();
    const texts = await Promise.all(
      open.map(async (conversation) =>
        (
          await store.db
            .selectFrom('conversation_message')
            .select('body')
            .where('conversation_id', '=', conversation.id)
            .where('kind', '=', MESSAGE_KIND.visitor)
            .execute()
        )
          .map((row) => row.body)
          .sort(),
      ),
    );
    return { visitors, contacts, open, texts };
  }

  it('make one visitor, one contact and one open conversation of a new number, with both messages in it', async () => {
    await bothNodesAtOnce('first');
    for (const number of numbers) {
      const { visitors, contacts, open, texts } = await stateOf(number);
      expect(visitors, number).toHaveLength(1);
      expect(contacts, number).toEqual([{ visitor_id: visitors[0]?.id, conversation_id: expect.any(Number) }]);
      expect(open, number).toEqual([{ id: contacts[0]?.conversation_id, visitor_id: visitors[0]?.id }]);
      expect(texts, number).toEqual([[`first ${number} via node 0`, `first ${number} via node 1`]]);
    }
    if (store.dialect === 'postgres') {
      // No node's transaction failed on a unique index and was done again: PostgreSQL does not give back the visitor
      // ids such a transaction drew, so the twenty visitors would not have consecutive ids.
      const ids = await store.db
        .selectFrom('visitor')
        .select('id')
        .where('client_id', '=', tenant.clientId)
        .where('unique_id', 'like', 'whatsapp:+3361000%')
        .orderBy('id')
        .execute();
      expect(ids.map((row) => row.id)).toEqual(Array.from({ length: 20 }, (_, index) => (ids[0]?.id ?? 0) + index));
    }
  });

  it('open one new conversation, not two, when the previous one was closed', async () => {
    const closed = new Map<string, number>();
    for (const number of numbers) {
      const { open } = await stateOf(number);
      const id = open[0]?.id ?? 0;
      closed.set(number, id);
      expect((await api(node(0).base, 'POST', `/conversation/${id}/close`, {})).status).toBe(200);
    }
    await bothNodesAtOnce('again');
    for (const number of numbers) {
      const { visitors, contacts, open, texts } = await stateOf(number);
      expect(visitors, number).toHaveLength(1);
      expect(open, number).toEqual([{ id: contacts[0]?.conversation_id, visitor_id: visitors[0]?.id }]);
      expect(open[0]?.id, number).not.toBe(closed.get(number));
      expect(texts, number).toEqual([[`again ${number} via node 0`, `again ${number} via node 1`]]);
    }
  });
});

describe("a channel's send rate across two nodes", () => {
  it('holds for the nodes together: every reply sent, no faster than the rate, the provider refusing (almost) none', async () => {
    const fake = await new FakeWhatsApp({
      phoneNumberId: '300000000000002',
      accessToken: credentials.access_token,
      appSecret: credentials.app_secret,
      ratePerSecond: RATE,
      statuses: ['sent'],
    }).start();
    const channelId = await whatsappChannel(fake, RATE);
    // Every request the fake answers, accepted or refused with 130429, with its time: the rate of attempts is measured,
    // not only that of accepted messages (the fake's own limit caps those). It accepts in its request handler, at once.
    const attempts: Array<{ at: number; refused: boolean }> = [];
    const accept = fake.accepted.push.bind(fake.accepted);
    fake.accepted.push = (...items) => {
      for (let index = 0; index < items.length; index += 1) attempts.push({ at: performance.now(), refused: false });
      return accept(...items);
    };
    let refused = 0;
    Object.defineProperty(fake, 'rateLimited', {
      get: () => refused,
      set: (value: number) => {
        refused = value;
        attempts.push({ at: performance.now(), refused: true });
      },
    });

    // Two warm-up conversations, then the measured ones.
    const numbers = Array.from({ length: REPLIES + 2 }, (_, index) => `+3362000${String(index).padStart(4, '0')}`);
    for (const number of numbers)
      expect((await fake.customerSends(number, { type: 'text', text: { body: 'Bonjour' } })).status).toBe(200);
    const conversations = await eventually(
      async () => {
        const rows = await store.db
          .selectFrom('channel_contact')
          .select(['address', 'conversation_id'])
          .where('channel_id', '=', channelId)
          .where('conversation_id', 'is not', null)
          .orderBy('address')
          .execute();
        return rows.length === numbers.length ? rows.map((row) => Number(row.conversation_id)) : undefined;
      },
      15_000,
      'the conversations',
    );
    const reply = (conversationId: number, index: number) =>
      api(node(index % 2).base, 'POST', `/conversation/${conversationId}/message`, {
        type: 'operator',
        text: `Réponse ${index}`,
        operator_id: tenant.operatorId,
      });

    // One reply through each node first: the first request of a node (its first connection to the provider) takes
    // longer than the next ones, which would squeeze a burst granted at once against the next token at the provider.
    // Then a second without sends: both buckets, the channel's and the fake's, are full again.
    expect((await Promise.all(conversations.slice(0, 2).map(reply))).map((answer) => answer.status)).toEqual([
      200, 200,
    ]);
    await eventually(async () => (fake.accepted.length === 2 ? true : undefined), 10_000, 'the warm-up replies');
    await sleep(1_100);
    attempts.length = 0;
    refused = 0;

    // Half of the replies through each node, all at once: each node queues and starts sending its own at once.
    const answers = await Promise.all(conversations.slice(2).map(reply));
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: REPLIES }, () => 200));
    await eventually(
      async () => (fake.accepted.length === REPLIES + 2 ? true : undefined),
      25_000,
      `all ${REPLIES} replies accepted (${fake.accepted.length - 2} so far, ${refused} refused)`,
    );

    // A bucket of RATE tokens, full at the start, lets RATE leave at once, then RATE per second: over the run, the rate
    // after the burst; and in any one second, at most 2 × RATE (the burst and a second's refill).
    const span = ((attempts[attempts.length - 1]?.at ?? 0) - (attempts[0]?.at ?? 0)) / 1000;
    const attemptRate = (attempts.length - RATE) / span;
    const busiestSecond = Math.max(
      ...attempts.map(
        (attempt) => attempts.filter((other) => other.at >= attempt.at && other.at < attempt.at + 1000).length,
      ),
    );
    // The fake's limit has the same rate and burst as the channel, on its own clock. While replies wait, the shared
    // bucket grants each token the moment it is due, so requests reach the fake exactly at its limit: one that travels
    // a millisecond faster than the one before is refused (and retried). Such a refusal consumed a token of the shared
    // bucket but none of the fake's, which then keeps a token in hand and refuses no more: measured, one refusal per
    // run, right after the burst. Up to 10% of the replies is tolerated for loaded machines (CI runs two passes on two
    // cores: 4 refusals of 60 seen there); without the shared bucket each node sends at the full rate: the fake then
    // refuses a quarter to a half of the replies, and sees over 30 requests in its busiest second.
    expect(refused).toBeLessThanOrEqual(REPLIES / 10);
    // 10 % over: the span is measured between two arrivals at the fake, so a late first request (the burst leaves
    // while the loaded machine is busy) shortens it; 10.59 for 10 seen in CI. Without the shared bucket it is 2 × RATE.
    expect(attemptRate).toBeLessThanOrEqual(RATE * 1.1);
    // Five over: requests granted on time but delayed on a loaded machine arrive bunched (22 seen once in CI, then 23
    // in both attempts of one run with four suites on two cores). Without the shared bucket it is over 30.
    expect(busiestSecond).toBeLessThanOrEqual(2 * RATE + 5);
    // Not much slower than the rate allows either.
    expect(attemptRate).toBeGreaterThan(RATE * 0.7);
    // Each node records the send once the fake has answered it.
    const states = () =>
      store.db.selectFrom('channel_outbound').select('state').where('channel_id', '=', channelId).execute();
    await eventually(
      async () => ((await states()).every((row) => row.state !== 'queued') ? true : undefined),
      5_000,
      'every reply recorded as sent',
    );
    expect((await states()).filter((row) => row.state === 'failed')).toEqual([]);
    await fake.settle();
    await fake.stop();
  });
});

describe('the Redis send rate', () => {
  it('serves one bucket to several connections taking at the same instant, atomically', async () => {
    const warnings: string[] = [];
    const limiters = [
      new RedisSendRate(redisUrl, (_error, what) => warnings.push(what)),
      new RedisSendRate(redisUrl, (_error, what) => warnings.push(what)),
    ];
    // Tokens come back at ten a second: under load, the calls themselves take time, and each 100 ms of it may refill
    // one more token. The counts below allow exactly what the measured time allows, no more.
    const firstStarted = Date.now();
    const waits = await Promise.all(
      Array.from({ length: 40 }, (_, index) => limiters[index % 2]?.take(900_001, 10) ?? Promise.resolve(-1)),
    );
    const refilledDuringFirst = Math.floor((Date.now() - firstStarted) / 100);
    // Ten tokens (the burst), then a wait of about a tenth of a second for the next. Two buckets (one per connection)
    // would give twenty.
    const immediate = waits.filter((wait) => wait === 0).length;
    expect(immediate).toBeGreaterThanOrEqual(10);
    expect(immediate).toBeLessThanOrEqual(10 + refilledDuringFirst);
    expect(waits.filter((wait) => wait > 0 && wait <= 100)).toHaveLength(40 - immediate);
    await sleep(250);
    // Refilled at ten per second: two more tokens, or more when the machine was slow. The bucket refills from its last
    // take, which Redis ran at some moment after `firstStarted` (perhaps well before this test saw its answer), so the
    // honest upper bound counts both rounds against everything the bucket can have given since it was created.
    const later = await Promise.all(
      [0, 1, 2, 3].map((index) => limiters[index % 2]?.take(900_001, 10) ?? Promise.resolve(-1)),
    );
    const laterImmediate = later.filter((wait) => wait === 0).length;
    expect(laterImmediate).toBeGreaterThanOrEqual(2);
    expect(immediate + laterImmediate).toBeLessThanOrEqual(10 + Math.floor((Date.now() - firstStarted) / 100));
    expect(warnings).toEqual([]);
    for (const limiter of limiters) await limiter.close();
  });

  it('loads its script again after SCRIPT FLUSH, and lets idle buckets expire', async () => {
    const redis = new Redis(redisUrl);
    const limiter = new RedisSendRate(redisUrl, () => undefined);
    expect(await limiter.take(900_002, 5)).toBe(0);
    await redis.script('FLUSH');
    expect(await limiter.take(900_002, 5)).toBe(0);
    const ttl = await redis.pttl(sendRateKey(900_002));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
    expect(await redis.hget(sendRateKey(900_002), 'tokens')).toMatch(/^3\.\d+$/);
    await limiter.close();
    redis.disconnect();
  });

  it('falls back to the local bucket when Redis is unreachable, warning once', async () => {
    const warnings: string[] = [];
    // A port nobody listens on.
    const limiter = new RedisSendRate('redis://127.0.0.1:1', (_error, what) => warnings.push(what));
    const waits: number[] = [];
    for (let index = 0; index < 4; index += 1) waits.push(await limiter.take(900_003, 3));
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBeGreaterThan(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Redis unreachable/);
    await limiter.close();
  });
});
