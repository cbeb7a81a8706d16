// realtime-connections: idle visitor sockets held by one node, and the memory each costs, beside a bare ws server.
//
// Each visitor socket is opened and identified (hello → welcome) as the widget does, then left idle. Memory per
// socket is the node's resident-memory growth (all its processes) divided by the sockets, after a settling pause.
// The baseline is a bare node:http + ws server holding sockets in the same run.
//
// One process may not open more than 20,000 files on the benchmark machine (a hard limit, not raisable without
// CAP_SYS_RESOURCE), and every socket is one. So the full run holds 20,000 sockets on a node of two workers
// (CAUSERIE_WORKERS=2 with Redis, the production setting for using both cores), with the clients spread over two
// holder processes; the single-process baseline holds 19,800 (just under the limit). --quick: 4,000 sockets, one
// process each side.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTenant, wsUrl } from './client.js';
import { type Server, startBaseline, startCauserie, startRedis } from './processes.js';
import type { BenchOptions } from './run.js';
import { round } from './stats.js';

const TARGET_SOCKETS = 20_000;
const TARGET_BYTES_PER_SOCKET = 20 * 1024;
const FULL = { sockets: 20_000, workers: 2, holders: 2, baselineSockets: 19_800 };
const QUICK = { sockets: 4_000, workers: 1, holders: 1, baselineSockets: 4_000 };
const HOLDER = fileURLToPath(new URL('./socket-holder.js', import.meta.url));
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Held {
  bytesPerSocket: number;
  rssBytes: number;
  open: number;
  release(): Promise<void>;
}

/** Starts one holder process and resolves with how many sockets it holds open once they are all up. */
function startHolder(
  url: string,
  count: number,
  websiteId: number | undefined,
): Promise<{ open: number; release(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [HOLDER, url, String(count), ...(websiteId === undefined ? [] : [String(websiteId)])],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /ready (\d+)/.exec(output);
      if (ready) {
        resolve({
          open: Number(ready[1]),
          async release() {
            child.stdin.end();
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`socket holder exited (${code ?? '?'}) before holding its sockets:\n${output}`)),
    );
  });
}

async function holdSockets(
  server: Server,
  count: number,
  holders: number,
  path: string,
  websiteId: number | undefined,
): Promise<Held> {
  await settle(1_000);
  const before = server.rss();
  const share = Math.ceil(count / holders);
  const held = await Promise.all(
    Array.from({ length: holders }, (_, index) =>
      startHolder(wsUrl(server, path), Math.min(share, count - index * share), websiteId),
    ),
  );
  await settle(3_000);
  const after = server.rss();
  const open = held.reduce((sum, holder) => sum + holder.open, 0);
  return {
    bytesPerSocket: (after - before) / count,
    rssBytes: after,
    open,
    async release() {
      await Promise.all(held.map((holder) => holder.release()));
    },
  };
}

export async function realtimeConnections(options: BenchOptions): Promise<Record<string, unknown>> {
  const plan = options.quick ? QUICK : FULL;

  const baseline = await startBaseline('ws-idle');
  let baselineResult: Held;
  try {
    // The bare server greets on connection; an open socket is all the baseline needs.
    baselineResult = await holdSockets(baseline, plan.baselineSockets, 1, '/', undefined);
    await baselineResult.release();
  } finally {
    await baseline.stop();
  }

  const redis = plan.workers > 1 ? await startRedis() : undefined;
  const causerie = await startCauserie(
    redis === undefined ? {} : { REDIS_URL: redis.url, CAUSERIE_WORKERS: String(plan.workers) },
  );
  let causerieResult: Held;
  try {
    // Both workers listen before the first socket, so the sockets spread over them.
    await settle(plan.workers > 1 ? 3_000 : 0);
    const tenant = await createTenant(causerie, 1, 2);
    causerieResult = await holdSockets(causerie, plan.sockets, plan.holders, '/realtime/visitor', tenant.websiteId);
    await causerieResult.release();
    if (causerieResult.open !== plan.sockets)
      throw new Error(`only ${causerieResult.open} of ${plan.sockets} sockets stayed open`);
  } finally {
    await causerie.stop();
    await redis?.stop();
  }

  console.log(
    `causerie: ${plan.sockets} idle visitor sockets on ${plan.workers} worker(s), ${round(causerieResult.bytesPerSocket / 1024)} KB each, RSS ${round(causerieResult.rssBytes / 1048576)} MB`,
  );
  console.log(
    `baseline (bare ws, one process): ${plan.baselineSockets} sockets, ${round(baselineResult.bytesPerSocket / 1024)} KB each`,
  );
  return {
    sockets: plan.sockets,
    workers: plan.workers,
    causerie_bytes_per_socket: Math.round(causerieResult.bytesPerSocket),
    causerie_rss_mb: round(causerieResult.rssBytes / 1048576),
    baseline_sockets: plan.baselineSockets,
    baseline_bytes_per_socket: Math.round(baselineResult.bytesPerSocket),
    ratio_bytes: round(causerieResult.bytesPerSocket / baselineResult.bytesPerSocket, 2),
    target: { sockets: TARGET_SOCKETS, bytes_per_socket: TARGET_BYTES_PER_SOCKET },
    meets_socket_target: plan.sockets >= TARGET_SOCKETS && causerieResult.open === plan.sockets,
    meets_memory_target: causerieResult.bytesPerSocket <= TARGET_BYTES_PER_SOCKET,
  };
}
