// The flow engine's durability rules on a real database: two workers sharing runs never run a step twice (each
// merchant call once per idempotency key, one charge per run), and a merchant that stays down fails the step with its
// error visible, retryable through the API with the same key.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '@causerie/test-support/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsKey } from '../../channels/secrets.js';
import { openDatabase, type Store } from '../../db/database.js';
import { OutboundGuard } from '../../http/outbound.js';
import { clientWithKey, startTestApp, TEST_OUTBOUND_ALLOWLIST, type TestApp } from '../../test/harness.js';
import { FlowEngine } from './engine.js';

let t: TestApp;
let key: string;
let clientId: number;
let merchant: http.Server;
let merchantUrl: string;
/** Merchant answers: 200, or this status while `failing`. */
let failing = 0;
const callsByKey = new Map<string, number>();

async function call(method: 'GET' | 'POST' | 'PUT', path: string, json?: unknown) {
  const response = await t.app.inject({
    method,
    url: `/api/commerce/v1${path}`,
    headers: { 'x-api-key': key, ...(json !== undefined && { 'content-type': 'application/json' }) },
    ...(json !== undefined && { payload: JSON.stringify(json) }),
  });
  return {
    status: response.statusCode,
    body: response.json<{ meta: { message?: string }; data: Record<string, unknown> }>(),
  };
}

async function requestStates(): Promise<string[]> {
  const rows = await t.store.db
    .selectFrom('commerce_request')
    .select('state')
    .where('client_id', '=', clientId)
    .execute();
  return rows.map((row) => row.state);
}

beforeAll(async () => {
  t = await startTestApp({ webhookTimeScale: 0.001 });
  ({ key, clientId } = await clientWithKey(t, 'Engine shop'));
  merchant = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const idempotencyKey = String(request.headers['idempotency-key']);
      callsByKey.set(idempotencyKey, (callsByKey.get(idempotencyKey) ?? 0) + 1);
      if (failing !== 0) {
        response.writeHead(failing).end('{"error":"down for maintenance"}');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"OBJ-1","status":"new"}');
    });
  });
  await new Promise<void>((resolve) => merchant.listen(0, '127.0.0.1', resolve));
  merchantUrl = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}`;
  expect(
    (
      await call('PUT', '/merchant', {
        get_object_url: `${merchantUrl}/getObject`,
        update_object_url: `${merchantUrl}/updateObject`,
      })
    ).status,
  ).toBe(200);
  const flow = await call('POST', '/flows', {
    code: 'shared',
    name: 'Shared work',
    definition: {
      steps: [
        { id: 'read', type: 'get_object', object_type: 'order', keys: { n: '{{n}}' } },
        { id: 'mark', type: 'set_variable', name: 'seen', value: '{{object.status}}' },
        { id: 'write', type: 'update_object', object_type: 'order', variables: { seen: '{{seen}}' } },
        { id: 'bill', type: 'charge', kind: 'run' },
      ],
    },
  });
  expect(flow.status).toBe(200);
});

afterAll(async () => {
  await new Promise((resolve) => merchant.close(resolve));
  await t.close();
});

describe('two workers sharing runs', () => {
  it('finish every run, each step once: one call per idempotency key, one charge per run', {
    timeout: 60_000,
  }, async () => {
    // A second worker on its own connections, as another node would be.
    const second: Store = openDatabase(t.database.config);
    const other = new FlowEngine(
      {
        db: second.db,
        outbound: new OutboundGuard(TEST_OUTBOUND_ALLOWLIST),
        config: t.context.config,
        secretsKey: secretsKey(t.context.config),
      },
      // Eight runs at a time at most, so the other engine finds runs left to claim.
      { timeScale: 0.001, maxInFlight: 8 },
    );
    const mine = t.context.flows as FlowEngine;
    await mine.stop();
    const RUNS = 40;
    try {
      for (let n = 0; n < RUNS; n++)
        expect((await call('POST', '/createRequest', { flow: 'shared', user_key: `u${n}`, data: { n } })).status).toBe(
          200,
        );
      // The second node takes its share first; this one then claims what is left while it works.
      other.start();
      await eventually(async () => (other.counters.steps > 0 ? true : undefined), 10_000, 'the other node working');
      mine.start();
      await eventually(
        async () => ((await requestStates()).filter((state) => state === 'done').length === RUNS ? true : undefined),
        45_000,
        'every request done',
      );
    } finally {
      await other.stop();
      await second.close();
    }
    expect(mine.counters.steps).toBeGreaterThan(0);
    expect(other.counters.steps).toBeGreaterThan(0);
    expect(callsByKey.size).toBe(RUNS * 2);
    expect([...callsByKey.values()].every((count) => count === 1)).toBe(true);
    const charges = await t.store.db.selectFrom('commerce_charge').select('run_id').where('kind', '=', 'run').execute();
    expect(charges).toHaveLength(RUNS);
    expect(new Set(charges.map((charge) => charge.run_id)).size).toBe(RUNS);
    const steps = await t.store.db.selectFrom('flow_run_step').select(['state']).execute();
    expect(steps).toHaveLength(RUNS * 4);
    expect(steps.every((step) => step.state === 'done')).toBe(true);
  });
});

describe('a merchant down for long', () => {
  it('fails the step with its error after the retries; retryRun runs it again with the same key', {
    timeout: 30_000,
  }, async () => {
    failing = 503;
    const created = await call('POST', '/createRequest', { flow: 'shared', user_key: 'down-1', data: { n: 'x' } });
    const requestId = Number(created.body.data.request_id);
    const runId = Number(created.body.data.run_id);
    const failed = await eventually(async () => {
      const answer = await call('GET', `/getRequest?request_id=${requestId}`);
      return answer.body.data.state === 'failed' ? answer : undefined;
    }, 15_000);
    const run = (failed.body.data.runs as Array<{ error: string; steps: Array<Record<string, unknown>> }>)[0];
    expect(run?.error).toContain('getObject answered HTTP 503');
    expect(run?.steps).toHaveLength(1);
    // The first attempt and one per retry delay, each with the step's own key.
    expect(run?.steps[0]).toMatchObject({ id: 'read', state: 'failed', attempts: 5 });
    expect(run?.steps[0]?.error).toContain('down for maintenance');
    const stepKey = `run:${runId}:step:1`;
    expect(callsByKey.get(stepKey)).toBe(5);

    failing = 0;
    expect((await call('POST', '/retryRun', { run_id: runId })).status).toBe(200);
    await eventually(async () => {
      const answer = await call('GET', `/getRequest?request_id=${requestId}`);
      return answer.body.data.state === 'done' ? answer : undefined;
    }, 15_000);
    expect(callsByKey.get(stepKey)).toBe(6);
    // A run that is not failed is not retried.
    const again = await call('POST', '/retryRun', { run_id: runId });
    expect(again.status).toBe(409);
  });
});
