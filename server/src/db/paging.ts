// One page of ids from any filtered query, newest first, with the total count: lists load full rows only when asked (`full=1`).
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from './schema.js';

export interface IdPage {
  ids: number[];
  count: number;
}

/** Runs `matches` (a query selecting only `id`) as a subquery: one page ordered by id descending, and a count when the page cannot tell it. */
export async function pageOfIds<TB extends keyof Database>(
  db: Kysely<Database>,
  matches: SelectQueryBuilder<Database, TB, { id: number }>,
  page: number,
  limit: number,
): Promise<IdPage> {
  const offset = (page - 1) * limit;
  const rows = await db
    .selectFrom(matches.as('matches'))
    .select('matches.id')
    .orderBy('matches.id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  const ids = rows.map((row) => Number(row.id));
  // A page that is neither full nor past the end says how many there are: no second query (most lists are short).
  if ((ids.length > 0 && ids.length < limit) || (ids.length === 0 && page === 1))
    return { ids, count: offset + ids.length };
  const counted = await db
    .selectFrom(matches.as('matches'))
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return { ids, count: Number(counted.count) };
}

/** Orders loaded rows as the ids were ordered. */
export function inIdOrder<R extends { id: number }>(ids: number[], rows: R[]): R[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [row] : [];
  });
}
