// Row locks for routing: the one place where routing's SQL differs between PostgreSQL and SQLite.
//
// PostgreSQL runs the transactions of many connections (and nodes) side by side, so routing takes row locks:
// `FOR UPDATE` on operators before counting their loads, `FOR UPDATE SKIP LOCKED` on waiting conversations so two
// nodes serving one queue take different conversations. SQLite has no such clause and needs none: Kysely gives its
// single connection to one transaction at a time, so the same statements run unlocked there. Whole
// transactions PostgreSQL aborted to break a deadlock are run again by transact() (events/transact.ts).
import type { SelectQueryBuilder, Transaction } from 'kysely';
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
