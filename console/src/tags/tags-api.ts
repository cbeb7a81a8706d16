// Tags (with their colour and archived state) and the conversation calls the SDK snapshot does not type yet
// (`POST /conversation/{id}/reopen`, tag `colour` / `archived`): the SDK client viewed loosely, as the template pages do,
// until the lead regenerates it.
import { type Api, unwrap } from '../api';

type Method = 'GET' | 'POST' | 'PUT';
type LooseCall = (
  path: string,
  init: { params?: { query?: Record<string, string | number> }; body?: unknown },
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

async function call(
  api: Api,
  method: Method,
  path: string,
  options: { query?: Record<string, string | number>; body?: unknown } = {},
): Promise<unknown> {
  const send = (api as unknown as Record<Method, LooseCall>)[method];
  const answer = (await unwrap(
    send.call(api, `/api/2${path}`, {
      params: { query: options.query ?? {} },
      ...(options.body !== undefined && { body: options.body }),
    }),
  )) as { data: unknown };
  return answer.data;
}

/** A tag as the console shows it. */
export interface Tag {
  id: number;
  name: string;
  website_id: number[];
  colour: string | null;
  archived: boolean;
}

/** The colours the tags page offers (any `#rrggbb` is accepted by the API). */
export const TAG_PALETTE = [
  { name: 'green', hex: '#2f855a' },
  { name: 'blue', hex: '#2b6cb0' },
  { name: 'purple', hex: '#6b46c1' },
  { name: 'pink', hex: '#b83280' },
  { name: 'red', hex: '#c53030' },
  { name: 'orange', hex: '#c05621' },
  { name: 'brown', hex: '#975a16' },
  { name: 'grey', hex: '#4a5568' },
] as const;

/** Every tag of the client (a few hundred at most: pages of 100). */
export async function listTags(api: Api): Promise<Tag[]> {
  const tags: Tag[] = [];
  for (let page = 1; page <= 20; page += 1) {
    const rows = (await call(api, 'GET', '/tag', { query: { full: '1', limit: 100, page } })) as Partial<Tag>[];
    for (const row of rows)
      if (typeof row.id === 'number')
        tags.push({
          id: row.id,
          name: row.name ?? `#${row.id}`,
          website_id: row.website_id ?? [],
          colour: row.colour ?? null,
          archived: row.archived === true,
        });
    if (rows.length < 100) break;
  }
  return tags.sort((a, b) => a.name.localeCompare(b.name));
}

export const createTag = async (api: Api, body: { name: string; colour: string | null }) =>
  (await call(api, 'POST', '/tag', { body })) as Tag;

export const updateTag = async (
  api: Api,
  id: number,
  body: { name?: string; colour?: string | null; archived?: boolean },
) => (await call(api, 'PUT', `/tag/${id}`, { body })) as Tag;

/** Replaces the tags of a conversation (one `conversation.updated` on the server). */
export const setConversationTags = async (api: Api, conversationId: number, tagIds: number[]) => {
  await call(api, 'PUT', `/conversation/${conversationId}`, { body: { tag_list: tagIds } });
};

/** Reopens a closed conversation for the session's own operator. */
export const reopenConversation = async (api: Api, conversationId: number) => {
  await call(api, 'POST', `/conversation/${conversationId}/reopen`, { body: {} });
};
