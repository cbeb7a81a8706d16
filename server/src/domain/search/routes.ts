// GET /api/2/conversation/search: the console's search, ranked conversations with the matching snippet.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import { ErrorResponses, ListEnvelope, many } from '../../http/envelope.js';
import { pageInfo, parseListQuery } from '../../http/filters.js';
import { formatDateTime } from '../../time.js';
import { authorize, clientScope, type Principal } from '../tenancy/policy.js';
import { searchFilters } from './filters.js';
import { searchConversations } from './query.js';
import { SEARCH_FILTERS, SearchQuery, SearchResultData } from './schema.js';
import { searchWords } from './terms.js';

export const searchRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  app.get(
    '/conversation/search',
    {
      schema: {
        tags: ['Conversation'],
        summary: 'Search conversations',
        description:
          "Full-text search over what visitors and operators wrote, private and closing notes, the visitor's name and email and the tags. Most relevant first (a conversation that mentions the words more ranks higher), with the best match as an HTML `snippet`. Ranking reads the newest 5,000 matching messages of the conversations the caller may see (after the filters), and at most 5,000 conversations: for a very common word, narrow `from`/`to` to reach older ones. Filters narrow the results; unlike the list, no period applies unless `from` or `to` is given.",
        querystring: SearchQuery,
        response: { 200: ListEnvelope(SearchResultData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'list');
      const words = searchWords(request.query.q, 'q');
      const query = parseListQuery(request.query, SEARCH_FILTERS, 'conversation');
      const { hits, count } = await searchConversations(
        db,
        request.principal,
        // API keys and console sessions may read notes: they are searched too.
        { words, includeNotes: true, filters: searchFilters(query.filters) },
        query.page,
        query.limit,
      );
      const rows = await loadResultRows(
        db,
        request.principal,
        hits.map((hit) => hit.id),
      );
      const data = hits.flatMap((hit) => {
        const row = rows.get(hit.id);
        if (row === undefined) return [];
        return [
          {
            ...row,
            score: hit.score,
            matched_in: hit.matchedIn,
            seq: hit.seq,
            snippet: hit.snippet,
          },
        ];
      });
      return many(data, pageInfo(query.page, query.limit, count));
    },
  );
};

async function loadResultRows(db: Kysely<Database>, principal: Principal, ids: number[]) {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('conversation')
    .innerJoin('visitor', 'visitor.id', 'conversation.visitor_id')
    .select([
      'conversation.id',
      'conversation.status',
      'conversation.channel',
      'conversation.source',
      'conversation.website_id',
      'conversation.operator_id',
      'conversation.visitor_id',
      'conversation.created_at',
      'conversation.closed_at',
      'visitor.firstname',
      'visitor.lastname',
    ])
    .where('conversation.id', 'in', ids)
    .where(clientScope(principal, 'conversation.client_id'))
    .execute();
  const tags = await db
    .selectFrom('conversation_tag')
    .select(['conversation_id', 'tag_id'])
    .where('conversation_id', 'in', ids)
    .orderBy('tag_id')
    .execute();
  return new Map(
    rows.map((row) => {
      const name = [row.firstname, row.lastname].filter((part) => part !== null && part !== '').join(' ');
      return [
        row.id,
        {
          id: row.id,
          status: row.status,
          channel: row.channel,
          source: row.source,
          website_id: row.website_id,
          operator_id: row.operator_id,
          visitor_id: row.visitor_id,
          visitor_name: name === '' ? null : name,
          created_at: formatDateTime(row.created_at),
          closed_at: row.closed_at === null ? null : formatDateTime(row.closed_at),
          tag_list: tags.filter((tag) => tag.conversation_id === row.id).map((tag) => tag.tag_id),
        },
      ];
    }),
  );
}
