// Several nodes behind nginx, sharing PostgreSQL and Redis, as production runs them (PostgreSQL only).

import { FakeTwilio } from '@causerie/test-support/fakes/twilio';
import { availableOperator, liveTenant, socketUrl } from '@causerie/test-support/live-sockets';
import { killAll, type RunningNode, startNginx, startNode, startRedis } from '@causerie/test-support/processes';
import { type Frame, RealtimeClient } from '@causerie/test-support/realtime-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createTestDatabase, type TestDatabase, testDialect } from './harness.js';
import { messengerSender, nodeCall, reportIdsByState, startCallbackReceiver } from './messaging.js';

let database: TestDatabase;

/** An entry with this text, or an assignment whose history holds it. */
function saysOrCarries(frame: Frame, text: string): boolean {
  if (frame.type === 'entry') return frame.text === text;
  return (
    frame.type === 'assigned' &&
    Array.isArray(frame.history) &&
    frame.history.some((entry: Frame) => entry.text === text)
  );
}
let nodes: RunningNode[] = [];
let balancer: { base: string };

beforeAll(async () => {
  if (testDialect !== 'postgres') return;
  database = await createTestDatabase();
  const redis = await startRedis();
  // The first node migrates; the second finds the schema up to date.
  // Loopback is allowed for outbound calls: the fake provider and the callback receiver of the messenger test.
  const env = { REDIS_URL: redis.url, CAUSERIE_OUTBOUND_ALLOWLIST: '127.0.0.0/8' };
  const first = await startNode({ database, env });
  const second = await startNode({ database, env });
  nodes = [first, second];
  balancer = await startNginx(nodes.map((node) => node.port));
}, 120_000);

afterAll(async () => {
  await killAll();
  await database?.drop();
});

describe.skipIf(testDialect !== 'postgres')('two nodes behind nginx', () => {
  it('serve the same data whichever node answers', async () => {
    const created = await fetch(`${balancer.base}/api/2/client`, {
      method: 'POST',
      headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Cluster Co', lang: 'fr' }),
    });
    expect(created.status).toBe(200);
    const { data } = (await created.json()) as { data: { id: number } };
    for (const node of nodes) {
      const read = await fetch(`${node.base}/api/2/client/${data.id}`, { headers: { 'x-api-key': ADMIN_KEY } });
      expect(read.status).toBe(200);
    }
  });

  it('let a visitor on one node and an operator on the other converse in real time, both ways', async () => {
    const [nodeA, nodeB] = nodes;
    if (!nodeA || !nodeB) throw new Error('two nodes expected');
    const tenant = await liveTenant(balancer.base, 'Two Nodes Co');
    const operator = await availableOperator(nodeB.base, tenant.token);
    const visitor = await RealtimeClient.open(socketUrl(nodeA.base, '/realtime/visitor'));
    visitor.send({ type: 'hello', website_id: tenant.websiteId });
    await visitor.next((frame) => frame.type === 'welcome', 10_000);
    visitor.send({ type: 'start', text: 'Hello from node A', client_message_id: 'a-1' });
    const started = await visitor.next((frame) => frame.type === 'started', 10_000);
    // Routing on node A saw the operator connected and available on node B.
    expect(started.outcome).toBe('assigned');
    const conversationId = Number(started.conversation_id);
    await operator.next((frame) => saysOrCarries(frame, 'Hello from node A'), 10_000);
    operator.send({
      type: 'reply',
      conversation_id: conversationId,
      text: 'Hello from node B',
      client_message_id: 'b-1',
    });
    await visitor.next((frame) => frame.type === 'entry' && frame.text === 'Hello from node B', 10_000);
    visitor.send({ type: 'typing', on: true });
    await operator.next((frame) => frame.type === 'typing' && frame.on === true, 10_000);
    visitor.socket.terminate();
    operator.socket.terminate();
  });

  it('carry WebSockets through nginx', async () => {
    const tenant = await liveTenant(balancer.base, 'Balanced Co');
    const operator = await availableOperator(balancer.base, tenant.token);
    const visitor = await RealtimeClient.open(socketUrl(balancer.base, '/realtime/visitor'));
    visitor.send({ type: 'hello', website_id: tenant.websiteId });
    await visitor.next((frame) => frame.type === 'welcome', 10_000);
    visitor.send({ type: 'start', text: 'Through the balancer', client_message_id: 'n-1' });
    await operator.next((frame) => saysOrCarries(frame, 'Through the balancer'), 10_000);
    visitor.socket.terminate();
    operator.socket.terminate();
  });

  it('send a broadcast from both nodes: every recipient texted once, delivered, each state reported once', async () => {
    const [nodeA, nodeB] = nodes;
    if (!nodeA || !nodeB) throw new Error('two nodes expected');
    const twilio = await new FakeTwilio({
      accountSid: `AC${'d4'.repeat(16)}`,
      authToken: 'twilio-auth-token-two-nodes-01',
      numbers: ['+33757000333'],
      ratePerSecond: 1000,
    }).start();
    const receiver = await startCallbackReceiver();
    try {
      const { key, agentId } = await messengerSender(nodeA.base, ADMIN_KEY, twilio, receiver);
      const recipients = Array.from({ length: 120 }, (_, index) => ({
        to: `+336${String(20_000_000 + index).padStart(8, '0')}`,
        variables: { n: String(index) },
      }));
      // Created through node B: node A's worker learns of it from the database, as any node's does.
      const created = await nodeCall(nodeB.base, 'POST', '/api/messaging/messenger/broadcast', key, {
        agent_id: agentId,
        name: 'Deux nœuds',
        channel: 'sms',
        content: { text: 'Message {{n}}' },
        recipients,
      });
      expect(created.status).toBe(201);
      const id = Number(created.body.data.id);
      const deadline = Date.now() + 60_000;
      let read = await nodeCall(nodeA.base, 'GET', `/api/messaging/messenger/broadcast/${id}`, key);
      while (
        read.body.data.state !== 'completed' ||
        (read.body.data.progress as { delivered: number }).delivered < 120
      ) {
        if (Date.now() > deadline) throw new Error(`broadcast: ${JSON.stringify(read.body.data)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        read = await nodeCall(nodeA.base, 'GET', `/api/messaging/messenger/broadcast/${id}`, key);
      }
      await twilio.settle();
      const texts = new Map<string, number>();
      for (const message of twilio.accepted) texts.set(message.to, (texts.get(message.to) ?? 0) + 1);
      expect(texts.size).toBe(120);
      expect([...texts.values()].every((count) => count === 1)).toBe(true);
      let byState = reportIdsByState(receiver);
      while (byState.size < 240 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        byState = reportIdsByState(receiver);
      }
      expect(byState.size).toBe(240);
      expect([...byState.values()].every((ids) => ids.size === 1)).toBe(true);
    } finally {
      await twilio.stop();
      await receiver.close();
    }
  }, 90_000);
});
