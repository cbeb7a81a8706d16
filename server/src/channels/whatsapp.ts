// WhatsApp Cloud API adapter: hub.challenge handshake, X-Hub-Signature-256 on the raw body, message and status
// payloads of the `messages` webhook field, sends through POST /{version}/{phone-number-id}/messages, media downloads.
import { createHmac } from 'node:crypto';
import { Type } from 'typebox';
import type {
  ChannelAdapter,
  DeliveryStatus,
  InboundContent,
  InboundMessage,
  MediaKind,
  OutboundContent,
  SendContext,
  SendOutcome,
} from './adapter.js';
import { field, guarded, httpFailure, instantFromEpoch, list, readJson, sameSignature, text } from './http-util.js';

export type WhatsAppCredentials = {
  phone_number_id: string;
  access_token: string;
  app_secret: string;
  verify_token: string;
  api_version?: string;
};

const Secret = (description: string) => Type.String({ minLength: 1, maxLength: 1024, description });

export const WhatsAppCredentialsSchema = Type.Object(
  {
    phone_number_id: Type.String({
      pattern: '^[0-9]{1,32}$',
      description: "The business phone number's id (Meta app dashboard › WhatsApp › API setup).",
    }),
    access_token: Secret('A permanent system-user access token with whatsapp_business_messaging.'),
    app_secret: Secret("The Meta app's secret: webhook payloads are signed with it (X-Hub-Signature-256)."),
    verify_token: Secret('Any text of yours, entered as "Verify token" in the webhook configuration.'),
    api_version: Type.Optional(
      Type.String({ pattern: '^v[0-9]{1,3}\\.[0-9]{1,2}$', description: 'Graph API version (default v21.0).' }),
    ),
  },
  { additionalProperties: false },
);

export const DEFAULT_GRAPH_VERSION = 'v21.0';
/** Meta's standard throughput of one business number. */
export const WHATSAPP_DEFAULT_RATE = 80;
/** Graph errors worth another try later: rate limits (130429, 131056, 80007) and temporary faults (1, 2, 131000). */
const RETRYABLE_GRAPH_CODES = new Set([1, 2, 4, 80007, 130429, 131000, 131056]);
/** Inbound media larger than this are refused (Meta's largest, documents, is 100 MB; we keep 25 MB). */
const MAX_MEDIA_BYTES = 25 * 1024 * 1024;

const MEDIA_KINDS: readonly MediaKind[] = ['image', 'audio', 'video', 'document', 'sticker'];

function signatureOf(secret: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * A stored payload, parsed once: processing reads it four times (the channel's own part, messages, statuses, template
 * reviews), each from the same buffer. The parsed value is only read, never changed.
 */
const parsedPayloads = new WeakMap<Buffer, unknown>();

function payloadOf(rawBody: Buffer): unknown {
  if (parsedPayloads.has(rawBody)) return parsedPayloads.get(rawBody);
  const payload = readJson(rawBody.toString('utf8'));
  parsedPayloads.set(rawBody, payload);
  return payload;
}

/** Each `value` of the `messages` field in a webhook payload, with its contacts. */
function changeValues(rawBody: Buffer): unknown[] {
  const payload = payloadOf(rawBody);
  const values: unknown[] = [];
  for (const entry of list(field(payload, 'entry'))) {
    for (const change of list(field(entry, 'changes'))) {
      if (field(change, 'field') === 'messages') values.push(field(change, 'value'));
    }
  }
  return values;
}

function contentOf(message: unknown): InboundContent | undefined {
  const type = text(field(message, 'type'));
  switch (type) {
    case 'text':
      return { type: 'text', text: text(field(field(message, 'text'), 'body')) ?? '' };
    case 'location': {
      const location = field(message, 'location');
      const latitude = Number(field(location, 'latitude'));
      const longitude = Number(field(location, 'longitude'));
      if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return undefined;
      return {
        type: 'location',
        latitude,
        longitude,
        name: text(field(location, 'name')),
        address: text(field(location, 'address')),
      };
    }
    case 'contacts':
      return {
        type: 'contacts',
        contacts: list(field(message, 'contacts')).map((contact) => ({
          name: text(field(field(contact, 'name'), 'formatted_name')) ?? '',
          phones: list(field(contact, 'phones'))
            .map((phone) => text(field(phone, 'phone')))
            .filter((phone): phone is string => phone !== undefined),
        })),
      };
    case 'interactive': {
      const interactive = field(message, 'interactive');
      const reply = field(interactive, 'button_reply') ?? field(interactive, 'list_reply');
      return { type: 'reply', id: text(field(reply, 'id')) ?? '', title: text(field(reply, 'title')) ?? '' };
    }
    case 'button': {
      // A quick-reply button of a template.
      const button = field(message, 'button');
      return { type: 'reply', id: text(field(button, 'payload')) ?? '', title: text(field(button, 'text')) ?? '' };
    }
    case 'reaction': {
      const reaction = field(message, 'reaction');
      return {
        type: 'reaction',
        emoji: text(field(reaction, 'emoji')) ?? '',
        messageId: text(field(reaction, 'message_id')) ?? '',
      };
    }
    default: {
      const kind = MEDIA_KINDS.find((candidate) => candidate === type);
      if (kind === undefined) return undefined;
      const media = field(message, kind);
      return {
        type: 'media',
        kind,
        mediaId: text(field(media, 'id')),
        mimeType: text(field(media, 'mime_type')),
        caption: text(field(media, 'caption')),
        filename: text(field(media, 'filename')),
      };
    }
  }
}

/** The `messages` body of one outbound content. */
function graphMessage(to: string, content: OutboundContent): Record<string, unknown> {
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: to.replace(/^\+/, '') };
  switch (content.type) {
    case 'text':
      return { ...base, type: 'text', text: { preview_url: false, body: content.text } };
    case 'media':
      return {
        ...base,
        type: content.kind,
        [content.kind]: {
          link: content.url,
          ...(content.caption !== undefined &&
            content.kind !== 'audio' &&
            content.kind !== 'sticker' && { caption: content.caption }),
          ...(content.filename !== undefined && content.kind === 'document' && { filename: content.filename }),
        },
      };
    case 'template':
      return {
        ...base,
        type: 'template',
        template: {
          name: content.name,
          language: { code: content.language },
          ...(templateComponents(content).length > 0 && { components: templateComponents(content) }),
        },
      };
  }
}

/**
 * A template send's components as the Cloud API takes them: the header's parameter (text, or the media by link), the
 * body's parameters in order, and one `button` component per dynamic URL button (sub_type url, its index).
 */
function templateComponents(content: Extract<OutboundContent, { type: 'template' }>): Array<Record<string, unknown>> {
  const components: Array<Record<string, unknown>> = [];
  const header = content.header;
  if (header !== undefined)
    components.push({
      type: 'header',
      parameters: [
        header.type === 'text'
          ? { type: 'text', text: header.text }
          : { type: header.type, [header.type]: { link: header.url } },
      ],
    });
  if (content.parameters.length > 0)
    components.push({ type: 'body', parameters: content.parameters.map((value) => ({ type: 'text', text: value })) });
  for (const button of content.buttons ?? [])
    components.push({
      type: 'button',
      sub_type: 'url',
      index: String(button.index),
      parameters: [{ type: 'text', text: button.text }],
    });
  return components;
}

/** A Graph API error object as a send outcome. */
function graphError(body: unknown, status: number): Extract<SendOutcome, { ok: false }> {
  const error = field(body, 'error');
  const code = Number(field(error, 'code'));
  if (!Number.isFinite(code))
    return httpFailure({ status, headers: {}, body: Buffer.alloc(0), truncated: false, latencyMs: 0 });
  const details = text(field(field(error, 'error_data'), 'details'));
  const message = text(field(error, 'message')) ?? 'WhatsApp refused the message.';
  const retry = RETRYABLE_GRAPH_CODES.has(code) || status >= 500;
  return {
    ok: false,
    retry,
    retryAfterMs: retry ? (code === 130429 ? 1000 : 5000) : undefined,
    error: { code: String(code), message: details !== undefined ? `${message} ${details}` : message },
  };
}

function graphUrl(context: SendContext<WhatsAppCredentials>, path: string): string {
  return `${context.channel.baseUrl.replace(/\/+$/, '')}/${context.credentials.api_version ?? DEFAULT_GRAPH_VERSION}/${path}`;
}

export const whatsappAdapter: ChannelAdapter<WhatsAppCredentials> & { type: 'whatsapp' } = {
  type: 'whatsapp',
  label: 'WhatsApp',
  credentialsSchema: WhatsAppCredentialsSchema,
  inbound: 'webhook',
  defaultBaseUrl: 'https://graph.facebook.com',
  defaultSendRate: WHATSAPP_DEFAULT_RATE,
  serviceWindowMs: 24 * 60 * 60 * 1000,

  handshake(request, credentials) {
    if (request.method !== 'GET') return undefined;
    const mode = request.query['hub.mode'];
    const token = request.query['hub.verify_token'];
    const challenge = request.query['hub.challenge'];
    if (mode === 'subscribe' && challenge !== undefined && sameSignature(credentials.verify_token, token))
      return { status: 200, contentType: 'text/plain', body: challenge };
    return { status: 403, contentType: 'text/plain', body: 'Forbidden' };
  },

  verifyInbound(request, credentials) {
    return sameSignature(signatureOf(credentials.app_secret, request.rawBody), request.headers['x-hub-signature-256']);
  },

  acknowledgement: { status: 200, contentType: 'text/plain', body: 'EVENT_RECEIVED' },

  // Meta posts an app's webhooks for every number of the business accounts subscribed to it, all signed with the
  // app's secret: a `messages` change for another number would open a duplicate conversation answered from the wrong
  // number. Such changes are left out (the payload was answered 200 already, so Meta does not send it again).
  ownPart(rawBody, credentials) {
    const payload = payloadOf(rawBody);
    const skipped: string[] = [];
    const entries = list(field(payload, 'entry')).map((entry) => {
      const changes = list(field(entry, 'changes'));
      const kept = changes.filter((change) => {
        if (field(change, 'field') !== 'messages') return true;
        const number = text(field(field(field(change, 'value'), 'metadata'), 'phone_number_id'));
        if (number === credentials.phone_number_id) return true;
        skipped.push(
          `Change for phone_number_id ${number ?? '(none)'} skipped: this channel is phone_number_id ${credentials.phone_number_id}.`,
        );
        return false;
      });
      return kept.length === changes.length ? entry : { ...(entry as object), changes: kept };
    });
    if (skipped.length === 0) return { body: rawBody, skipped };
    return { body: Buffer.from(JSON.stringify({ ...(payload as object), entry: entries }), 'utf8'), skipped };
  },

  parseInbound(rawBody) {
    const messages: InboundMessage[] = [];
    for (const value of changeValues(rawBody)) {
      const names = new Map<string, string>();
      for (const contact of list(field(value, 'contacts'))) {
        const waId = text(field(contact, 'wa_id'));
        const name = text(field(field(contact, 'profile'), 'name'));
        if (waId !== undefined && name !== undefined) names.set(waId, name);
      }
      for (const message of list(field(value, 'messages'))) {
        const id = text(field(message, 'id'));
        const from = text(field(message, 'from'));
        const content = contentOf(message);
        if (id === undefined || from === undefined || content === undefined) continue;
        messages.push({
          providerMessageId: id,
          from: `+${from.replace(/^\+/, '')}`,
          profileName: names.get(from),
          at: instantFromEpoch(field(message, 'timestamp')),
          content,
        });
      }
    }
    return messages;
  },

  parseDeliveryStatus(rawBody) {
    const statuses: DeliveryStatus[] = [];
    for (const value of changeValues(rawBody)) {
      for (const status of list(field(value, 'statuses'))) {
        const id = text(field(status, 'id'));
        const state = text(field(status, 'status'));
        if (id === undefined || (state !== 'sent' && state !== 'delivered' && state !== 'read' && state !== 'failed'))
          continue;
        const first = list(field(status, 'errors'))[0];
        const details = text(field(field(first, 'error_data'), 'details'));
        const error =
          first === undefined
            ? undefined
            : {
                code: text(field(first, 'code')) ?? 'unknown',
                message: details ?? text(field(first, 'message')) ?? text(field(first, 'title')) ?? 'Failed.',
              };
        statuses.push({
          providerMessageId: id,
          state,
          at: instantFromEpoch(field(status, 'timestamp')),
          ...(error !== undefined && { error }),
        });
      }
    }
    return statuses;
  },

  async send(context, message) {
    const response = await guarded(() =>
      context.http.request({
        method: 'POST',
        url: graphUrl(context, `${context.credentials.phone_number_id}/messages`),
        headers: { authorization: `Bearer ${context.credentials.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify(graphMessage(message.to, message.content)),
      }),
    );
    if ('ok' in response) return response;
    const body = readJson(response.body.toString('utf8'));
    if (response.status !== 200) return graphError(body, response.status);
    const id = text(field(list(field(body, 'messages'))[0], 'id'));
    if (id === undefined)
      return {
        ok: false,
        retry: false,
        error: { code: 'bad_response', message: 'WhatsApp answered without a message id.' },
      };
    return { ok: true, providerMessageId: id };
  },

  async fetchMedia(context, content) {
    if (content.mediaId === undefined) return undefined;
    const headers = { authorization: `Bearer ${context.credentials.access_token}` };
    const described = await context.http.request({
      method: 'GET',
      url: graphUrl(context, encodeURIComponent(content.mediaId)),
      headers,
    });
    if (described.status !== 200)
      throw new Error(`Graph API answered ${described.status} for media ${content.mediaId}.`);
    const info = readJson(described.body.toString('utf8'));
    const url = text(field(info, 'url'));
    if (url === undefined) throw new Error(`Graph API gave no URL for media ${content.mediaId}.`);
    const download = await context.http.request({
      method: 'GET',
      url,
      headers,
      maxResponseBytes: MAX_MEDIA_BYTES,
      timeoutMs: 30_000,
    });
    if (download.status !== 200 || download.truncated)
      throw new Error(
        `Media ${content.mediaId} could not be downloaded (HTTP ${download.status}${download.truncated ? ', too large' : ''}).`,
      );
    return {
      bytes: download.body,
      mimeType: text(field(info, 'mime_type')) ?? content.mimeType ?? 'application/octet-stream',
    };
  },
};

/** Signs a payload as Meta does (used by the fake Graph server and the benchmark). */
export function whatsappSignature(appSecret: string, body: Buffer | string): string {
  return signatureOf(appSecret, Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'));
}

/** A `message_template_status_update` change of a webhook payload (Meta's template review), as the messenger records it. */
export interface WhatsappTemplateStatus {
  wabaId: string | undefined;
  templateId: string | undefined;
  name: string | undefined;
  language: string | undefined;
  /** APPROVED, REJECTED, PENDING, PAUSED, DISABLED, FLAGGED, … as Meta names it. */
  event: string;
  reason: string | undefined;
}

/** The template review outcomes a webhook payload carries (field `message_template_status_update`). */
export function whatsappTemplateStatuses(rawBody: Buffer): WhatsappTemplateStatus[] {
  const payload = payloadOf(rawBody);
  const found: WhatsappTemplateStatus[] = [];
  for (const entry of list(field(payload, 'entry')))
    for (const change of list(field(entry, 'changes'))) {
      if (field(change, 'field') !== 'message_template_status_update') continue;
      const value = field(change, 'value');
      const event = text(field(value, 'event'));
      if (event === undefined) continue;
      const id = field(value, 'message_template_id');
      const reason = text(field(value, 'reason'));
      found.push({
        wabaId: text(field(entry, 'id')),
        templateId: typeof id === 'number' || typeof id === 'string' ? String(id) : undefined,
        name: text(field(value, 'message_template_name')),
        language: text(field(value, 'message_template_language')),
        event,
        reason: reason === undefined || reason === 'NONE' ? undefined : reason,
      });
    }
  return found;
}

/**
 * Submits a template for review (`POST /{waba_id}/message_templates`): Meta answers its id and first status
 * (PENDING, or APPROVED at once for some utility templates); a refusal of the template itself is final, a 5xx, a
 * rate limit or a network failure is retried.
 */
export async function submitWhatsappTemplate(
  context: SendContext<WhatsAppCredentials>,
  wabaId: string,
  body: Record<string, unknown>,
): Promise<{ ok: true; id: string; status: string } | Extract<SendOutcome, { ok: false }>> {
  const response = await guarded(() =>
    context.http.request({
      method: 'POST',
      url: graphUrl(context, `${encodeURIComponent(wabaId)}/message_templates`),
      headers: { authorization: `Bearer ${context.credentials.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
  if ('ok' in response) return response;
  const answer = readJson(response.body.toString('utf8'));
  if (response.status !== 200) return templateGraphError(answer, response.status);
  const id = field(answer, 'id');
  const status = text(field(answer, 'status'));
  if ((typeof id !== 'string' && typeof id !== 'number') || status === undefined)
    return {
      ok: false,
      retry: true,
      retryAfterMs: 5000,
      error: { code: 'malformed', message: 'Meta answered without an id and status.' },
    };
  return { ok: true, id: String(id), status };
}

/** A Graph refusal of a template, with the words Meta writes for people (error_user_title, error_user_msg). */
function templateGraphError(answer: unknown, status: number): Extract<SendOutcome, { ok: false }> {
  const failure = graphError(answer, status);
  const error = field(answer, 'error');
  const said = [text(field(error, 'error_user_title')), text(field(error, 'error_user_msg'))].filter(
    (part): part is string => part !== undefined,
  );
  return said.length === 0 ? failure : { ...failure, error: { ...failure.error, message: said.join(': ') } };
}

/**
 * Edits a template Meta has already filed (`POST /{message_template_id}` with its new category and components: a
 * name and language cannot change). Meta reviews it again: it is PENDING until the status webhook says otherwise.
 */
export async function editWhatsappTemplate(
  context: SendContext<WhatsAppCredentials>,
  metaTemplateId: string,
  body: Record<string, unknown>,
): Promise<{ ok: true; id: string; status: string } | Extract<SendOutcome, { ok: false }>> {
  const response = await guarded(() =>
    context.http.request({
      method: 'POST',
      url: graphUrl(context, encodeURIComponent(metaTemplateId)),
      headers: { authorization: `Bearer ${context.credentials.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ category: body.category, components: body.components }),
    }),
  );
  if ('ok' in response) return response;
  const answer = readJson(response.body.toString('utf8'));
  if (response.status !== 200) return templateGraphError(answer, response.status);
  if (field(answer, 'success') !== true)
    return {
      ok: false,
      retry: true,
      retryAfterMs: 5000,
      error: { code: 'malformed', message: 'Meta answered the edit without success.' },
    };
  return { ok: true, id: metaTemplateId, status: 'PENDING' };
}

/**
 * Deletes a filed template at Meta (`DELETE /{waba_id}/message_templates?name=…&hsm_id=…`: that language only).
 * A template Meta no longer has counts as deleted.
 */
export async function deleteWhatsappTemplate(
  context: SendContext<WhatsAppCredentials>,
  wabaId: string,
  template: { name: string; metaTemplateId: string },
): Promise<{ ok: true } | Extract<SendOutcome, { ok: false }>> {
  const query = new URLSearchParams({ name: template.name, hsm_id: template.metaTemplateId });
  const response = await guarded(() =>
    context.http.request({
      method: 'DELETE',
      url: `${graphUrl(context, `${encodeURIComponent(wabaId)}/message_templates`)}?${query}`,
      headers: { authorization: `Bearer ${context.credentials.access_token}` },
    }),
  );
  if ('ok' in response) return response;
  const answer = readJson(response.body.toString('utf8'));
  if (response.status === 200) return { ok: true };
  const subcode = Number(field(field(answer, 'error'), 'error_subcode'));
  if (subcode === 2593002) return { ok: true };
  return templateGraphError(answer, response.status);
}
