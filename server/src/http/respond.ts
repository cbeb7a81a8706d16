// Shared answers of list and read routes: short or full list items, and 404 for anything the key cannot see.
import type { IdPage } from '../db/paging.js';
import { unknownResource } from '../errors.js';
import type { ListQuery } from '../list-query.js';
import { many } from './envelope.js';
import { pageInfo } from './filters.js';

/** A list answer: `{id, _link}` items, or every field with `full=1`. */
export async function listAnswer<R, P>(
  query: ListQuery<string>,
  page: IdPage,
  resource: string,
  load: (ids: number[]) => Promise<R[]>,
  present: (row: R) => P,
) {
  const data = query.full
    ? (await load(page.ids)).map(present)
    : page.ids.map((id) => ({ id, _link: `/${resource}/${id}` }));
  return many<P | { id: number; _link: string }>(data, pageInfo(query.page, query.limit, page.count));
}

/** Loads one resource the key can see, or answers `Unknown 'resource' with 'id' N.` */
export async function loadVisible<R>(resource: string, id: number, load: (ids: number[]) => Promise<R[]>): Promise<R> {
  const [row] = await load([id]);
  if (row === undefined) throw unknownResource(resource, id);
  return row;
}
