// The template pages' calls to /api/messaging/messenger/template (docs/MESSAGING.md "Templates") with the admin's
// console session, through the SDK client, and the account's WhatsApp channels a template may be submitted to Meta
// with. The OpenAPI document types these routes' paths, parameters and bodies but not their answers' `data`
// (unknown), so the answers are checked here before the pages use them.
import type { Api } from '../api';
import { dataOf, formBody, unwrap } from '../api';
import type { Listed } from '../partner/messaging';
import type { ServerPreview, Template } from './logic';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** A template as the API presents it: the fields the pages read first (the rest follow the same presenter). */
function isTemplate(value: unknown): value is Template {
  return (
    isRecord(value) &&
    typeof value.id === 'number' &&
    typeof value.name === 'string' &&
    typeof value.language === 'string' &&
    typeof value.category === 'string' &&
    isRecord(value.content) &&
    typeof value.content.body === 'string' &&
    Array.isArray(value.variables) &&
    (value.whatsapp === null || isRecord(value.whatsapp))
  );
}

function templateOf(value: unknown): Template {
  if (!isTemplate(value)) throw new Error("The server's answer is not a template.");
  return value;
}

/** A preview: per channel, absent or the text it renders (with the channel's own counts). */
function isServerPreview(value: unknown): value is ServerPreview {
  const rendered = (part: unknown) => part === undefined || (isRecord(part) && typeof part.text === 'string');
  return isRecord(value) && rendered(value.sms) && rendered(value.rcs) && rendered(value.whatsapp);
}

function previewOf(value: unknown): ServerPreview {
  if (!isServerPreview(value)) throw new Error("The server's answer is not a preview.");
  return value;
}

/** A template's body as the form made it (logic.ts templateBody): the server judges it and names a wrong field. */
type TemplateBody = Readonly<Record<string, unknown>>;

export async function listTemplates(api: Api, page: number): Promise<Listed<Template>> {
  const answer = await unwrap(api.GET('/api/messaging/messenger/template', { params: { query: { page, limit: 20 } } }));
  if (!Array.isArray(answer.data)) throw new Error("The server's answer is not a list of templates.");
  return { items: answer.data.map(templateOf), pagination: answer.pagination };
}

export const getTemplate = async (api: Api, id: number): Promise<Template> =>
  templateOf(await dataOf(api.GET('/api/messaging/messenger/template/{id}', { params: { path: { id } } })));

export const createTemplate = async (api: Api, body: TemplateBody): Promise<Template> =>
  templateOf(await dataOf(api.POST('/api/messaging/messenger/template', { body: formBody(body) })));

export const updateTemplate = async (api: Api, id: number, body: TemplateBody): Promise<Template> =>
  templateOf(
    await dataOf(api.PUT('/api/messaging/messenger/template/{id}', { params: { path: { id } }, body: formBody(body) })),
  );

export const deleteTemplate = async (api: Api, id: number): Promise<void> => {
  await unwrap(api.DELETE('/api/messaging/messenger/template/{id}', { params: { path: { id } } }));
};

export const previewTemplate = async (
  api: Api,
  id: number,
  variables: Record<string, string>,
): Promise<ServerPreview> =>
  previewOf(
    await dataOf(
      api.POST('/api/messaging/messenger/template/{id}/preview', { params: { path: { id } }, body: { variables } }),
    ),
  );

export interface WhatsappChannel {
  id: number;
  name: string;
}

/** The account's WhatsApp channels (the console session lists the account's channels). */
export async function listWhatsappChannels(api: Api): Promise<WhatsappChannel[]> {
  const rows = await dataOf(api.GET('/api/2/channel', { params: { query: { full: '1', limit: 100 } } }));
  return rows
    .filter((row) => row.type === 'whatsapp')
    .map((row) => ({ id: row.id, name: row.name ?? `WhatsApp ${row.id}` }));
}
