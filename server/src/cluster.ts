// One node as several worker processes sharing its port (CAUSERIE_WORKERS): more cores, and more sockets than one process may open.
//
// Each worker is a full node of its own (its own HTTP server, realtime gateway and database pool); the primary only
// migrates the database, forks the workers, restarts one that dies, and stops them all on SIGTERM. Workers share
// conversations, presence and queues exactly as separate nodes do — through Redis — so there is no cluster protocol
// of our own: CAUSERIE_WORKERS > 1 needs REDIS_URL. Connections are handed to workers in turn by node:cluster.
import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import { ConfigError } from './config.js';

/** Environment variable naming how many worker processes a node runs. */
export const WORKERS_VARIABLE = 'CAUSERIE_WORKERS';
const MAX_WORKERS = 64;
/** A worker that dies is forked again after this pause, so a crash loop does not spin a core. */
const RESTART_DELAY_MS = 1_000;
/** Past this, the primary stops waiting for workers to finish their requests and kills them. */
const STOP_TIMEOUT_MS = 12_000;

/** How many workers to run: `CAUSERIE_WORKERS` (a number, or `auto` for one per core); 1 when unset. */
export function workerCount(env: NodeJS.ProcessEnv, redisUrl: string | undefined): number {
  const raw = env[WORKERS_VARIABLE]?.trim() ?? '';
  let count: number;
  if (raw === '') count = 1;
  else if (raw === 'auto') count = os.availableParallelism();
  else if (/^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= MAX_WORKERS) count = Number(raw);
  else
    throw new ConfigError(WORKERS_VARIABLE, `must be 'auto' or a whole number from 1 to ${MAX_WORKERS}, got '${raw}'.`);
  if (count > 1 && redisUrl === undefined) {
    throw new ConfigError(
      WORKERS_VARIABLE,
      `is ${count}, which needs REDIS_URL: the workers of a node share conversations, presence and queues through Redis, as separate nodes do.`,
    );
  }
  return count;
}

/** True in a process forked by runWorkers. */
export function isWorker(): boolean {
  return cluster.isWorker;
}

/**
 * Runs `count` workers (each runs the same entry point and serves the port) until SIGTERM or SIGINT, restarting any
 * that exits on its own; `onFirstListening` runs once the first worker listens. Resolves once every worker stopped.
 */
export function runWorkers(
  count: number,
  log: (line: string) => void,
  onFirstListening: () => void = () => undefined,
): Promise<number> {
  let stopping = false;
  cluster.once('listening', onFirstListening);
  const restart = (worker: Worker, code: number | null, signal: string | null) => {
    if (stopping) return;
    log(
      `worker ${worker.process.pid ?? '?'} exited (${signal ?? `code ${code ?? '?'}`}); starting another in ${RESTART_DELAY_MS} ms`,
    );
    setTimeout(() => {
      if (!stopping) cluster.fork();
    }, RESTART_DELAY_MS);
  };
  cluster.on('exit', restart);
  for (let index = 0; index < count; index += 1) cluster.fork();
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping ${Object.keys(cluster.workers ?? {}).length} workers`);
      const force = setTimeout(() => {
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      }, STOP_TIMEOUT_MS);
      force.unref();
      const remaining = () =>
        Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined && !worker.isDead()).length;
      cluster.on('exit', () => {
        if (remaining() === 0) resolve(0);
      });
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
      if (remaining() === 0) resolve(0);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
