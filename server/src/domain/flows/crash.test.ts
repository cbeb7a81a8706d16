// kill -9 of a real node while its flow engine runs merchant calls: after a restart no run is lost, no completed step
// is run again (no call repeats a key whose step had committed), and interrupted steps are retried with their own key.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exitWithin, killAll, type RunningNode, sleep, startNode } from '@causerie/test-support/processes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/database.js';
import { ADMIN_KEY, createTestDatabase, type TestDatabase } from '../../test/harness.js';

const ENV = { CAUSERIE_OUTBOUND_ALLOWLIST: '127.0.0.0/8', CAUSERIE_WEBHOOK_TIME_SCALE: '0.001' };
const RUNS = 30;
/** The merchant stops answering from this call until the node is restarted. */
const STALL_FROM = 8;
let database: TestDatabase | undefined;
let merchant: http.Server;
let merchantUrl: string;
let restarted = false;
const calls: Array<{ key: string; afterRestart: boolean }> = [];

async function call(node: RunningNode, method: string, path: string, key: string, body?: unknown) {
  const answer = await fetch(`${node.base}${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: answer.status, body: (await answer.json()) as { data: Record<string, unknown> } };
}

beforeAll(async () => {
  // Slow answers keep calls in flight; from the eighth call before the kill none is answered, so the node surely dies
  // holding calls whose steps cannot have committed (a kill timed by polling alone could fall between two calls).
  merchant = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      calls.push({ key: String(request.headers['idempotency-key']), afterRestart: restarted });
      if (!restarted && calls.length >= STALL_FROM) return;
      setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"O-1"}'), 150);
    });
  });
  await new Promise<void>((resolve) => merchant.listen(0, '127.0.0.1', resolve));
  merchantUrl = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await killAll();
  await new Promise((resolve) => merchant.close(resolve));
  await database?.drop();
});

describe('a node killed with SIGKILL mid-run', () => {
  it('loses no run and repeats no completed step', { timeout: 120_000 }, async () => {
    // A database and a call log of its own, so a retry of this test starts from nothing.
    if (database !== undefined) await database.drop();
    const fresh = await createTestDatabase();
    database = fresh;
    calls.length = 0;
    restarted = false;
    const first = await startNode({ database: fresh, env: ENV });
    const client = await call(first, 'POST', '/api/2/client', ADMIN_KEY, { name: 'Crash flows', lang: 'it' });
    const clientId = Number(client.body.data.id);
    const minted = await call(first, 'POST', `/api/2/client/${clientId}/key`, ADMIN_KEY, { name: 'flows' });
    const key = String(minted.body.data.key);
    expect(
      (
        await call(first, 'PUT', '/api/commerce/v1/merchant', key, {
          get_object_url: `${merchantUrl}/getObject`,
          update_object_url: `${merchantUrl}/updateObject`,
        })
      ).status,
    ).toBe(200);
    const flow = await call(first, 'POST', '/api/commerce/v1/flows', key, {
      code: 'crash',
      name: 'Crash',
      definition: {
        steps: [
          { id: 'read', type: 'get_object', object_type: 'order', keys: { n: '{{n}}' } },
          { id: 'write', type: 'update_object', object_type: 'order', variables: { done: true } },
          { id: 'bill', type: 'charge', kind: 'run' },
        ],
      },
    });
    expect(flow.status).toBe(200);
    for (let n = 0; n < RUNS; n++)
      expect(
        (
          await call(first, 'POST', '/api/commerce/v1/createRequest', key, {
            flow: 'crash',
            user_key: `u${n}`,
            data: { n },
          })
        ).status,
      ).toBe(200);
    while (calls.length < STALL_FROM) await sleep(10);
    first.child.kill('SIGKILL');
    expect(await exitWithin(first, 10_000)).toEqual({ code: null, signal: 'SIGKILL' });

    // What had committed when the node died.
    const store = openDatabase(fresh.config);
    try {
      const committed = await store.db
        .selectFrom('flow_run_step')
        .select(['run_id', 'ordinal'])
        .where('state', '=', 'done')
        .where('type', 'in', ['get_object', 'update_object'])
        .execute();
      const doneKeys = new Set(committed.map((step) => `run:${step.run_id}:step:${step.ordinal}`));
      const open = await store.db.selectFrom('commerce_request').select('id').where('state', '=', 'open').execute();
      expect(open.length).toBeGreaterThan(0);

      restarted = true;
      const second = await startNode({ database: fresh, env: ENV });
      const deadline = Date.now() + 60_000;
      let states: string[] = [];
      while (Date.now() < deadline) {
        states = (await store.db.selectFrom('commerce_request').select('state').execute()).map((row) => row.state);
        if (states.every((state) => state === 'done')) break;
        await sleep(200);
      }
      expect(states).toEqual(Array(RUNS).fill('done'));
      // No completed step ran again; every step was called at most twice (once more if the kill interrupted it).
      expect(calls.filter((entry) => entry.afterRestart && doneKeys.has(entry.key))).toEqual([]);
      const perKey = new Map<string, number>();
      for (const entry of calls) perKey.set(entry.key, (perKey.get(entry.key) ?? 0) + 1);
      expect(perKey.size).toBe(RUNS * 2);
      expect([...perKey.values()].every((count) => count <= 2)).toBe(true);
      // Calls in flight at the kill were made again after the restart, with the key of their first attempt.
      const before = new Set(calls.filter((entry) => !entry.afterRestart).map((entry) => entry.key));
      expect(calls.some((entry) => entry.afterRestart && before.has(entry.key))).toBe(true);
      const charges = await store.db.selectFrom('commerce_charge').select('run_id').execute();
      expect(charges).toHaveLength(RUNS);
      expect(new Set(charges.map((charge) => charge.run_id)).size).toBe(RUNS);
      const steps = await store.db.selectFrom('flow_run_step').select(['run_id', 'state']).execute();
      expect(steps).toHaveLength(RUNS * 3);
      expect(steps.every((step) => step.state === 'done')).toBe(true);
      second.child.kill('SIGTERM');
      await exitWithin(second, 15_000);
    } finally {
      await store.close();
    }
  });
});
