// Processes a benchmark measures: a Causerie node on a throwaway SQLite file, or a baseline server script.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVER_MAIN = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));
export const ADMIN_KEY = 'bench-platform-admin-key-0123456789';

export interface Server {
  child: ChildProcess;
  base: string;
  port: number;
  /** Resident memory of the server process and its workers, in bytes (from /proc). */
  rss(): number;
  stop(): Promise<void>;
}

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

/** Resident memory of a process and its children (the workers of a node), in bytes, from /proc. */
function residentBytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  const own = kilobytes === undefined ? 0 : Number(kilobytes) * 1024;
  return (
    own + (children === '' ? 0 : children.split(/\s+/).reduce((sum, child) => sum + residentBytes(Number(child)), 0))
  );
}

async function started(child: ChildProcess, port: number, readyPath: string, cleanup: () => void): Promise<Server> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited early:\n${output}`);
    const ready = await fetch(`${base}${readyPath}`).then(
      (answer) => answer.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`the server was not ready in 30 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    base,
    port,
    rss: () => residentBytes(child.pid),
    async stop() {
      child.kill('SIGKILL');
      await exited;
      cleanup();
    },
  };
}

/** `node server/dist/main.js start` on a fresh SQLite file (WAL, synchronous=FULL: the production settings). */
export async function startCauserie(env: Record<string, string> = {}): Promise<Server> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'causerie-bench-'));
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER_MAIN, 'start'], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${path.join(directory, 'bench.db')}`,
      CAUSERIE_ADMIN_KEY: ADMIN_KEY,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return started(child, port, '/readyz', () => fs.rmSync(directory, { recursive: true, force: true }));
}

/** A baseline server script from this folder (compiled to dist/baselines/NAME.js), given its port. */
export async function startBaseline(name: string): Promise<Server> {
  const port = await freePort();
  const script = fileURLToPath(new URL(`./baselines/${name}.js`, import.meta.url));
  const child = spawn(process.execPath, [script, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  return started(child, port, '/ready', () => undefined);
}

/** A throwaway redis-server on a free port, for a node of several workers. */
export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!output.includes('Ready to accept connections')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
