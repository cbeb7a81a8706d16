// RCS through Google's RCS Business Messaging API: agent messages to phones/{msisdn}/agentMessages, inbound messages
// and events (Pub/Sub push format, X-Goog-Signature = base64 HMAC-SHA512 of the decoded data with the clientToken),
// the clientToken/secret webhook verification, capability checks and tester invitations. Calls carry the stored
// access token, or one minted from the agent's service account (google-auth.ts).
import { createHmac, randomUUID } from 'node:crypto';
import { Type } from 'typebox';
import { fieldInvalid, fieldMissing } from '../errors.js';
import type { OutboundRequest, OutboundResponse } from '../http/outbound.js';
import type {
  ChannelAdapter,
  Credentials,
  DeliveryStatus,
  InboundContent,
  InboundMessage,
  SendContext,
  SendOutcome,
} from './adapter.js';
import { checkServiceAccount, serviceAccountToken, storedServiceAccount } from './google-auth.js';
import { field, guarded, httpFailure, instantFromText, readJson, sameSignature, text } from './http-util.js';

export type RcsCredentials = {
  agent_id: string;
  /** Exactly one of access_token and service_account (the JSON text of the key, as checkServiceAccount stored it). */
  access_token?: string;
  service_account?: string;
  client_token: string;
};

export const RcsCredentialsSchema = Type.Object(
  {
    agent_id: Type.String({
      pattern: '^[A-Za-z0-9_@.-]{1,128}$',
      description: 'RBM agent id (Business Communications Developer Console).',
    }),
    access_token: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4096,
        description:
          "OAuth 2.0 access token of the agent's service account (scope rcsbusinessmessaging); or give service_account.",
      }),
    ),
    service_account: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 16384,
        description:
          "The agent's service-account JSON key (type, client_email, private_key, private_key_id, token_uri): access tokens are minted from it and renewed.",
      }),
    ),
    client_token: Type.String({
      minLength: 1,
      maxLength: 1024,
      description: 'The webhook clientToken: it signs inbound messages and events.',
    }),
  },
  { additionalProperties: false },
);

export const RCS_DEFAULT_RATE = 50;

/** Google's signature of a Pub/Sub-style push: base64 HMAC-SHA512 of the decoded `message.data`. */
export function rbmSignature(clientToken: string, decodedData: Buffer): string {
  return createHmac('sha512', clientToken).update(decodedData).digest('base64');
}

/** The decoded `message.data` of a push body, or undefined. */
function decodedData(rawBody: Buffer): Buffer | undefined {
  const data = text(field(field(readJson(rawBody.toString('utf8')), 'message'), 'data'));
  return data === undefined ? undefined : Buffer.from(data, 'base64');
}

function eventOf(rawBody: Buffer): unknown {
  const data = decodedData(rawBody);
  return data === undefined ? undefined : readJson(data.toString('utf8'));
}

function contentOf(event: unknown): InboundContent | undefined {
  const body = text(field(event, 'text'));
  if (body !== undefined) return { type: 'text', text: body };
  const suggestion = field(event, 'suggestionResponse');
  if (suggestion !== undefined)
    return {
      type: 'reply',
      id: text(field(suggestion, 'postbackData')) ?? '',
      title: text(field(suggestion, 'text')) ?? '',
    };
  const location = field(event, 'location');
  if (location !== undefined) {
    const latitude = Number(field(location, 'latitude'));
    const longitude = Number(field(location, 'longitude'));
    return Number.isFinite(latitude) && Number.isFinite(longitude)
      ? { type: 'location', latitude, longitude }
      : undefined;
  }
  const file = field(field(event, 'userFile'), 'payload');
  if (file !== undefined) {
    const mimeType = text(field(file, 'mimeType')) ?? 'application/octet-stream';
    const kind = mimeType.startsWith('image/')
      ? 'image'
      : mimeType.startsWith('audio/')
        ? 'audio'
        : mimeType.startsWith('video/')
          ? 'video'
          : 'document';
    return {
      type: 'media',
      kind,
      url: text(field(file, 'fileUri')),
      mimeType,
      filename: text(field(file, 'fileName')),
    };
  }
  return undefined;
}

function rbmUrl(context: SendContext<RcsCredentials>, path: string, query: Record<string, string>): string {
  const url = new URL(`${context.channel.baseUrl.replace(/\/+$/, '')}/v1/${path}`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.toString();
}

function rbmError(response: { status: number; body: Buffer }): Extract<SendOutcome, { ok: false }> {
  const error = field(readJson(response.body.toString('utf8')), 'error');
  const status = text(field(error, 'status'));
  if (status === undefined)
    return httpFailure({ status: response.status, headers: {}, body: Buffer.alloc(0), truncated: false, latencyMs: 0 });
  const retry = status === 'RESOURCE_EXHAUSTED' || status === 'UNAVAILABLE' || response.status >= 500;
  const message =
    status === 'NOT_FOUND'
      ? 'The phone number is not reachable over RCS (not RCS-enabled, or not a tester of this agent).'
      : (text(field(error, 'message')) ?? status);
  return { ok: false, retry, retryAfterMs: retry ? 2000 : undefined, error: { code: status, message } };
}

const phonePath = (msisdn: string) => `phones/${encodeURIComponent(msisdn)}`;

/**
 * One RBM call with the channel's bearer: the stored access token, or the service account's cached token. A minted
 * token RBM refuses (401: expired early, revoked) is replaced once and the call tried again; a token that cannot be
 * minted is the call's failure (transient for network and 5xx, final for invalid_grant and the like).
 */
async function rbmCall(
  context: SendContext<RcsCredentials>,
  request: (authorization: string) => OutboundRequest,
): Promise<OutboundResponse | Extract<SendOutcome, { ok: false }>> {
  const { access_token, service_account } = context.credentials;
  const key = service_account === undefined ? undefined : storedServiceAccount(service_account);
  if (key === undefined) {
    if (access_token !== undefined) return guarded(() => context.http.request(request(`Bearer ${access_token}`)));
    return {
      ok: false,
      retry: false,
      error: {
        code: 'invalid_service_account',
        message: 'The stored service account key is unreadable; enter it again.',
      },
    };
  }
  const first = await serviceAccountToken(context.http, context.channel.id, key);
  if (!first.ok) return first;
  const response = await guarded(() => context.http.request(request(`Bearer ${first.token}`)));
  if ('ok' in response || response.status !== 401) return response;
  const fresh = await serviceAccountToken(context.http, context.channel.id, key, { refused: first.token });
  if (!fresh.ok) return fresh;
  return guarded(() => context.http.request(request(`Bearer ${fresh.token}`)));
}

export const rcsAdapter: ChannelAdapter<RcsCredentials> & { type: 'rcs' } = {
  type: 'rcs',
  label: 'RCS',
  credentialsSchema: RcsCredentialsSchema,
  inbound: 'webhook',
  defaultBaseUrl: 'https://rcsbusinessmessaging.googleapis.com',
  defaultSendRate: RCS_DEFAULT_RATE,
  alternativeCredentials: ['access_token', 'service_account'],

  credentialText(name, value) {
    if (name !== 'service_account') return undefined;
    // Checked now (the PEM key parsed) so a bad key is a 400 here rather than failed messages later.
    const checked = checkServiceAccount(value);
    if (!checked.ok) {
      const path =
        checked.field === '' ? 'credentials[service_account]' : `credentials[service_account][${checked.field}]`;
      throw checked.problem === undefined ? fieldMissing(path) : fieldInvalid(path, checked.problem);
    }
    return JSON.stringify(checked.key);
  },

  handshake(request, credentials) {
    // Configuring the webhook, Google posts {clientToken, secret} and expects the secret back.
    if (request.method !== 'POST') return undefined;
    const body = readJson(request.rawBody.toString('utf8'));
    const secret = text(field(body, 'secret'));
    if (secret === undefined || field(body, 'message') !== undefined) return undefined;
    if (!sameSignature(credentials.client_token, text(field(body, 'clientToken'))))
      return { status: 403, contentType: 'text/plain', body: 'Forbidden' };
    return { status: 200, contentType: 'application/json', body: JSON.stringify({ secret }) };
  },

  verifyInbound(request, credentials) {
    const data = decodedData(request.rawBody);
    return (
      data !== undefined &&
      sameSignature(rbmSignature(credentials.client_token, data), request.headers['x-goog-signature'])
    );
  },

  acknowledgement: { status: 200, contentType: 'application/json', body: '{}' },

  parseInbound(rawBody) {
    const event = eventOf(rawBody);
    const id = text(field(event, 'messageId'));
    const from = text(field(event, 'senderPhoneNumber'));
    if (field(event, 'eventType') !== undefined || id === undefined || from === undefined) return [];
    const content = contentOf(event);
    if (content === undefined) return [];
    const message: InboundMessage = {
      providerMessageId: id,
      from,
      at: instantFromText(field(event, 'sendTime')),
      content,
    };
    return [message];
  },

  parseDeliveryStatus(rawBody) {
    const event = eventOf(rawBody);
    const type = text(field(event, 'eventType'));
    const id = text(field(event, 'messageId'));
    const state = type === 'DELIVERED' ? 'delivered' : type === 'READ' ? 'read' : undefined;
    if (state === undefined || id === undefined) return [];
    const status: DeliveryStatus = { providerMessageId: id, state, at: instantFromText(field(event, 'sendTime')) };
    return [status];
  },

  async send(context, message) {
    const content = message.content;
    const contentMessage =
      content.type === 'text'
        ? { text: content.text }
        : content.type === 'media'
          ? { contentInfo: { fileUrl: content.url, forceRefresh: false } }
          : undefined;
    if (contentMessage === undefined)
      return {
        ok: false,
        retry: false,
        error: { code: 'template_unsupported', message: 'RCS has no WhatsApp templates; send text.' },
      };
    const response = await rbmCall(context, (authorization) => ({
      method: 'POST',
      url: rbmUrl(context, `${phonePath(message.to)}/agentMessages`, {
        messageId: message.reference,
        agentId: context.credentials.agent_id,
      }),
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ contentMessage }),
    }));
    if ('ok' in response) return response;
    // ALREADY_EXISTS: an earlier attempt (a worker that died before recording the answer) already sent it.
    if (response.status === 409) return { ok: true, providerMessageId: message.reference };
    if (response.status !== 200) return rbmError(response);
    // RBM identifies the message by the messageId we chose; events name it.
    return { ok: true, providerMessageId: message.reference };
  },
};

/** The RCS credentials of a stored channel (validated against RcsCredentialsSchema when written). */
function asRcs(context: SendContext<Credentials>): SendContext<RcsCredentials> {
  const { agent_id, access_token, service_account, client_token } = context.credentials;
  if (
    agent_id === undefined ||
    (access_token === undefined && service_account === undefined) ||
    client_token === undefined
  )
    throw new Error(`Channel ${context.channel.id} lacks RCS credentials.`);
  return { ...context, credentials: { agent_id, access_token, service_account, client_token } };
}

/** Whether a phone number can receive RCS from the agent, and which features it supports. */
export async function rcsCapabilities(
  stored: SendContext<Credentials>,
  msisdn: string,
): Promise<{ reachable: true; features: string[] } | { reachable: false; error: { code: string; message: string } }> {
  const context = asRcs(stored);
  const response = await rbmCall(context, (authorization) => ({
    method: 'GET',
    url: rbmUrl(context, `${phonePath(msisdn)}/capabilities`, {
      requestId: randomUUID(),
      agentId: context.credentials.agent_id,
    }),
    headers: { authorization },
  }));
  if ('ok' in response) return { reachable: false, error: response.error };
  if (response.status !== 200) return { reachable: false, error: rbmError(response).error };
  const features = field(readJson(response.body.toString('utf8')), 'features');
  return {
    reachable: true,
    features: Array.isArray(features) ? features.filter((item): item is string => typeof item === 'string') : [],
  };
}

/** Invites a phone number as a tester of the agent (seed 000 "Enregistrer un testeur"): the user accepts on the device. */
export async function inviteRcsTester(
  stored: SendContext<Credentials>,
  msisdn: string,
): Promise<{ ok: true; status: string } | { ok: false; error: { code: string; message: string } }> {
  const context = asRcs(stored);
  const response = await rbmCall(context, (authorization) => ({
    method: 'POST',
    url: rbmUrl(context, `${phonePath(msisdn)}/testers`, { agentId: context.credentials.agent_id }),
    headers: { authorization, 'content-type': 'application/json' },
    body: '{}',
  }));
  if ('ok' in response) return { ok: false, error: response.error };
  if (response.status !== 200) return { ok: false, error: rbmError(response).error };
  return { ok: true, status: text(field(readJson(response.body.toString('utf8')), 'inviteStatus')) ?? 'PENDING' };
}
