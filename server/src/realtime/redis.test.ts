// Several nodes: the Redis bus, and two app instances sharing one PostgreSQL database and one Redis (started here):
// a visitor on node A and an operator on node B converse; presence holds across nodes and survives a dead node.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { startRedis } from '@causerie/test-support/processes';
import { RealtimeClient } from '@causerie/test-support/realtime-client';
import { assertEventually } from '@causerie/test-support/wait';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import type { AppContext } from '../context.js';
import { openDatabase, type Store } from '../db/database.js';
import {
  ADMIN_KEY,
  clientWithKey,
  eventTypesFor,
  startTestApp,
  type TestApp,
  testConfig,
  testDialect,
} from '../test/harness.js';
import { RedisBus } from './bus.js';
import type { RealtimeMessage } from './messages.js';
import { gatewayOf } from './plugin.js';

const GRACE_MS = 300;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const eventually = (assertion: () => Promise<void> | void, timeoutMs = 5000) => assertEventually(assertion, timeoutMs);

let redis: Awaited<ReturnType<typeof startRedis>>;
let redisUrl: string;

beforeAll(async () => {
  redis = await startRedis();
  redisUrl = redis.url;
});
afterAll(async () => {
  await redis.stop('SIGKILL');
});

describe('RedisBus', () => {
  it('delivers a message once to every node subscribed to the topic, the publisher included', async () => {
    const a = new RedisBus(redisUrl);
    const b = new RedisBus(redisUrl);
    const onA: RealtimeMessage[] = [];
    const onB: RealtimeMessage[] = [];
    const subA = a.subscribe('conv:1', (message) => onA.push(message));
    const subB = b.subscribe('conv:1', (message) => onB.push(message));
    await Promise.all([subA.ready, subB.ready]);
    b.publish('conv:1', { t: 'typing', c: 1, by: 'visitor', on: true });
    b.publish('conv:2', { t: 'typing', c: 2, by: 'visitor', on: true });
    await eventually(() => expect(onA).toHaveLength(1));
    await pause(50);
    expect(onA).toEqual([{ t: 'typing', c: 1, by: 'visitor', on: true }]);
    expect(onB).toEqual([{ t: 'typing', c: 1, by: 'visitor', on: true }]);
    subA.unsubscribe();
    b.publish('conv:1', { t: 'typing', c: 1, by: 'visitor', on: false });
    await pause(50);
    expect(onA).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });
});

interface Node {
  app: FastifyInstance;
  context: AppContext;
  store: Store;
  base: string;
}

describe.skipIf(testDialect !== 'postgres')('two nodes sharing PostgreSQL and Redis', () => {
  let t: TestApp;
  let nodeA: Node;
  let nodeB: Node;
  let key: string;
  let websiteId: number;
  const sockets: RealtimeClient[] = [];
  const extraNodes: Node[] = [];

  const listen = async (app: FastifyInstance) => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    return `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  };

  /** Another node on the same database and Redis (its heartbeat lasts max(grace, 1 s): realtime/plugin.ts). */
  async function startNode(graceMs = GRACE_MS): Promise<Node> {
    const store = openDatabase(t.database.config);
    const { app, context } = await buildApp(
      testConfig(t.database.config, { redisUrl, presenceGraceMs: graceMs }),
      store,
    );
    await app.ready();
    const node = { app, context, store, base: await listen(app) };
    extraNodes.push(node);
    return node;
  }

  async function open(node: Node, pathname: string, headers: Record<string, string> = {}): Promise<RealtimeClient> {
    const socket = await RealtimeClient.open(`${node.base}${pathname}`, headers);
    sockets.push(socket);
    return socket;
  }

  async function newOperator(name: string): Promise<{ id: number; token: string }> {
    // A new address each time: a retried test makes its operator again.
    const email = `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@nodes.example`;
    const created = await t.api('POST', '/operator', {
      key,
      json: { name, email, password: 'nodes-secret', website_list: [websiteId] },
    });
    const login = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email, password: 'nodes-secret' },
    });
    return { id: created.body.data.id, token: login.json<{ data: { token: string } }>().data.token };
  }

  const connected = async (operatorId: number) =>
    (await t.store.db.selectFrom('operator').select('connected').where('id', '=', operatorId).executeTakeFirstOrThrow())
      .connected;

  beforeAll(async () => {
    t = await startTestApp({ redisUrl, presenceGraceMs: GRACE_MS });
    nodeA = { app: t.app, context: t.context, store: t.store, base: await listen(t.app) };
    nodeB = await startNode();
    ({ key } = await clientWithKey(t, 'Nodes Co'));
    websiteId = (await t.api('POST', '/website', { key, json: { url: 'https://nodes.example' } })).body.data.id;
  });

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close()));
    for (const node of extraNodes) {
      await node.app.close();
      await node.store.close();
    }
    await t.close();
  });

  it('lets a visitor on node A and an operator on node B converse in real time', async () => {
    const { id, token } = await newOperator('Lea');
    const operator = await open(nodeB, `/realtime/operator?token=${token}`);
    await operator.next('snapshot');
    await operator.request({ type: 'availability', chat: true }, 'availability');
    const visitor = await open(nodeA, '/realtime/visitor');
    await visitor.request({ type: 'hello', website_id: websiteId }, 'welcome');
    const started = await visitor.request({ type: 'start', text: 'Hi from node A' }, 'started');
    expect(started.outcome).toBe('assigned');
    const conversationId = Number(started.conversation_id);
    const assigned = await operator.next('assigned');
    expect(assigned.conversation).toMatchObject({ id: conversationId, operator_id: id });

    await operator.request({ type: 'reply', conversation_id: conversationId, text: 'Hello from node B' }, 'ack');
    expect(await visitor.next((frame) => frame.type === 'entry' && frame.text === 'Hello from node B')).toMatchObject({
      kind: 'operator',
      operator_id: id,
    });
    visitor.send({ type: 'typing', on: true });
    expect(await operator.next('typing')).toEqual({ type: 'typing', conversation_id: conversationId, on: true });
    for (const text of ['one', 'two', 'three'])
      await visitor.request(
        { type: 'message', text, client_message_id: text },
        (frame) => frame.type === 'ack' && frame.client_message_id === text,
      );
    await operator.next((frame) => frame.type === 'entry' && frame.text === 'three');
    const texts = operator.received((frame) => frame.type === 'entry').map((frame) => frame.text);
    expect(texts).toEqual(['Hello from node B', 'one', 'two', 'three']);

    // A note written on node B never reaches the visitor on node A.
    await operator.request(
      { type: 'note', conversation_id: conversationId, text: 'note on B' },
      (frame) => frame.type === 'ack' && frame.seq !== undefined,
    );
    await operator.request(
      { type: 'reply', conversation_id: conversationId, text: 'after note' },
      (frame) => frame.type === 'ack',
    );
    await visitor.next((frame) => frame.type === 'entry' && frame.text === 'after note');
    expect(visitor.received((frame) => frame.text === 'note on B')).toEqual([]);

    // The visitor resumes on node B, missing nothing.
    const lastSeq = Math.max(...visitor.received('entry').map((frame) => Number(frame.seq)));
    await visitor.close();
    await operator.request(
      { type: 'reply', conversation_id: conversationId, text: 'while away' },
      (frame) => frame.type === 'ack' && frame.seq !== undefined,
    );
    const back = await open(nodeB, '/realtime/visitor');
    const vuid = String(
      (
        await t.store.db
          .selectFrom('visitor')
          .innerJoin('conversation', 'conversation.visitor_id', 'visitor.id')
          .select('visitor.unique_id')
          .where('conversation.id', '=', conversationId)
          .executeTakeFirstOrThrow()
      ).unique_id,
    );
    await back.request(
      { type: 'hello', website_id: websiteId, vuid, conversation_id: conversationId, last_seq: lastSeq },
      'welcome',
    );
    expect(await back.next('entry')).toMatchObject({ text: 'while away' });
  });

  it('stops a key revoked on node A on node B at once, though node B had it cached (relayed reaction)', async () => {
    const fresh = await clientWithKey(t, 'Revoked Key Co');
    const made = await t.api('POST', `/client/${fresh.clientId}/key`, { key: ADMIN_KEY, json: { name: 'doomed' } });
    const secret = String(made.body.data.key);
    // Over node B's socket: its second answer comes from the front door (http/front-door.ts), before any routing.
    const onB = (presented: string) =>
      fetch(`${nodeB.base.replace('ws://', 'http://')}/api/2/website`, { headers: { 'x-api-key': presented } });
    expect((await onB(secret)).status).toBe(200);
    const doorHits = nodeB.context.readCache.frontDoorHits;
    expect((await onB(secret)).status).toBe(200);
    expect(nodeB.context.readCache.frontDoorHits).toBe(doorHits + 1);
    expect((await t.api('DELETE', `/key/${made.body.data.id}`, { key: ADMIN_KEY })).status).toBe(200);
    // Relayed over Redis: within a second (issue 16's bound), well under the 30 s of node B's key cache.
    const revokedAt = performance.now();
    await eventually(async () => expect((await onB(secret)).status).toBe(403), 1000);
    expect(performance.now() - revokedAt).toBeLessThan(1000);
  });

  it("serves node B's kept answer only until node A commits a change under it (relayed read-cache invalidation)", async () => {
    const fresh = await clientWithKey(t, 'Read Cache Co');
    const onB = async () => {
      const answer = await nodeB.app.inject({
        method: 'GET',
        url: '/api/2/website?full=1',
        headers: { 'x-api-key': fresh.key },
      });
      return answer.json<{ data: Array<{ url: string }> }>().data.map((website) => website.url);
    };
    expect(await onB()).toEqual([]);
    const before = nodeB.context.readCache.hits;
    expect(await onB()).toEqual([]);
    expect(nodeB.context.readCache.hits).toBe(before + 1);
    const made = await t.api('POST', '/website', { key: fresh.key, json: { url: 'https://made-on-a.example' } });
    expect(made.status).toBe(200);
    const committedAt = performance.now();
    await eventually(async () => expect(await onB()).toEqual(['https://made-on-a.example']), 1000);
    // The relay, not the one-second expiry, brought it: it arrived well before the answer would have expired.
    expect(performance.now() - committedAt).toBeLessThan(900);
  });

  it('keeps an operator connected when their socket moves from node B to node A within the grace period', async () => {
    const { id, token } = await newOperator('Max');
    const onB = await open(nodeB, `/realtime/operator?token=${token}`);
    await onB.next('snapshot');
    await onB.close();
    await pause(GRACE_MS / 3);
    const onA = await open(nodeA, `/realtime/operator?token=${token}`);
    await onA.next('snapshot');
    await pause(GRACE_MS * 2);
    expect(await connected(id)).toBe(1);
    expect(await eventTypesFor(t, 'operator', id)).not.toContain('user.disconnected');
    await onA.close();
    await eventually(async () => expect(await connected(id)).toBe(0));
  });

  it('disconnects the operators of a node that died, once its heartbeat expired', async () => {
    const { id, token } = await newOperator('Nina');
    // Its heartbeat outlives its close on a loaded machine (with the 300 ms grace it lasts 1 s, which closing the app
    // and its store took longer than once): until it expires nobody may disconnect her.
    const doomed = await startNode(3_000);
    const socket = await open(doomed, `/realtime/operator?token=${token}`);
    await socket.next('snapshot');
    expect(await connected(id)).toBe(1);
    // The node stops without ending its grace periods (as if killed): only the surviving nodes can disconnect her.
    const gateway = gatewayOf(doomed.context);
    expect(gateway).toBeDefined();
    await doomed.app.close();
    extraNodes.splice(extraNodes.indexOf(doomed), 1);
    await doomed.store.close();
    expect(await connected(id)).toBe(1);
    await eventually(async () => expect(await connected(id)).toBe(0), 10_000);
  });
});
