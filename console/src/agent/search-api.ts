// GET /api/2/conversation/search with the console session, and the snippet it answers read into text and marks. The
// generated SDK does not know the route yet (the lead regenerates it), so this goes through fetch with the session's
// token and fails as the SDK does (CauserieError with the API's message, error id and field).
import { type Api, CauserieError } from '../api';

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

interface Envelope {
  meta?: { status?: string; message?: string; error?: string; field?: string };
  data?: SearchResult[];
  pagination?: { count?: number };
}

/** The query string of a search: `q`, the page and every filter given. */
export function searchQuery(text: string, filters: SearchFilters, page: number, limit: number): string {
  const parameters = new URLSearchParams({ q: text, page: String(page), limit: String(limit) });
  for (const [name, value] of Object.entries(filters))
    if (value !== undefined && value !== '') parameters.set(`filters[${name}]`, value);
  return parameters.toString();
}

export async function searchConversations(
  api: Api,
  text: string,
  filters: SearchFilters,
  page: number,
  limit = 20,
): Promise<SearchPage> {
  const response = await fetch(
    `${window.location.origin}/api/2/conversation/search?${searchQuery(text, filters, page, limit)}`,
    { headers: { Authorization: `Bearer ${api.session.token}` } },
  );
  const answer = (await response.json().catch(() => ({}))) as Envelope;
  if (response.ok && answer.meta?.status === 'success' && answer.data !== undefined)
    return { results: answer.data, count: answer.pagination?.count ?? answer.data.length };
  throw new CauserieError(
    response.status,
    answer.meta?.message ?? `HTTP ${response.status}`,
    answer,
    answer.meta?.error ?? response.headers.get('x-causerie-error') ?? undefined,
    answer.meta?.field,
  );
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
