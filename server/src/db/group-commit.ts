// Group commit: many small commands share one SQLite transaction (one fsync), each isolated by a savepoint.
//
// SQLite in WAL mode with synchronous=FULL syncs the log on every commit, which caps a node near a thousand
// commits a second. Realtime messages arrive far faster, so on SQLite commands submitted within the same tick
// are run one after another inside ONE transaction, each in its own SAVEPOINT: a command that fails is rolled
// back to its savepoint and rejected alone; the others commit together, and every caller is answered only after
// that commit — an acknowledged message is on disk, as design.md §1 requires. PostgreSQL runs each command in its
// own transaction (its connections commit in parallel and the server groups the log writes itself).
import { type Kysely, type Transaction, sql } from 'kysely';
import type { Dialect } from './dialect.js';
import type { Database } from './schema.js';

export type Work<T> = (trx: Transaction<Database>) => Promise<T>;

/** Runs commands, each atomically with its events; acknowledges each after its commit. */
export interface Committer {
  run<T>(work: Work<T>): Promise<T>;
}

interface Pending {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** Commands per shared transaction: large enough to amortise the sync, small enough to keep latency low. */
const MAX_BATCH = 256;

/** The committer suited to the dialect: grouped on SQLite, one transaction per command on PostgreSQL. */
export function createCommitter(db: Kysely<Database>, dialect: Dialect): Committer {
  if (dialect === 'postgres') return { run: (work) => db.transaction().execute(work) };
  return new GroupCommitter(db);
}

class GroupCommitter implements Committer {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(private readonly db: Kysely<Database>) {}

  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work: work as Work<unknown>, resolve: resolve as (value: unknown) => void, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Let the commands submitted in this tick join the batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      await this.commitBatch(batch);
    }
    this.flushing = false;
  }

  private async commitBatch(batch: Pending[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    let trx;
    try {
      trx = await this.db.startTransaction().execute();
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    try {
      for (const pending of batch) {
        await sql`savepoint command`.execute(trx);
        try {
          const value = await pending.work(trx);
          await sql`release savepoint command`.execute(trx);
          outcomes.push({ ok: true, value });
        } catch (error) {
          await sql`rollback to savepoint command`.execute(trx);
          await sql`release savepoint command`.execute(trx);
          outcomes.push({ ok: false, error });
        }
      }
      await trx.commit().execute();
    } catch (error) {
      // The shared transaction itself failed (disk full, I/O error): nothing of the batch is kept.
      await trx.rollback().execute().catch(() => undefined);
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) pending.resolve(outcome.value);
      else pending.reject(outcome?.error);
    });
  }
}
