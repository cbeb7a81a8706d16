// The template pages' calls to /api/messaging/messenger/template (docs/MESSAGING.md "Templates") with the admin's
// console session, through the SDK client viewed loosely (the OpenAPI snapshot types these answers as unknown), and
// the account's WhatsApp channels a template may be submitted to Meta with.
import type { Api } from '../api';
import { dataOf, unwrap } from '../api';
import type { Listed, Pagination } from '../partner/messaging';
import type { ServerPreview, Template } from './logic';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
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
    send.call(api, `/api/messaging/messenger/template${path}`, {
      params: { query: options.query ?? {} },
      ...(options.body !== undefined && { body: options.body }),
    }),
  )) as { data: unknown; pagination?: Pagination };
}

export async function listTemplates(api: Api, page: number): Promise<Listed<Template>> {
  const { data, pagination } = await call(api, 'GET', '', { query: { page, limit: 20 } });
  return { items: data as Template[], pagination };
}
export const getTemplate = async (api: Api, id: number) => (await call(api, 'GET', `/${id}`)).data as Template;
export const createTemplate = async (api: Api, body: Record<string, unknown>) =>
  (await call(api, 'POST', '', { body })).data as Template;
export const updateTemplate = async (api: Api, id: number, body: Record<string, unknown>) =>
  (await call(api, 'PUT', `/${id}`, { body })).data as Template;
export const deleteTemplate = async (api: Api, id: number) => {
  await call(api, 'DELETE', `/${id}`);
};
export const previewTemplate = async (api: Api, id: number, variables: Record<string, string>) =>
  (await call(api, 'POST', `/${id}/preview`, { body: { variables } })).data as ServerPreview;

export interface WhatsappChannel {
  id: number;
  name: string;
}

/** The account's WhatsApp channels (the console session lists the account's channels). */
export async function listWhatsappChannels(api: Api): Promise<WhatsappChannel[]> {
  const rows = (await dataOf(
    api.GET('/api/2/channel', { params: { query: { full: '1', limit: 100 } } }),
  )) as unknown as {
    id: number;
    type: string;
    name?: string;
  }[];
  return rows
    .filter((row) => row.type === 'whatsapp')
    .map((row) => ({ id: row.id, name: row.name ?? `WhatsApp ${row.id}` }));
}
