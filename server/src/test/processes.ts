// Real processes for integration tests: Causerie nodes (the built server), Redis and nginx, each on a free port.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseConfig } from '../config.js';
import { ADMIN_KEY } from './harness.js';

export const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Running {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

export interface RunningNode extends Running {
  base: string;
  port: number;
}

const children = new Set<ChildProcess>();

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** `DATABASE_URL` for a test database. */
export function databaseUrl(config: DatabaseConfig): string {
  return config.dialect === 'sqlite' ? `sqlite:${config.location}` : config.location;
}

function run(command: string, args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
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
  return { child, exited, output: () => output };
}

async function waitFor(what: string, running: Running, ready: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null || running.child.signalCode !== null)
      throw new Error(`${what} exited before it was ready:\n${running.output()}`);
    if (await ready().catch(() => false)) return;
    await sleep(100);
  }
  running.child.kill('SIGKILL');
  throw new Error(`${what} was not ready within ${ms} ms:\n${running.output()}`);
}

/** Starts `node dist/main.js start` and waits until /readyz answers 200. */
export async function startNode(database: DatabaseConfig, env: Record<string, string> = {}): Promise<RunningNode> {
  const port = await freePort();
  const running = run(process.execPath, [MAIN, 'start'], {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl(database),
    CAUSERIE_ADMIN_KEY: ADMIN_KEY,
    LOG_LEVEL: 'warn',
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    'the node',
    running,
    async () => (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(1_000) })).status === 200,
  );
  return { ...running, base, port };
}

/** A throwaway Redis on a free port, without persistence. */
export async function startRedis(): Promise<Running & { url: string }> {
  const port = await freePort();
  const running = run('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  await waitFor('redis-server', running, async () => running.output().includes('Ready to accept connections'));
  return { ...running, url: `redis://127.0.0.1:${port}` };
}

/** nginx balancing HTTP and WebSocket traffic round-robin over the given node ports. */
export async function startNginx(upstreamPorts: number[]): Promise<Running & { base: string; directory: string }> {
  const port = await freePort();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'causerie-nginx-'));
  fs.chmodSync(directory, 0o777);
  const config = `
daemon off;
worker_processes 1;
pid ${directory}/nginx.pid;
error_log ${directory}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${directory}/body;
  proxy_temp_path ${directory}/proxy;
  fastcgi_temp_path ${directory}/fastcgi;
  uwsgi_temp_path ${directory}/uwsgi;
  scgi_temp_path ${directory}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream causerie { ${upstreamPorts.map((upstream) => `server 127.0.0.1:${upstream};`).join(' ')} }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://causerie;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 3600s;
    }
  }
}
`;
  const file = path.join(directory, 'nginx.conf');
  fs.writeFileSync(file, config);
  const running = run('nginx', ['-c', file, '-p', directory]);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    'nginx',
    running,
    async () => (await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1_000) })).status === 200,
  );
  return { ...running, base, directory };
}

/** Resolves with the exit, or rejects after `ms`. */
export async function exitWithin(
  running: Running,
  ms: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the process did not exit within ${ms} ms:\n${running.output()}`)), ms);
  });
  try {
    return await Promise.race([running.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Kills every process these helpers started (call from afterAll). */
export async function killAll(): Promise<void> {
  for (const child of [...children]) {
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await Promise.race([gone, sleep(5_000)]);
  }
}
