// Group commit on SQLite: the transactions asked for while one is being written join the next one, so many commands'
// rows reach the disk in one flush. On SQLite every commit is a synchronous flush that holds the process's one
// connection and its event loop; under load most of the flow engine's time went there, then the one-commit-each
// writers around it (a Shopify order webhook, an outbound message's send). PostgreSQL, with a pool and no such cost to
// the process, runs each transaction on its own. One group per database, shared by its writers (commitGroupOf).
import type { Kysely } from 'kysely';
import { dialectOf } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import { type Tx, transact } from './transact.js';

interface Queued {
  work: (trx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Most works one transaction holds (a bounded time for the connection and a bounded redo after a failure). */
const GROUP_MAX = 16;

export class CommitGroup {
  private readonly queue: Queued[] = [];
  private draining = false;
  private readonly grouped: boolean;

  constructor(private readonly db: Kysely<Database>) {
    this.grouped = dialectOf(db) === 'sqlite';
  }

  /**
   * Runs `work` in a transaction, maybe with others' works: it commits (or rolls back) with them, so `work` must
   * write only through `trx` and may run again — alone — if another work of its group failed.
   */
  run<T>(work: (trx: Tx) => Promise<T>): Promise<T> {
    if (!this.grouped) return transact(this.db, work);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        // After the current I/O phase: the works asked for in it join the first transaction.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, GROUP_MAX);
      if (group.length > 1) {
        try {
          const results = await transact(this.db, async (trx) => {
            const values: unknown[] = [];
            for (const item of group) values.push(await item.work(trx));
            return values;
          });
          for (const [index, item] of group.entries()) item.resolve(results[index]);
          continue;
        } catch {
          // One work failed and took the group with it: each runs again alone, so only a failing one fails.
        }
      }
      for (const item of group) await transact(this.db, item.work).then(item.resolve, item.reject);
    }
    this.draining = false;
  }
}

const groups = new WeakMap<Kysely<Database>, CommitGroup>();

/** The database's commit group, shared by the writers that may join one (the works must follow `run`'s rules). */
export function commitGroupOf(db: Kysely<Database>): CommitGroup {
  let group = groups.get(db);
  if (group === undefined) {
    group = new CommitGroup(db);
    groups.set(db, group);
  }
  return group;
}
