// Calls of /api/2/visitor (contacts) with the console session, through the SDK client: failures are CauserieErrors with
// the API's message, error id and field, so forms show them as every other form does.
import { type Api, dataOf, unwrap } from '../api';
import type { Contact, ContactBody } from './logic';

export const PAGE_SIZE = 25;

/** One page of contacts, newest first, matching `query` (names, email, phone, ids) when given. */
export async function searchContacts(
  api: Api,
  query: string,
  page: number,
): Promise<{ contacts: Contact[]; count: number }> {
  const wanted = query.trim();
  const answer = await unwrap(
    api.GET('/api/2/visitor', {
      params: { query: { full: '1', limit: PAGE_SIZE, page, ...(wanted !== '' && { 'filters[q]': wanted }) } },
    }),
  );
  return { contacts: answer.data, count: answer.pagination.count };
}

export const readContact = (api: Api, id: number): Promise<Contact> =>
  dataOf(api.GET('/api/2/visitor/{id}', { params: { path: { id } } }));

export const updateContact = (api: Api, id: number, body: ContactBody): Promise<Contact> =>
  dataOf(api.PUT('/api/2/visitor/{id}', { params: { path: { id } }, body }));

/** Merges contact `fromId` into contact `id`; answers the contact kept. */
export const mergeContact = (api: Api, id: number, fromId: number): Promise<Contact> =>
  dataOf(api.POST('/api/2/visitor/{id}/merge', { params: { path: { id } }, body: { from_id: fromId } }));
