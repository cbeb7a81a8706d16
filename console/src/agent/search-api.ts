// GET /api/2/conversation/search with the console session, through the SDK client (failures are CauserieErrors with
// the API's message, error id and field), and the snippet it answers read into text and marks.
import { type Api, unwrap } from '../api';

export interface SearchResult {
  id: number;
  status: 'waiting' | 'open' | 'closed';
  channel: string;
  source: string;
  website_id: number;
  operator_id: number | null;
  visitor_id: number;
  visitor_name: string | null;
  created_at: string;
  closed_at: string | null;
  tag_list: number[];
  score: number;
  matched_in: 'message' | 'note' | 'visitor' | 'tag';
  seq: number | null;
  snippet: string;
}

export interface SearchFilters {
  status?: string;
  website_id?: string;
  channel?: string;
  tag_id?: string;
  from?: string;
  to?: string;
}

export interface SearchPage {
  results: SearchResult[];
  count: number;
}

const FILTER_NAMES = ['status', 'website_id', 'channel', 'tag_id', 'from', 'to'] as const;

/** The query of a search as the API names it: `q`, the page and every filter given (`filters[status]`…). */
export type SearchParameters = { q: string; page: number; limit: number } & {
  [Name in (typeof FILTER_NAMES)[number] as `filters[${Name}]`]?: string;
};

export function searchParameters(text: string, filters: SearchFilters, page: number, limit: number): SearchParameters {
  const parameters: SearchParameters = { q: text, page, limit };
  for (const name of FILTER_NAMES) {
    const value = filters[name];
    if (value !== undefined && value !== '') parameters[`filters[${name}]` as const] = value;
  }
  return parameters;
}

const STATUSES: readonly SearchResult['status'][] = ['waiting', 'open', 'closed'];
const MATCHED_IN: readonly SearchResult['matched_in'][] = ['message', 'note', 'visitor', 'tag'];

const oneOf = <Value extends string>(values: readonly Value[], value: string): value is Value =>
  (values as readonly string[]).includes(value);

/** A result as the console shows it: the API documents `status` and `matched_in` as text, so they are checked here. */
function resultOf(
  row: Omit<SearchResult, 'status' | 'matched_in'> & { status: string; matched_in: string },
): SearchResult {
  const { status, matched_in } = row;
  if (!oneOf(STATUSES, status)) throw new Error(`The server's answer has an unknown status '${status}'.`);
  if (!oneOf(MATCHED_IN, matched_in)) throw new Error(`The server's answer has an unknown match '${matched_in}'.`);
  return { ...row, status, matched_in };
}

export async function searchConversations(
  api: Api,
  text: string,
  filters: SearchFilters,
  page: number,
  limit = 20,
): Promise<SearchPage> {
  const answer = await unwrap(
    api.GET('/api/2/conversation/search', { params: { query: searchParameters(text, filters, page, limit) } }),
  );
  return { results: answer.data.map(resultOf), count: answer.pagination.count };
}

export interface SnippetPart {
  text: string;
  marked: boolean;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * The server's snippet (escaped text, matches in <mark>) as plain text parts, so the console renders it as text and
 * never as markup: whatever the snippet holds, nothing in it can become an element or run.
 */
export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  const plain = (text: string) => text.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity);
  const pattern = /<mark>([\s\S]*?)<\/mark>/g;
  let last = 0;
  for (let match = pattern.exec(snippet); match !== null; match = pattern.exec(snippet)) {
    if (match.index > last) parts.push({ text: plain(snippet.slice(last, match.index)), marked: false });
    parts.push({ text: plain(match[1] ?? ''), marked: true });
    last = match.index + match[0].length;
  }
  if (last < snippet.length) parts.push({ text: plain(snippet.slice(last)), marked: false });
  return parts;
}
