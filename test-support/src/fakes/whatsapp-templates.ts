// The message-template half of the fake WhatsApp Cloud API (whatsapp.ts): filing, editing and deleting templates
// under a business account as Meta's Graph API does, its review, and the checks a template send must pass.
import { randomBytes } from 'node:crypto';
import { type FakeAnswer, type FakeRequest, json } from './http.js';

/** A Graph API error answer in Meta's envelope (the messages half answers with it too). */
export const graphError = (
  status: number,
  code: number,
  message: string,
  extra: Record<string, unknown> = {},
): FakeAnswer =>
  json(status, {
    error: {
      message,
      type: code === 190 ? 'OAuthException' : 'GraphMethodException',
      code,
      ...extra,
      fbtrace_id: randomBytes(8).toString('hex'),
    },
  });

/** A template submitted under the business account, with its review state (Meta's names). */
export interface SubmittedTemplate {
  id: string;
  name: string;
  language: string;
  category: string;
  components: unknown[];
  status: 'PENDING' | 'APPROVED' | 'REJECTED' | 'PAUSED' | 'DISABLED';
  /** How many times it was edited in place (`POST /{message_template_id}`). */
  edits: number;
}

/**
 * Where Meta refuses a template's placeholders: only positional {{n}}; none in the footer, at most one in a text
 * header, and the body neither starting nor ending with one (subcode 2388299).
 */
function placeholderProblem(
  components: Array<Record<string, unknown>>,
  bodyText: string,
): Record<string, unknown> | undefined {
  const texts = components.flatMap((component) => [
    component.text,
    ...(Array.isArray(component.buttons)
      ? (component.buttons as Array<Record<string, unknown>>).flatMap((button) => [button.text, button.url])
      : []),
  ]);
  for (const text of texts)
    if (typeof text === 'string' && (text.match(/\{\{[^}]*\}\}/g) ?? []).some((p) => !/^\{\{\d+\}\}$/.test(p)))
      return { error_user_msg: `Parameters are written {{1}}, {{2}}…: '${text}' is not valid.` };
  const placeholders = (component: Record<string, unknown> | undefined) =>
    (typeof component?.text === 'string' ? component.text : '').match(/\{\{\d+\}\}/g)?.length ?? 0;
  if (placeholders(components.find((component) => component.type === 'FOOTER')) > 0)
    return { error_user_msg: 'The footer cannot contain parameters.' };
  if (placeholders(components.find((component) => component.type === 'HEADER')) > 1)
    return { error_user_msg: 'The header can contain at most one parameter.' };
  const trimmed = bodyText.trim();
  if (/^\{\{\d+\}\}/.test(trimmed) || /\{\{\d+\}\}$/.test(trimmed))
    return {
      error_subcode: 2388299,
      error_user_title: "Variables can't be at the start or end of the template",
      error_user_msg: 'The body text starts or ends with a parameter.',
    };
  return undefined;
}

/** How many {{n}} parameters a filed text has (its distinct positions). */
function placeholderCount(text: unknown): number {
  return new Set(typeof text === 'string' ? (text.match(/\{\{\d+\}\}/g) ?? []) : []).size;
}

/** The URL buttons of a template's components. */
function urlButtonsOf(components: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const buttons = components.find((component) => component.type === 'BUTTONS')?.buttons;
  return Array.isArray(buttons) ? (buttons as Array<Record<string, unknown>>).filter((b) => b.type === 'URL') : [];
}

/** The business account's templates, as the fake Graph API keeps them. */
export interface TemplateAccount {
  wabaId: string | undefined;
  templates: SubmittedTemplate[];
  deleted: SubmittedTemplate[];
}

export type TemplateReview = 'APPROVED' | 'REJECTED' | 'PAUSED' | 'DISABLED';

/**
 * `POST /{waba_id}/message_templates` as Meta answers it: the name lower case with digits and _, a known category,
 * a BODY component whose {{n}} parameters come with examples; a name already used in that language is refused
 * (2388024). Accepted templates are PENDING until `review` decides.
 */
export function createTemplate(account: TemplateAccount, request: FakeRequest, wabaId: string): FakeAnswer {
  if (request.method !== 'POST') return graphError(400, 100, 'Unsupported request.');
  if (wabaId !== account.wabaId)
    return graphError(400, 100, `Unsupported post request. Object with ID '${wabaId}' does not exist.`, {
      error_subcode: 33,
    });
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return graphError(400, 100, '(#100) Invalid JSON.');
  }
  const { name, language, category, components } = body;
  if (typeof name !== 'string' || !/^[a-z0-9_]{1,512}$/.test(name))
    return graphError(400, 100, '(#100) Invalid parameter', {
      error_user_msg: 'Template name can only contain lowercase alphanumeric characters and underscores.',
    });
  if (typeof language !== 'string') return graphError(400, 100, '(#100) The parameter language is required.');
  if (category !== 'MARKETING' && category !== 'UTILITY' && category !== 'AUTHENTICATION')
    return graphError(400, 100, '(#100) Invalid parameter', { error_user_msg: 'Category is invalid.' });
  const list = Array.isArray(components) ? (components as Array<Record<string, unknown>>) : [];
  const bodyComponent = list.find((component) => component.type === 'BODY');
  if (bodyComponent === undefined || typeof bodyComponent.text !== 'string')
    return graphError(400, 100, '(#100) Invalid parameter', { error_user_msg: 'A BODY component is required.' });
  const placement = placeholderProblem(list, bodyComponent.text);
  if (placement !== undefined) return graphError(400, 100, '(#100) Invalid parameter', placement);
  const parameters = new Set(bodyComponent.text.match(/\{\{\d+\}\}/g) ?? []).size;
  const examples = (bodyComponent.example as { body_text?: unknown[][] } | undefined)?.body_text?.[0]?.length ?? 0;
  if (parameters > 0 && examples === 0)
    return graphError(400, 100, '(#100) Invalid parameter', {
      error_user_msg: 'Variables in the body need examples (example.body_text).',
    });
  const header = list.find((component) => component.type === 'HEADER');
  const headerExamples = (header?.example as { header_text?: unknown[] } | undefined)?.header_text?.length ?? 0;
  if (header !== undefined && placeholderCount(header.text) > 0 && headerExamples === 0)
    return graphError(400, 100, '(#100) Invalid parameter', {
      error_user_msg: 'Variables in the header need an example (example.header_text).',
    });
  for (const button of urlButtonsOf(list))
    if (placeholderCount(button.url) > 0 && !(Array.isArray(button.example) && button.example.length > 0))
      return graphError(400, 100, '(#100) Invalid parameter', {
        error_user_msg: `The URL button '${String(button.text)}' has a variable and needs an example url.`,
      });
  if (account.templates.some((template) => template.name === name && template.language === language))
    return graphError(400, 2388024, 'Content in this language already exists', {
      error_user_msg: `There is already ${language} content for this template.`,
    });
  const id = String(1_700_000_000_000 + account.templates.length);
  account.templates.push({ id, name, language, category, components: list, status: 'PENDING', edits: 0 });
  return json(200, { id, status: 'PENDING', category });
}

/**
 * `DELETE /{waba_id}/message_templates?name=…&hsm_id=…` as Meta deletes one template (by its id, the name
 * confirming it), or every language of a name when no id is given.
 */
export function deleteTemplate(account: TemplateAccount, request: FakeRequest, wabaId: string): FakeAnswer {
  if (wabaId !== account.wabaId)
    return graphError(400, 100, `Unsupported delete request. Object with ID '${wabaId}' does not exist.`, {
      error_subcode: 33,
    });
  const name = request.query.get('name');
  const id = request.query.get('hsm_id');
  if (name === null) return graphError(400, 100, '(#100) The parameter name is required.');
  const doomed = account.templates.filter((template) => template.name === name && (id === null || template.id === id));
  if (doomed.length === 0)
    return graphError(400, 100, '(#100) Invalid parameter', {
      error_subcode: 2593002,
      error_user_msg: `Message template '${name}' not found.`,
    });
  for (const template of doomed) account.templates.splice(account.templates.indexOf(template), 1);
  account.deleted.push(...doomed);
  return json(200, { success: true });
}

/**
 * `POST /{message_template_id}` as Meta edits a filed template: new components (and category), reviewed again; a
 * template still in review cannot be edited.
 */
export function editTemplate(request: FakeRequest, template: SubmittedTemplate): FakeAnswer {
  if (template.status === 'PENDING')
    return graphError(400, 100, '(#100) Invalid parameter', {
      error_user_title: 'Message template cannot be edited',
      error_user_msg: 'A template cannot be edited while it is in review.',
    });
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return graphError(400, 100, '(#100) Invalid JSON.');
  }
  if ('name' in body || 'language' in body)
    return graphError(400, 100, '(#100) Invalid parameter', {
      error_user_msg: "A template's name and language cannot be edited.",
    });
  const list = Array.isArray(body.components) ? (body.components as Array<Record<string, unknown>>) : [];
  const bodyComponent = list.find((component) => component.type === 'BODY');
  if (bodyComponent === undefined || typeof bodyComponent.text !== 'string')
    return graphError(400, 100, '(#100) Invalid parameter', { error_user_msg: 'A BODY component is required.' });
  const placement = placeholderProblem(list, bodyComponent.text);
  if (placement !== undefined) return graphError(400, 100, '(#100) Invalid parameter', placement);
  template.components = list;
  if (typeof body.category === 'string') template.category = body.category;
  template.status = 'PENDING';
  template.edits += 1;
  return json(200, { success: true });
}

/**
 * A send of a template this fake knows (one submitted to it) as Meta checks it: approved, with as many body
 * parameters as the body has {{n}}. Templates never submitted here pass, for tests that only send.
 */
export function templateRefusal(account: TemplateAccount, part: Record<string, unknown>): FakeAnswer | undefined {
  const language = (part.language as { code?: unknown } | undefined)?.code;
  const known = account.templates.filter((template) => template.name === part.name);
  if (known.length === 0) return undefined;
  const template = known.find((item) => item.language === language);
  if (template === undefined || template.status !== 'APPROVED')
    return graphError(400, 132001, '(#132001) Template name does not exist in the translation', {
      error_data: {
        messaging_product: 'whatsapp',
        details: `template name (${String(part.name)}) does not exist in ${String(language)}`,
      },
    });
  const bodyText = (template.components as Array<Record<string, unknown>>).find((c) => c.type === 'BODY')?.text;
  const expected = new Set(String(bodyText ?? '').match(/\{\{\d+\}\}/g) ?? []).size;
  const components = Array.isArray(part.components) ? (part.components as Array<Record<string, unknown>>) : [];
  const given = components.find((component) => component.type === 'body')?.parameters;
  const count = Array.isArray(given) ? given.length : 0;
  const mismatch = (what: string, got: number, wanted: number) =>
    graphError(400, 132000, '(#132000) Number of parameters does not match the expected number of params', {
      error_data: {
        messaging_product: 'whatsapp',
        details: `${what}: number of localizable_params (${got}) does not match the expected number of params (${wanted})`,
      },
    });
  if (count !== expected) return mismatch('body', count, expected);
  // The header takes its {{1}}'s value, or the media by link when the approved header is an image, video or document.
  const filed = template.components as Array<Record<string, unknown>>;
  const header = filed.find((component) => component.type === 'HEADER');
  const headerExpected =
    header === undefined
      ? 0
      : header.format === 'TEXT' || header.format === undefined
        ? placeholderCount(header.text)
        : 1;
  const headerGiven = components.find((component) => component.type === 'header')?.parameters;
  const headerCount = Array.isArray(headerGiven) ? headerGiven.length : 0;
  if (headerCount !== headerExpected) return mismatch('header', headerCount, headerExpected);
  // Each dynamic URL button takes one parameter in a `button` component of sub_type url at its index.
  const buttons = filed.find((component) => component.type === 'BUTTONS')?.buttons;
  const allButtons = Array.isArray(buttons) ? (buttons as Array<Record<string, unknown>>) : [];
  for (const [index, button] of allButtons.entries()) {
    const wanted = button.type === 'URL' ? placeholderCount(button.url) : 0;
    const part = components.find(
      (component) =>
        component.type === 'button' && component.sub_type === 'url' && String(component.index) === String(index),
    );
    const got = Array.isArray(part?.parameters) ? part.parameters.length : 0;
    if (got !== wanted) return mismatch(`button ${index}`, got, wanted);
  }
  return undefined;
}

/** Meta's review of a template: its new status, and the message_template_status_update webhook's body telling it. */
export function reviewTemplate(account: TemplateAccount, name: string, event: TemplateReview, reason: string): string {
  const template = account.templates.find((item) => item.name === name);
  if (template === undefined) throw new Error(`No template '${name}' was submitted.`);
  template.status = event;
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: account.wabaId,
        time: Math.floor(Date.now() / 1000),
        changes: [
          {
            field: 'message_template_status_update',
            value: {
              event,
              message_template_id: Number(template.id),
              message_template_name: template.name,
              message_template_language: template.language,
              reason,
            },
          },
        ],
      },
    ],
  });
}
