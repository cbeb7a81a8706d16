// Request and answer shapes of GET /api/2/conversation/search.
import { Type } from 'typebox';
import { type FilterSpecs, listQuerySchema } from '../../http/filters.js';
import { MAX_QUERY_LENGTH } from './terms.js';

export const SEARCH_FILTERS: FilterSpecs = {
  status: { kind: 'text', description: 'Status: `waiting`, `open` or `closed`.' },
  operator_id: { kind: 'nullable_id', description: 'Operator identifier; `null` for conversations no operator took.' },
  website_id: { kind: 'id', description: 'Website identifier.' },
  channel: { kind: 'text', description: 'Channel: `chat`, `call`, `video` or `social`.' },
  tag_id: { kind: 'id', description: 'Tag identifier.' },
  from: { kind: 'date', description: 'Created from this date, `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`.' },
  to: { kind: 'date', description: 'Created until this date included, `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`.' },
};

const listQuery = listQuerySchema(SEARCH_FILTERS);

export const SearchQuery = Type.Object({
  q: Type.Optional(
    Type.String({
      description: `The words to find (at most ${MAX_QUERY_LENGTH} characters): every word must appear, each as the start of a word, in one message, note, the visitor's name or email, or a tag.`,
      examples: ['order 4512'],
    }),
  ),
  page: listQuery.properties.page,
  limit: listQuery.properties.limit,
  ...Object.fromEntries(Object.entries(listQuery.properties).filter(([name]) => name.startsWith('filters['))),
});

export const SearchResultData = Type.Object({
  id: Type.Integer({ description: 'Conversation identifier.', examples: [4512] }),
  status: Type.String({ description: '`waiting`, `open` or `closed`.', examples: ['closed'] }),
  channel: Type.String({ description: '`chat`, `call`, `video` or `social`.', examples: ['chat'] }),
  source: Type.String({ description: 'Where it came from: `web`, `whatsapp`, `sms`, `rcs`, `odigo` or `api`.' }),
  website_id: Type.Integer({ description: 'Website identifier.' }),
  operator_id: Type.Union([Type.Integer(), Type.Null()], { description: 'Its operator, or null.' }),
  visitor_id: Type.Integer({ description: 'Visitor identifier.' }),
  visitor_name: Type.Union([Type.String(), Type.Null()], {
    description: "The visitor's first and last name, or null when unknown.",
    examples: ['Jane Doe'],
  }),
  created_at: Type.String({ description: 'Creation date, `YYYY-MM-DD HH:MM:SS` UTC.' }),
  closed_at: Type.Union([Type.String(), Type.Null()], { description: 'Closing date, or null.' }),
  tag_list: Type.Array(Type.Integer(), { description: 'Tag identifiers.' }),
  score: Type.Number({ description: 'Relevance (higher is better); only the order between results means something.' }),
  matched_in: Type.String({
    description: 'Where the snippet comes from: `message`, `note`, `visitor` (name or email) or `tag`.',
    examples: ['message'],
  }),
  seq: Type.Union([Type.Integer(), Type.Null()], {
    description: 'The matching history entry (`seq`) when `matched_in` is `message` or `note`.',
  }),
  snippet: Type.String({
    description:
      'HTML: the words around the match, escaped, with each match inside `<mark>…</mark>`; no other markup ever appears.',
    examples: ['…where is my <mark>order</mark> 4512? It was due…'],
  }),
});
