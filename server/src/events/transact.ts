// Commands' transactions: one place opens them, collects the events they append, and dispatches those after commit.
//
// `transact(db, work)` is how every command writes: `work` changes rows and calls appendEvent(trx, …); when the
// transaction commits, the events go to the reactions of the app that owns `db` (events/dispatcher.ts). A rolled
// back transaction announces nothing. appendEvent refuses a transaction that transact did not open, so no change can
// commit events that nobody reacts to.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { CommittedEvent, EventDispatcher } from './dispatcher.js';

export type Tx = Transaction<Database>;

const pendingByTransaction = new WeakMap<Tx, CommittedEvent[]>();
const dispatcherByDatabase = new WeakMap<Kysely<Database>, EventDispatcher>();

/** Makes `dispatcher` receive the committed events of every command run on `db` (one app, one database handle). */
export function attachDispatcher(db: Kysely<Database>, dispatcher: EventDispatcher): void {
  dispatcherByDatabase.set(db, dispatcher);
}

export function detachDispatcher(db: Kysely<Database>): void {
  dispatcherByDatabase.delete(db);
}

/** PostgreSQL's answer when it broke a lock cycle or a serialisation conflict: the transaction may simply run again. */
function isRetryableConflict(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '40P01' || code === '40001';
}

const ATTEMPTS = 3;

export interface TransactOptions<T> {
  /**
   * Runs after commit, before the reactions: for a caller that must be listening before others hear of the change
   * (the visitor's HTTP fallback follows a new conversation's typing before its operator is told of it).
   */
  beforeReactions?: (result: T) => Promise<void>;
}

/**
 * Runs `work` in one transaction and, once it committed, hands the events it appended to the app's reactions
 * (awaited, so a caller that answers after `transact` answers after the fan-out it caused; reactions never make
 * `transact` fail). Runs `work` again, up to three times, when PostgreSQL aborted it to break a deadlock — which is
 * safe because `work` has no effect outside the database: everything outside is a reaction.
 */
export async function transact<T>(
  db: Kysely<Database>,
  work: (trx: Tx) => Promise<T>,
  options: TransactOptions<T> = {},
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    let events: CommittedEvent[] = [];
    try {
      const result = await db.transaction().execute(async (trx) => {
        const pending: CommittedEvent[] = [];
        pendingByTransaction.set(trx, pending);
        const value = await work(trx);
        events = pending;
        return value;
      });
      await options.beforeReactions?.(result);
      const dispatcher = dispatcherByDatabase.get(db);
      if (dispatcher !== undefined && events.length > 0) await dispatcher.dispatch(events);
      return result;
    } catch (error) {
      if (attempt >= ATTEMPTS || !isRetryableConflict(error)) throw error;
    }
  }
}

/**
 * Called by appendEvent: remembers an event of a transaction until it commits, or — for a write outside any
 * transaction (autocommit) — dispatches it at once. Throws when `trx` is a transaction transact() did not open.
 */
export async function eventAppended(trxOrDb: Tx | Kysely<Database>, event: CommittedEvent): Promise<void> {
  if (trxOrDb.isTransaction) {
    const pending = pendingByTransaction.get(trxOrDb as Tx);
    if (pending === undefined)
      throw new Error(
        `appendEvent(${event.type}) in a transaction not opened by transact(): nobody would react to it.`,
      );
    pending.push(event);
    return;
  }
  await dispatcherByDatabase.get(trxOrDb)?.dispatch([event]);
}
