// Calls of /api/2/canned_response with the console session, through the SDK client: failures are CauserieErrors with
// the API's message, error id and field, so forms show them as every other form does.
import { type Api, dataOf, unwrap, withFields } from '../api';
import type { CannedResponse, CannedScope } from './logic';

/** A canned response as the SDK types it: every field but `id` optional (a `full=0` list answers only ids). */
interface CannedRow {
  id: number;
  shortcut?: string;
  title?: string;
  body?: string;
  scope?: string;
  operator_id?: number | null;
  website_id?: number | null;
  attachments?: string[];
  updated_at?: string;
}

const CANNED_FIELDS = ['shortcut', 'title', 'body', 'scope', 'operator_id', 'website_id', 'attachments'] as const;

/** The response as the console uses it: checks that the fields it shows came and that the scope is one it knows. */
function cannedOf(row: CannedRow): CannedResponse {
  const [full] = withFields([row], CANNED_FIELDS);
  if (full === undefined) throw new Error('The server answered no canned response.');
  const { scope } = full;
  if (scope !== 'shared' && scope !== 'personal')
    throw new Error(`The server's answer has an unknown scope '${scope}'.`);
  return {
    id: full.id,
    shortcut: full.shortcut,
    title: full.title,
    body: full.body,
    scope,
    operator_id: full.operator_id,
    website_id: full.website_id,
    attachments: full.attachments,
    ...(full.updated_at !== undefined && { updated_at: full.updated_at }),
  };
}

/** Every response the operator may use (shared and their own), on one website when given; at most 500. */
export async function listCannedResponses(api: Api, websiteId?: number): Promise<CannedResponse[]> {
  const all: CannedResponse[] = [];
  for (let page = 1; page <= 5; page += 1) {
    const rows = await dataOf(
      api.GET('/api/2/canned_response', {
        params: {
          query: {
            full: '1',
            limit: 100,
            page,
            ...(websiteId !== undefined && { 'filters[website_id]': String(websiteId) }),
          },
        },
      }),
    );
    all.push(...rows.map(cannedOf));
    if (rows.length < 100) break;
  }
  return all;
}

export interface CannedDraft {
  shortcut: string;
  title: string;
  body: string;
  website_id: number | null;
  attachments: string[];
}

export const createCannedResponse = async (
  api: Api,
  draft: CannedDraft & { scope: CannedScope },
): Promise<CannedResponse> => cannedOf(await dataOf(api.POST('/api/2/canned_response', { body: draft })));

export const updateCannedResponse = async (api: Api, id: number, draft: CannedDraft): Promise<CannedResponse> =>
  cannedOf(await dataOf(api.PUT('/api/2/canned_response/{id}', { params: { path: { id } }, body: draft })));

/** Deletes a response (its success answers no data). */
export const deleteCannedResponse = async (api: Api, id: number): Promise<void> => {
  await unwrap(api.DELETE('/api/2/canned_response/{id}', { params: { path: { id } } }));
};

/** The body with the conversation's visitor, operator and website filled in (server side: domain/canned/render.ts). */
export const renderCannedResponse = (
  api: Api,
  id: number,
  conversationId: number,
): Promise<{ id: number; body: string; attachments: string[] }> =>
  dataOf(
    api.GET('/api/2/canned_response/{id}/render', {
      params: { path: { id }, query: { conversation_id: conversationId } },
    }),
  );
