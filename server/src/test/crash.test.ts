// Durability with a real process: what was answered 200 survives SIGKILL, and SIGTERM shuts down cleanly.
import { exitWithin, killAll, type RunningNode, startNode as startProcess } from '@causerie/test-support/processes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Store } from '../db/database.js';
import { ADMIN_KEY, createTestDatabase, type Envelope, type TestDatabase } from './harness.js';

type Node = RunningNode;
let database: TestDatabase;

const startNode = (): Promise<Node> => startProcess({ database });

async function call(
  node: Node,
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
});

afterAll(async () => {
  await killAll();
  await database.drop();
});

describe('a real node', () => {
  it('keeps every answered write through SIGKILL, with its events', { timeout: 90_000 }, async () => {
    const first = await startNode();
    const client = await call(first, 'POST', '/client', { name: 'Durable Co', lang: 'fr' });
    expect(client.status).toBe(200);
    const clientId = client.body.data.id;
    const operator = await call(first, 'POST', '/operator', {
      name: 'Julie Martin',
      email: 'julie@durable.example',
      client_id: clientId,
      roles: ['manager'],
      language_list: ['fr', 'en'],
    });
    expect(operator.status).toBe(200);
    const operatorId = operator.body.data.id;

    first.child.kill('SIGKILL');
    expect(await exitWithin(first, 10_000)).toEqual({ code: null, signal: 'SIGKILL' });

    const second = await startNode();
    try {
      const clientAgain = await call(second, 'GET', `/client/${clientId}`);
      expect(clientAgain.status).toBe(200);
      expect(clientAgain.body.data).toEqual(client.body.data);
      const operatorAgain = await call(second, 'GET', `/operator/${operatorId}`);
      expect(operatorAgain.status).toBe(200);
      // The SSO key is shown once, in the create answer; a read never carries it.
      const { sso_key: _shownOnce, ...readable } = operator.body.data;
      expect(operatorAgain.body.data).toEqual(readable);
      expect(operatorAgain.body.data).toMatchObject({
        name: 'Julie Martin',
        client_id: clientId,
        roles: ['manager'],
        language_list: ['fr', 'en'],
      });

      const store: Store = openDatabase(database.config);
      try {
        const events = await store.db
          .selectFrom('event')
          .select(['type', 'subject_type', 'subject_id', 'client_id'])
          .where((eb) =>
            eb.or([
              eb.and([eb('subject_type', '=', 'client'), eb('subject_id', '=', clientId)]),
              eb.and([eb('subject_type', '=', 'operator'), eb('subject_id', '=', operatorId)]),
            ]),
          )
          .orderBy('id')
          .execute();
        expect(events).toEqual([
          { type: 'client.created', subject_type: 'client', subject_id: clientId, client_id: clientId },
          { type: 'user.created', subject_type: 'operator', subject_id: operatorId, client_id: clientId },
        ]);
      } finally {
        await store.close();
      }
    } finally {
      second.child.kill('SIGKILL');
      await exitWithin(second, 10_000);
    }
  });

  it('exits 0 within 10 s on SIGTERM and stops answering', { timeout: 60_000 }, async () => {
    const node = await startNode();
    expect((await fetch(`${node.base}/healthz`)).status).toBe(200);
    node.child.kill('SIGTERM');
    expect(await exitWithin(node, 10_000)).toEqual({ code: 0, signal: null });
    await expect(fetch(`${node.base}/healthz`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  });
});
