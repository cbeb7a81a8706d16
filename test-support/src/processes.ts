// Real processes for tests, e2e and benchmarks: Causerie nodes (the built server), Redis and nginx, each on a free port.
// The one place that starts a node and waits until it is ready; every caller stops what it started (or calls killAll).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, databaseUrl, type TestDatabase } from './database.js';

/** The built server (`npm run build -w server`); this file runs from test-support/src or test-support/dist. */
export const SERVER_MAIN = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));

/** The platform admin key of every node started here, and of the server's in-process test app. */
export const ADMIN_KEY = 'test-platform-admin-key-0123456789';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Running {
  child: ChildProcess;
  exited: Promise<Exit>;
  /** Everything the process printed (stdout and stderr), for failure messages. */
  output: () => string;
  /**
   * Stops the process and removes what was made for it. SIGTERM (the default) lets it shut down and is followed by
   * SIGKILL after 5 s; SIGKILL kills at once.
   */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

export interface RunningNode extends Running {
  base: string;
  port: number;
  database: TestDatabase;
  /** Resident memory of the node and its worker processes, in bytes. */
  rss(): number;
  /** CPU time the node and its worker processes have used so far (user + system), in seconds. */
  cpuSeconds(): number;
}

export interface NodeOptions {
  /** The node's database; when omitted, a fresh one on the suite's dialect, dropped when the node stops. */
  database?: TestDatabase;
  /** `start` (the default) or `demo` (demo data, and its banner once ready). */
  command?: 'start' | 'demo';
  /**
   * Environment on top of the defaults (PORT, HOST, PUBLIC_URL, DATABASE_URL, CAUSERIE_ADMIN_KEY, LOG_LEVEL=warn,
   * CAUSERIE_COMPILE_SCHEMAS_AHEAD=false unless this process's environment sets it).
   */
  env?: Record<string, string>;
  /** Also waits for this in the node's output (the demo's banner comes after /readyz answers). */
  readyOutput?: RegExp;
  timeoutMs?: number;
  /** Node's own flags before the script (`--cpu-prof`, which NODE_OPTIONS may not carry). */
  nodeArguments?: string[];
  /** The port (and public URL) of a node restarted in place of another: providers' callbacks keep reaching it. */
  port?: number;
}

/** Every process started here and not stopped yet, for killAll. */
const running = new Set<Running>();

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

/**
 * Spawns a process with only PATH and `env` in its environment, collecting its output; `cleanup` runs once it is
 * stopped (a temporary folder, a database).
 */
export function startProcess(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  cleanup: () => Promise<void> | void = () => undefined,
): Running {
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let stopped: Promise<void> | undefined;
  const started: Running = {
    child,
    exited,
    output: () => output,
    stop(signal = 'SIGTERM') {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const force = signal === 'SIGTERM' ? setTimeout(() => child.kill('SIGKILL'), 5_000) : undefined;
          child.kill(signal);
          await exited;
          clearTimeout(force);
        }
        running.delete(started);
        await cleanup();
      })();
      return stopped;
    },
  };
  running.add(started);
  // A process that exits on its own (a crash test's SIGKILL) no longer needs stopping, but its cleanup still runs.
  void exited.then(() => {
    if (stopped === undefined) void started.stop();
  });
  return started;
}

/** Polls `ready` until it answers true; fails with the process's output if it exits first or after `ms`. */
export async function waitUntilReady(
  what: string,
  started: Running,
  ready: () => Promise<boolean>,
  ms = 30_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null || started.child.signalCode !== null)
      throw new Error(`${what} exited before it was ready:\n${started.output()}`);
    if (await ready().catch(() => false)) return;
    await sleep(100);
  }
  await started.stop('SIGKILL');
  throw new Error(`${what} was not ready within ${ms} ms:\n${started.output()}`);
}

/** Resident memory of a process and its children (the workers of a node), in bytes, from /proc. */
export function residentBytes(pid: number | undefined): number {
  return overProcessTree(pid, (own) => {
    const kilobytes = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${own}/status`, 'utf8'))?.[1];
    return kilobytes === undefined ? 0 : Number(kilobytes) * 1024;
  });
}

/** Clock ticks a second of /proc's CPU times (USER_HZ: 100 on Linux for every architecture it runs on here). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) of a process and its children still running, read from /proc; 0 once it exited. */
export function cpuSeconds(pid: number | undefined): number {
  return overProcessTree(pid, (own) => {
    const stat = fs.readFileSync(`/proc/${own}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, hence the last ')'): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  });
}

/** `measure` summed over a process and its children (a node's workers), from /proc; 0 for one that exited. */
function overProcessTree(pid: number | undefined, measure: (pid: number) => number): number {
  if (pid === undefined) return 0;
  try {
    const own = measure(pid);
    const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return (
      own +
      (children === ''
        ? 0
        : children.split(/\s+/).reduce((sum, child) => sum + overProcessTree(Number(child), measure), 0))
    );
  } catch {
    // The process (or one of its workers) exited while being read.
    return 0;
  }
}

/** `GET url` answers 200 within a second. */
export async function answers200(url: string): Promise<boolean> {
  return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).status === 200;
}

/** How many route schemas the node at `base` has still to compile (`causerie_route_schemas_pending` on /metrics). */
export async function routeSchemasPending(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((row) => row.startsWith('causerie_route_schemas_pending '));
  if (line === undefined) throw new Error(`${base}/metrics has no causerie_route_schemas_pending`);
  return Number(line.split(' ')[1]);
}

/**
 * Starts `node server/dist/main.js start` (or `demo`) on a free port and waits until /readyz answers 200 (and
 * `readyOutput` was printed).
 */
export async function startNode(options: NodeOptions = {}): Promise<RunningNode> {
  if (!fs.existsSync(SERVER_MAIN))
    throw new Error(`${SERVER_MAIN} is missing: build the server first (npm run build -w server).`);
  const owned = options.database === undefined;
  const database = options.database ?? (await createTestDatabase());
  const port = options.port ?? (await freePort());
  const base = `http://127.0.0.1:${port}`;
  const node = startProcess(
    process.execPath,
    [...(options.nodeArguments ?? []), SERVER_MAIN, options.command ?? 'start'],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: base,
      DATABASE_URL: databaseUrl(database.config),
      CAUSERIE_ADMIN_KEY: ADMIN_KEY,
      LOG_LEVEL: 'warn',
      // A test's node calls a handful of routes: compiling every other route's schemas after it starts would cost it
      // seconds of a core it shares with the test. The benchmarks, which measure a running node, set it to true.
      CAUSERIE_COMPILE_SCHEMAS_AHEAD: process.env.CAUSERIE_COMPILE_SCHEMAS_AHEAD ?? 'false',
      ...options.env,
    },
    () => (owned ? database.drop() : undefined),
  );
  const readyOutput = options.readyOutput;
  await waitUntilReady(
    'the node',
    node,
    async () => (readyOutput === undefined || readyOutput.test(node.output())) && (await answers200(`${base}/readyz`)),
    options.timeoutMs,
  );
  return {
    ...node,
    base,
    port,
    database,
    rss: () => residentBytes(node.child.pid),
    cpuSeconds: () => cpuSeconds(node.child.pid),
  };
}

export interface RunningRedis extends Running {
  url: string;
}

/** A throwaway redis-server on a free port, without persistence. */
export async function startRedis(): Promise<RunningRedis> {
  const port = await freePort();
  const redis = startProcess('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  await waitUntilReady('redis-server', redis, async () => redis.output().includes('Ready to accept connections'));
  return { ...redis, url: `redis://127.0.0.1:${port}` };
}

export interface RunningNginx extends Running {
  base: string;
  /** nginx's prefix: its configuration, pid and logs. */
  directory: string;
}

/** nginx balancing HTTP and WebSocket traffic round-robin over the given node ports. */
export async function startNginx(upstreamPorts: number[]): Promise<RunningNginx> {
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
  const nginx = startProcess('nginx', ['-c', file, '-p', directory], {}, () =>
    fs.rmSync(directory, { recursive: true, force: true }),
  );
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady('nginx', nginx, () => answers200(`${base}/healthz`));
  return { ...nginx, base, directory };
}

/** Resolves with the exit, or rejects after `ms`. */
export async function exitWithin(started: Running, ms: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the process did not exit within ${ms} ms:\n${started.output()}`)), ms);
  });
  try {
    return await Promise.race([started.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Kills every process started here and not stopped yet, and removes what was made for them (call from afterAll). */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((started) => started.stop('SIGKILL')));
}
