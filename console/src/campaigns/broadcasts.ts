// The Campaigns pages' calls to the broadcasts API (/api/messaging/messenger/broadcast, docs/MESSAGING.md "Sending")
// with the admin's console session, through the SDK client (viewed loosely: the OpenAPI snapshot types these answers
// as unknown). The CSV goes up as the multipart part `file`.
import type { Api } from '../api';
import { unwrap } from '../api';
import type { Listed, Pagination } from '../partner/messaging';
import type { CampaignAction, Progress } from './logic';

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
): Promise<{ data: unknown; pagination?: Pagination }> {
  const send = (api as unknown as Record<Method, LooseCall>)[method];
  return (await unwrap(
    send.call(api, `/api/messaging${path}`, {
      params: { query: options.query ?? {} },
      ...(options.body !== undefined && { body: options.body }),
    }),
  )) as { data: unknown; pagination?: Pagination };
}

export interface Broadcast {
  id: number;
  agent_id: number;
  name: string;
  state: string;
  channel: string;
  content: { text?: string; template_id?: number } | null;
  send_at: string | null;
  rate_per_second: number | null;
  default_country: string | null;
  total: number;
  invalid: number;
  progress?: Progress;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
}

export interface RecipientLine {
  id: number;
  to: string;
  channel: string | null;
  state: string;
  error: string | { message?: string } | null;
  updated_at: string;
}

export interface Problem {
  line: number;
  field: string;
  reason: string;
  value: string | null;
}

const listed = async <T>(api: Api, path: string, query: Record<string, string | number>): Promise<Listed<T>> => {
  const { data, pagination } = await call(api, 'GET', path, { query });
  return { items: data as T[], pagination };
};

export const listBroadcasts = (api: Api, page: number) =>
  listed<Broadcast>(api, '/messenger/broadcast', { page, limit: 20 });
export const getBroadcast = async (api: Api, id: number) =>
  (await call(api, 'GET', `/messenger/broadcast/${id}`)).data as Broadcast;
export const createBroadcast = async (api: Api, body: Record<string, unknown>) =>
  (await call(api, 'POST', '/messenger/broadcast', { body })).data as Broadcast;
export const actBroadcast = async (api: Api, id: number, action: CampaignAction) =>
  (await call(api, 'POST', `/messenger/broadcast/${id}/${action}`, { body: {} })).data as Broadcast;

/** Uploads the recipients' CSV as multipart `file` (the browser sets the boundary). */
export async function uploadRecipients(api: Api, id: number, file: File): Promise<Broadcast> {
  const form = new FormData();
  form.append('file', file, file.name);
  return (await call(api, 'PUT', `/messenger/broadcast/${id}/recipients`, { body: form })).data as Broadcast;
}

export const listRecipients = (api: Api, id: number, page: number) =>
  listed<RecipientLine>(api, `/messenger/broadcast/${id}/recipients`, { page, limit: 50 });
export const listProblems = (api: Api, id: number, page: number) =>
  listed<Problem>(api, `/messenger/broadcast/${id}/problems`, { page, limit: 50 });

/**
 * Downloads a report as a CSV file: fetched with the session (a plain link would carry no Authorization header),
 * then saved from a blob URL.
 */
export async function downloadCsv(api: Api, id: number, report: 'recipients' | 'problems'): Promise<void> {
  const { data, response } = await (api as unknown as Record<'GET', LooseCall>).GET.call(
    api,
    `/api/messaging/messenger/broadcast/${id}/${report}`,
    { params: { query: { format: 'csv' } }, parseAs: 'blob' } as Parameters<LooseCall>[1],
  );
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const url = URL.createObjectURL(data as Blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `broadcast-${id}-${report}.csv`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
