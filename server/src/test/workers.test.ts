// A node of several worker processes (CAUSERIE_WORKERS) sharing one port, one database and Redis: conversations cross
// workers, routing holds under concurrent starts (also on one SQLite file), and a worker that dies is replaced.
import fs from 'node:fs';
import http from 'node:http';
import { databaseUrl } from '@causerie/test-support/database';
import { availableOperator, liveTenant, socketUrl } from '@causerie/test-support/live-sockets';
import {
  exitWithin,
  freePort,
  killAll,
  type RunningNode,
  SERVER_MAIN,
  sleep,
  startNode,
  startProcess,
  startRedis,
} from '@causerie/test-support/processes';
import { RealtimeClient } from '@causerie/test-support/realtime-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './harness.js';

let database: TestDatabase;
let node: RunningNode;
let redisUrl: string;

/** The worker processes of the node: the children of its primary. */
function workerPids(): number[] {
  const pid = node.child.pid ?? 0;
  const listed = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return listed === '' ? [] : listed.split(/\s+/).map(Number);
}

async function eventually<T>(read: () => T | Promise<T>, accept: (value: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await sleep(100);
  }
}

/** GET on a new connection (a pooled one may lead to a worker that was just killed). */
function statusOnNewConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.once('timeout', () => request.destroy(new Error('timed out')));
    request.once('error', reject);
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  redisUrl = (await startRedis()).url;
  node = await startNode({ database, env: { REDIS_URL: redisUrl, CAUSERIE_WORKERS: '2' } });
  // /readyz answers as soon as one worker listens; wait for both.
  await eventually(workerPids, (pids) => pids.length === 2);
}, 120_000);

afterAll(async () => {
  await killAll();
  await database?.drop();
});

describe('a node of two workers', () => {
  it('runs the two workers as children of one primary', () => {
    expect(workerPids()).toHaveLength(2);
  });

  it('lets visitors on either worker converse with an operator on one of them, both ways', async () => {
    const tenant = await liveTenant(node.base, 'Workers Co');
    const operator = await availableOperator(node.base, tenant.token);
    // Connections go to the workers in turn: of two consecutive visitors, one is on the other worker than the operator.
    const visitors = await Promise.all(
      [0, 1, 2, 3].map(() => RealtimeClient.open(socketUrl(node.base, '/realtime/visitor'))),
    );
    for (const [index, visitor] of visitors.entries()) {
      await visitor.request({ type: 'hello', website_id: tenant.websiteId }, 'welcome', 10_000);
      const started = await visitor.request({ type: 'start', text: `Question ${index}` }, 'started', 10_000);
      expect(started.outcome).toBe('assigned');
      const conversationId = Number(started.conversation_id);
      await operator.next(
        (frame) => frame.type === 'assigned' && (frame.conversation as { id: number }).id === conversationId,
        10_000,
      );
      await operator.request(
        { type: 'reply', conversation_id: conversationId, text: `Answer ${index}` },
        'ack',
        10_000,
      );
      await visitor.next((frame) => frame.type === 'entry' && frame.text === `Answer ${index}`, 10_000);
      visitor.send({ type: 'typing', on: true });
      await operator.next((frame) => frame.type === 'typing' && frame.conversation_id === conversationId, 10_000);
    }
    for (const socket of [operator, ...visitors]) socket.socket.terminate();
  });

  it('never gives an operator more conversations than slots when visitors on both workers start at once', async () => {
    const tenant = await liveTenant(node.base, 'Rush Co');
    const operator = await availableOperator(node.base, tenant.token);
    const visitors = await Promise.all(
      Array.from({ length: 20 }, () => RealtimeClient.open(socketUrl(node.base, '/realtime/visitor'))),
    );
    await Promise.all(
      visitors.map((visitor) => visitor.request({ type: 'hello', website_id: tenant.websiteId }, 'welcome', 10_000)),
    );
    const outcomes = await Promise.all(
      visitors.map((visitor, index) => visitor.request({ type: 'start', text: `Rush ${index}` }, 'started', 20_000)),
    );
    // liveTenant's operator has five slots.
    expect(outcomes.filter((frame) => frame.outcome === 'assigned')).toHaveLength(5);
    expect(outcomes.filter((frame) => frame.outcome === 'queued')).toHaveLength(15);
    const positions = outcomes.filter((frame) => frame.outcome === 'queued').map((frame) => Number(frame.position));
    expect([...positions].sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, index) => index + 1));
    for (const socket of [operator, ...visitors]) socket.socket.terminate();
  });

  it('replaces a worker killed with -9; the other worker keeps answering meanwhile', async () => {
    const [victim, survivor] = workerPids();
    if (victim === undefined || survivor === undefined) throw new Error('two workers expected');
    process.kill(victim, 'SIGKILL');
    // A connection handed to the victim just as it died is lost (clients retry); the next ones reach the survivor.
    const answering = await eventually(
      () => statusOnNewConnection(`${node.base}/readyz`).catch(() => 0),
      (status) => status === 200,
      5_000,
    );
    expect(answering).toBe(200);
    const pids = await eventually(workerPids, (now) => now.length === 2 && !now.includes(victim));
    expect(pids).toContain(survivor);
    expect(pids).toHaveLength(2);
    expect(pids).not.toContain(victim);
    // Once the replacement listens, every connection is answered again, whichever worker takes it.
    await eventually(
      () => statusOnNewConnection(`${node.base}/readyz`).catch(() => 0),
      (status) => status === 200,
      10_000,
    );
    await sleep(500);
    for (let attempt = 0; attempt < 4; attempt += 1)
      expect(await statusOnNewConnection(`${node.base}/readyz`)).toBe(200);
  });
});

describe('CAUSERIE_WORKERS', () => {
  it('refuses more than one worker without REDIS_URL, naming both variables', async () => {
    const refused = startProcess(process.execPath, [SERVER_MAIN, 'start'], {
      PORT: String(await freePort()),
      DATABASE_URL: databaseUrl(database.config),
      CAUSERIE_WORKERS: '2',
    });
    // main.ts checks the configuration before the app's modules load: the refusal takes a fraction of a second.
    expect(await exitWithin(refused, 10_000)).toEqual({ code: 2, signal: null });
    expect(refused.output()).toContain('CAUSERIE_WORKERS');
    expect(refused.output()).toContain('REDIS_URL');
  });
});
