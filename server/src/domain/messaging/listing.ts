// One page of a messaging list (companies, accounts, environments, testers, callback deliveries): the rows of a
// filtered query, newest first, with the count of every row that matches.
import { type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface PageRequest {
  /** 1-based. */
  page: number;
  limit: number;
}

/** `filtered` (a query of one table with its where clauses, nothing selected yet): one page, newest first, and the count. */
export async function newestFirst<T extends keyof Database>(
  filtered: SelectQueryBuilder<Database, T, object>,
  at: PageRequest,
) {
  const counted = await filtered.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const items = await filtered
    .selectAll()
    // Every messaging table has an increasing `id`: newest first.
    .orderBy(sql`id`, 'desc')
    .limit(at.limit)
    .offset((at.page - 1) * at.limit)
    .execute();
  return { items, count: Number(counted.count) };
}
