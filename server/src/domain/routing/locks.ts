// Row locks for routing: the one place where routing's SQL differs between PostgreSQL and SQLite.
//
// PostgreSQL runs the transactions of many connections (and nodes) side by side, so routing takes row locks:
// `FOR UPDATE` on operators before counting their loads, `FOR UPDATE SKIP LOCKED` on waiting conversations so two
// nodes serving one queue take different conversations. SQLite has no such clause and needs none: Kysely gives its
// single connection to one transaction at a time, so the same statements run unlocked there. runInTransaction
// retries a transaction PostgreSQL aborted to break a deadlock.
import type { Kysely, SelectQueryBuilder, Transaction } from 'kysely';
import { dialectOf } from '../../db/dialect.js';
import type { Database } from '../../db/schema.js';

/** `wait`: block until the rows are free; `skip_locked`: leave out rows another transaction holds. */
export type LockMode = 'wait' | 'skip_locked';

/** Adds the PostgreSQL row lock to a one-table SELECT; returns it unchanged on SQLite. */
export function lockRows<TB extends keyof Database, O>(
  trx: Transaction<Database>,
  query: SelectQueryBuilder<Database, TB, O>,
  mode: LockMode,
): SelectQueryBuilder<Database, TB, O> {
  if (dialectOf(trx) !== 'postgres') return query;
  const locked = query.forUpdate();
  return mode === 'skip_locked' ? locked.skipLocked() : locked;
}

/** PostgreSQL's answer when it broke a lock cycle or a serialisation conflict: the transaction may simply run again. */
function isRetryableConflict(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '40P01' || code === '40001';
}

const ATTEMPTS = 3;

/**
 * Runs `work` in one transaction, again (up to three times) when PostgreSQL aborted it to break a deadlock. Routing
 * itself takes operator locks in one fixed order, but other writers (an administrator moving operators between
 * groups) lock operator rows in their own order. `work` must have no effect outside the database.
 */
export async function runInTransaction<T>(
  db: Kysely<Database>,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (attempt >= ATTEMPTS || !isRetryableConflict(error)) throw error;
    }
  }
}
