// Durability with a real process: what was answered 200 survives SIGKILL, and SIGTERM shuts down cleanly.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Store, openDatabase } from '../db/database.js';
import { ADMIN_KEY, type Envelope, type TestDatabase, createTestDatabase } from './harness.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

interface Node {
  child: ChildProcess;
  base: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

const children = new Set<ChildProcess>();
let database: TestDatabase;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('no port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

function databaseUrl(db: TestDatabase): string {
  return db.config.dialect === 'sqlite' ? `sqlite:${db.config.location}` : db.config.location;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts `node dist/main.js start` on the test database and waits (at most 20 s) until /readyz answers 200. */
async function startNode(): Promise<Node> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN, 'start'], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl(database), CAUSERIE_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the node exited before it was ready:\n${output}`);
    try {
      const answer = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(1_000) });
      if (answer.status === 200) return { child, base, exited, output: () => output };
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`the node was not ready within 20 s:\n${output}`);
}

/** Resolves with the exit, or rejects after `ms`. */
async function exitWithin(node: Node, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the node did not exit within ${ms} ms:\n${node.output()}`)), ms);
  });
  try {
    return await Promise.race([node.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function call(node: Node, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: Envelope }> {
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
  for (const child of [...children]) {
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await Promise.race([gone, sleep(5_000)]);
  }
  await database.drop();
});

describe('a real node', () => {
  it('keeps every answered write through SIGKILL, with its events', { timeout: 90_000 }, async () => {
    const first = await startNode();
    const client = await call(first, 'POST', '/client', { name: 'Durable Co', lang: 'fr' });
    expect(client.status).toBe(200);
    const clientId = client.body.data.id;
    const operator = await call(first, 'POST', '/operator', { name: 'Julie Martin', email: 'julie@durable.example', client_id: clientId, roles: ['manager'], language_list: ['fr', 'en'] });
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
      expect(operatorAgain.body.data).toEqual(operator.body.data);
      expect(operatorAgain.body.data).toMatchObject({ name: 'Julie Martin', client_id: clientId, roles: ['manager'], language_list: ['fr', 'en'] });

      const store: Store = openDatabase(database.config);
      try {
        const events = await store.db
          .selectFrom('event')
          .select(['type', 'subject_type', 'subject_id', 'client_id'])
          .where((eb) => eb.or([eb.and([eb('subject_type', '=', 'client'), eb('subject_id', '=', clientId)]), eb.and([eb('subject_type', '=', 'operator'), eb('subject_id', '=', operatorId)])]))
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
