// `filters[q]` of GET /api/2/conversation: the list's own filtered conversations, ranked by the search.
import type { Expression, Kysely } from 'kysely';
import type { IdPage } from '../../db/paging.js';
import type { Database } from '../../db/schema.js';
import type { Principal } from '../tenancy/policy.js';
import { rankConversations } from './query.js';
import { searchWords } from './terms.js';

/** One page of ids among `within`, most relevant first; notes count (list readers may read them). */
export async function rankedConversationPage(
  db: Kysely<Database>,
  principal: Principal,
  text: string | number | boolean,
  within: Expression<unknown>,
  page: { page: number; limit: number },
): Promise<IdPage> {
  const words = searchWords(String(text), 'filters[q]');
  const ranked = await rankConversations(db, principal, { words, includeNotes: true, within });
  return {
    ids: ranked.slice((page.page - 1) * page.limit, page.page * page.limit).map((row) => row.id),
    count: ranked.length,
  };
}
