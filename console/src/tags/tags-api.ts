// Tags (with their colour and archived state) and the conversation calls of the tag chips and the details pane (set a
// conversation's tags, reopen it), through the SDK client: failures are CauserieErrors with the API's message, error id
// and field, so forms show them alike.
import { type Api, dataOf, unwrap } from '../api';

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

/** A tag as the SDK types it: every field but `id` optional (a `full=0` list answers only ids). */
interface TagRow {
  id: number;
  name?: string;
  website_id?: number[];
  colour?: string | null;
  archived?: boolean;
}

const tagOf = (row: TagRow): Tag => ({
  id: row.id,
  name: row.name ?? `#${row.id}`,
  website_id: row.website_id ?? [],
  colour: row.colour ?? null,
  archived: row.archived === true,
});

/** Every tag of the client (a few hundred at most: pages of 100). */
export async function listTags(api: Api): Promise<Tag[]> {
  const tags: Tag[] = [];
  for (let page = 1; page <= 20; page += 1) {
    const rows = await dataOf(api.GET('/api/2/tag', { params: { query: { full: '1', limit: 100, page } } }));
    tags.push(...rows.map(tagOf));
    if (rows.length < 100) break;
  }
  return tags.sort((a, b) => a.name.localeCompare(b.name));
}

export const createTag = async (api: Api, body: { name: string; colour: string | null }): Promise<Tag> =>
  tagOf(await dataOf(api.POST('/api/2/tag', { body })));

export const updateTag = async (
  api: Api,
  id: number,
  body: { name?: string; colour?: string | null; archived?: boolean },
): Promise<Tag> => tagOf(await dataOf(api.PUT('/api/2/tag/{id}', { params: { path: { id } }, body })));

/** Replaces the tags of a conversation (one `conversation.updated` on the server). */
export const setConversationTags = async (api: Api, conversationId: number, tagIds: number[]): Promise<void> => {
  await unwrap(
    api.PUT('/api/2/conversation/{id}', { params: { path: { id: conversationId } }, body: { tag_list: tagIds } }),
  );
};

/** Reopens a closed conversation for the session's own operator. */
export const reopenConversation = async (api: Api, conversationId: number): Promise<void> => {
  await unwrap(api.POST('/api/2/conversation/{id}/reopen', { params: { path: { id: conversationId } }, body: {} }));
};
