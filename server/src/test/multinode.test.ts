// Several nodes behind nginx, sharing PostgreSQL and Redis, as production runs them (PostgreSQL only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type TestDatabase, createTestDatabase, testDialect } from './harness.js';
import { type RunningNode, killAll, startNginx, startNode, startRedis } from './processes.js';

let database: TestDatabase;
let nodes: RunningNode[] = [];
let balancer: { base: string };

beforeAll(async () => {
  if (testDialect !== 'postgres') return;
  database = await createTestDatabase();
  const redis = await startRedis();
  // The first node migrates; the second finds the schema up to date.
  const first = await startNode(database.config, { REDIS_URL: redis.url });
  const second = await startNode(database.config, { REDIS_URL: redis.url });
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
});
