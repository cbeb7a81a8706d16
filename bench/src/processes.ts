// Processes a benchmark measures: a Causerie node on a throwaway SQLite file, or a baseline server script. Nodes, Redis
// and the waiting are test-support's (one start-a-node helper for tests, e2e and benchmarks).
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '@causerie/test-support/database';
import {
  answers200,
  freePort,
  type RunningNode,
  residentBytes,
  routeSchemasPending,
  startNode,
  startProcess,
  waitUntilReady,
} from '@causerie/test-support/processes';

export { ADMIN_KEY, startRedis } from '@causerie/test-support/processes';

export type Server = Pick<RunningNode, 'child' | 'base' | 'port' | 'rss'> & { stop(): Promise<void> };

/** `node server/dist/main.js start` on a fresh SQLite file (WAL, synchronous=FULL: the production settings). */
export async function startCauserie(env: Record<string, string> = {}): Promise<Server> {
  const database = await createTestDatabase({ dialect: 'sqlite' });
  const node = await startNode({ database, env });
  return {
    ...node,
    async stop() {
      await node.stop('SIGKILL');
      await database.drop();
    },
  };
}

/** A baseline server script from this folder (compiled to dist/baselines/NAME.js), given its port. */
export async function startBaseline(name: string): Promise<Server> {
  const port = await freePort();
  const script = fileURLToPath(new URL(`./baselines/${name}.js`, import.meta.url));
  const baseline = startProcess(process.execPath, [script, String(port)]);
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady(`the ${name} baseline`, baseline, () => answers200(`${base}/ready`));
  return {
    ...baseline,
    base,
    port,
    rss: () => residentBytes(baseline.child.pid),
    stop: () => baseline.stop('SIGKILL'),
  };
}

/**
 * Pins every thread of a process (`taskset -a`) to the given CPUs, e.g. `'0'`; false when the machine cannot (one
 * core, no taskset). The REST benchmark puts the servers on one core and its own load generator on the other, so the
 * generator does not take turns with the server it measures (bench/RESULTS.md, rest).
 */
export function pinToCpus(pid: number | undefined, cpus: string): boolean {
  if (pid === undefined || availableParallelism() < 2) return false;
  const pinned = spawnSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
  return pinned.status === 0;
}

/**
 * Resolves once the node at `base` has compiled every route's schemas (`causerie_route_schemas_pending` 0 on its
 * /metrics): it does so in the background after it starts listening, a few seconds of its thread that a benchmark of
 * a running node should not count. Throws after `timeoutMs`.
 */
export async function untilWarm(base: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await routeSchemasPending(base);
    if (pending === 0) return;
    if (Date.now() > deadline) throw new Error(`the node at ${base} was still compiling schemas: ${pending} pending`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
