// Calls of /api/2/canned_response with the console session. The generated SDK does not know this resource yet (the
// lead regenerates it), so these go through fetch with the session's token and fail as the SDK does (CauserieError
// with the API's message, error id and field), so forms show them alike.
import { type Api, CauserieError } from '../api';
import type { CannedResponse, CannedScope } from './logic';

interface Envelope<D> {
  meta?: { status?: string; message?: string; error?: string; field?: string };
  data?: D;
}

async function call<D>(api: Api, method: string, path: string, body?: unknown): Promise<D> {
  const response = await fetch(`${window.location.origin}/api/2${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${api.session.token}`,
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const answer = (await response.json().catch(() => ({}))) as Envelope<D>;
  // A deletion's success has no data.
  if (response.ok && answer.meta?.status === 'success') return answer.data as D;
  throw new CauserieError(
    response.status,
    answer.meta?.message ?? `HTTP ${response.status}`,
    answer,
    answer.meta?.error ?? response.headers.get('x-causerie-error') ?? undefined,
    answer.meta?.field,
  );
}

/** Every response the operator may use (shared and their own), on one website when given; at most 500. */
export async function listCannedResponses(api: Api, websiteId?: number): Promise<CannedResponse[]> {
  const all: CannedResponse[] = [];
  for (let page = 1; page <= 5; page += 1) {
    const query = new URLSearchParams({ full: '1', limit: '100', page: String(page) });
    if (websiteId !== undefined) query.set('filters[website_id]', String(websiteId));
    const rows = await call<CannedResponse[]>(api, 'GET', `/canned_response?${query}`);
    all.push(...rows);
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

export const createCannedResponse = (api: Api, draft: CannedDraft & { scope: CannedScope }) =>
  call<CannedResponse>(api, 'POST', '/canned_response', draft);

export const updateCannedResponse = (api: Api, id: number, draft: CannedDraft) =>
  call<CannedResponse>(api, 'PUT', `/canned_response/${id}`, draft);

export const deleteCannedResponse = (api: Api, id: number) => call<unknown>(api, 'DELETE', `/canned_response/${id}`);

/** The body with the conversation's visitor, operator and website filled in (server side: domain/canned/render.ts). */
export const renderCannedResponse = (api: Api, id: number, conversationId: number) =>
  call<{ id: number; body: string; attachments: string[] }>(
    api,
    'GET',
    `/canned_response/${id}/render?conversation_id=${conversationId}`,
  );
