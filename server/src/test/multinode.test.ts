// Several nodes behind nginx, sharing PostgreSQL and Redis, as production runs them (PostgreSQL only).
import { availableOperator, liveTenant, socketUrl } from '@causerie/test-support/live-sockets';
import { killAll, type RunningNode, startNginx, startNode, startRedis } from '@causerie/test-support/processes';
import { type Frame, RealtimeClient } from '@causerie/test-support/realtime-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createTestDatabase, type TestDatabase, testDialect } from './harness.js';

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
  const first = await startNode({ database, env: { REDIS_URL: redis.url } });
  const second = await startNode({ database, env: { REDIS_URL: redis.url } });
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
});
