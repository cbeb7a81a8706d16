// Calls of /api/2/visitor (contacts) with the console session. The generated SDK does not know the contact fields and
// the merge route yet (the lead regenerates it), so these go through fetch with the session's token and fail as the
// SDK does (CauserieError with the API's message, error id and field), so forms show them alike.
import { type Api, CauserieError } from '../api';
import type { Contact, ContactBody } from './logic';

interface Envelope<D> {
  meta?: { status?: string; message?: string; error?: string; field?: string };
  data?: D;
  pagination?: { count?: number; page?: number; limit?: number };
}

async function call<D>(api: Api, method: string, path: string, body?: unknown): Promise<Envelope<D>> {
  const response = await fetch(`${window.location.origin}/api/2${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${api.session.token}`,
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const answer = (await response.json().catch(() => ({}))) as Envelope<D>;
  if (response.ok && answer.meta?.status === 'success') return answer;
  throw new CauserieError(
    response.status,
    answer.meta?.message ?? `HTTP ${response.status}`,
    answer,
    answer.meta?.error ?? response.headers.get('x-causerie-error') ?? undefined,
    answer.meta?.field,
  );
}

export const PAGE_SIZE = 25;

/** One page of contacts, newest first, matching `query` (names, email, phone, ids) when given. */
export async function searchContacts(
  api: Api,
  query: string,
  page: number,
): Promise<{ contacts: Contact[]; count: number }> {
  const params = new URLSearchParams({ full: '1', limit: String(PAGE_SIZE), page: String(page) });
  if (query.trim() !== '') params.set('filters[q]', query.trim());
  const answer = await call<Contact[]>(api, 'GET', `/visitor?${params}`);
  const contacts = answer.data ?? [];
  return { contacts, count: answer.pagination?.count ?? contacts.length };
}

export const readContact = async (api: Api, id: number): Promise<Contact> =>
  (await call<Contact>(api, 'GET', `/visitor/${id}`)).data as Contact;

export const updateContact = async (api: Api, id: number, body: ContactBody): Promise<Contact> =>
  (await call<Contact>(api, 'PUT', `/visitor/${id}`, body)).data as Contact;

/** Merges contact `fromId` into contact `id`; answers the contact kept. */
export const mergeContact = async (api: Api, id: number, fromId: number): Promise<Contact> =>
  (await call<Contact>(api, 'POST', `/visitor/${id}/merge`, { from_id: fromId })).data as Contact;
