// kill -9 of a real node while it delivers webhooks: after a restart every event arrives, and repeats keep their webhook-id.
import { exitWithin, killAll, type RunningNode, sleep, startNode } from '@causerie/test-support/processes';
import { type Receiver, startReceiver } from '@causerie/test-support/webhook-receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.js';
import { ADMIN_KEY, createTestDatabase, type Envelope, type TestDatabase } from '../test/harness.js';

const ENV = {
  CAUSERIE_OUTBOUND_ALLOWLIST: '127.0.0.0/8',
  CAUSERIE_WEBHOOK_TIME_SCALE: '0.001',
  CAUSERIE_WEBHOOK_TIMEOUT_MS: '10000',
};
const EVENTS = 50;
let database: TestDatabase;
let hook: Receiver;

async function call(
  node: RunningNode,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Envelope }> {
  const answer = await fetch(`${node.base}/api/2${path}`, {
    method,
    headers: { 'x-api-key': ADMIN_KEY, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(5_000),
  });
  return { status: answer.status, body: (await answer.json()) as Envelope };
}

beforeAll(async () => {
  database = await createTestDatabase();
  hook = await startReceiver();
});
afterAll(async () => {
  await killAll();
  await hook.close();
  await database.drop();
});

describe('a node killed with SIGKILL mid-delivery', () => {
  it('loses no event: the next node takes over unfinished attempts, with the same webhook-id', {
    timeout: 90_000,
  }, async () => {
    // Slow answers (within the 10 s timeout) keep attempts in flight when the node dies: at most 32 at once per subscription, fewer than EVENTS.
    hook.respond = () => ({ status: 200, delayMs: 8_000 });
    const first = await startNode({ database, env: ENV });
    const client = await call(first, 'POST', '/client', { name: 'Crash Hooks', lang: 'en' });
    const clientId = client.body.data.id;
    const created = await call(first, 'POST', '/webhook', {
      client_id: clientId,
      url: hook.url,
      events: ['user.created'],
    });
    expect(created.status).toBe(200);
    const userIds: number[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const operator = await call(first, 'POST', '/operator', {
        client_id: clientId,
        name: `Crash ${i}`,
        email: `crash${i}@hooks.example`,
      });
      expect(operator.status).toBe(200);
      userIds.push(operator.body.data.id);
    }
    await hook.waitFor(3, 20_000);
    first.child.kill('SIGKILL');
    expect(await exitWithin(first, 10_000)).toEqual({ code: null, signal: 'SIGKILL' });
    const beforeRestart = hook.received.length;
    expect(beforeRestart).toBeLessThan(EVENTS);
    hook.respond = () => ({ status: 200 });

    const second = await startNode({ database, env: ENV });
    const deadline = Date.now() + 45_000;
    const seen = () => new Set(hook.received.map((request) => (JSON.parse(request.body) as { userId: number }).userId));
    while (seen().size < EVENTS && Date.now() < deadline) await sleep(100);
    expect([...seen()].sort((a, b) => a - b)).toEqual(userIds);

    // The log ends with one delivered attempt per event; interrupted attempts say why.
    const store = openDatabase(database.config);
    try {
      const rows = await until(
        () => store.db.selectFrom('webhook_delivery').select(['event_id', 'status', 'error']).execute(),
        (all) => all.filter((row) => row.status === 'delivered').length === EVENTS,
        45_000,
      );
      expect(rows.filter((row) => row.status === 'delivered')).toHaveLength(EVENTS);
      expect(new Set(rows.filter((row) => row.status === 'delivered').map((row) => row.event_id)).size).toBe(EVENTS);
      for (const row of rows.filter((candidate) => candidate.status === 'retrying'))
        expect(row.error).toBe('The node sending this attempt stopped before recording the answer.');
    } finally {
      await store.close();
    }
    // Attempts in flight at the kill were sent again: duplicates, each with the webhook-id of its first delivery.
    expect(hook.received.length).toBeGreaterThan(EVENTS);
    const idsByUser = new Map<number, Set<string>>();
    for (const request of hook.received) {
      const userId = (JSON.parse(request.body) as { userId: number }).userId;
      idsByUser.set(userId, (idsByUser.get(userId) ?? new Set()).add(request.headers['webhook-id'] ?? ''));
    }
    expect([...idsByUser.values()].every((ids) => ids.size === 1)).toBe(true);

    second.child.kill('SIGTERM');
    await exitWithin(second, 15_000);
  });
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(100);
  }
}
