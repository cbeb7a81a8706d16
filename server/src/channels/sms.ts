// SMS through a Twilio-compatible provider: X-Twilio-Signature on form webhooks (messages and status callbacks),
// sends through POST /2010-04-01/Accounts/{AccountSid}/Messages.json with HTTP Basic (SID:token).
import { createHmac } from 'node:crypto';
import { Type } from 'typebox';
import type { ChannelAdapter, DeliveryStatus, InboundMessage, SendOutcome } from './adapter.js';
import { field, guarded, httpFailure, readJson, sameSignature, text } from './http-util.js';

export type SmsCredentials = {
  account_sid: string;
  auth_token: string;
  from?: string;
  messaging_service_sid?: string;
};

export const SmsCredentialsSchema = Type.Object(
  {
    account_sid: Type.String({ pattern: '^AC[0-9a-fA-F]{32}$', description: 'Account SID (AC…).' }),
    auth_token: Type.String({
      minLength: 16,
      maxLength: 256,
      // Said whole in the 400 a wrong one gets (commands.ts answers the description): what is expected, not a name.
      description:
        "Expected the account's auth token: 16 to 256 characters (Twilio's are 32 hexadecimal characters, under " +
        'Account info in the Twilio console); it authenticates sends and signs webhooks.',
    }),
    from: Type.Optional(Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$', description: 'Sender number (E.164).' })),
    messaging_service_sid: Type.Optional(
      Type.String({ pattern: '^MG[0-9a-fA-F]{32}$', description: 'Messaging service SID (MG…), instead of `from`.' }),
    ),
  },
  { additionalProperties: false },
);

/** Twilio's default throughput of one long code. */
export const SMS_DEFAULT_RATE = 1;
/** Twilio errors worth another try: too many requests, queue overflow. */
const RETRYABLE_TWILIO_CODES = new Set([20429, 30001]);

/**
 * Twilio's signature: base64 HMAC-SHA1 of the full URL followed by each POST parameter (sorted by name) and its value.
 * A name given several times contributes name + value for each of its distinct values, sorted: what Twilio's helper
 * libraries check (twilio-node's validateRequest, twilio-python's RequestValidator), so every value is covered.
 */
export function twilioSignature(
  authToken: string,
  url: string,
  params: Readonly<Record<string, string | readonly string[]>>,
): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const given = params[name] ?? [];
    const values = typeof given === 'string' ? [given] : [...new Set(given)].sort();
    for (const value of values) data += name + value;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** Every value of every form parameter, in order: what the signature covers. */
function formValues(rawBody: Buffer): Record<string, string[]> {
  // A Map, not an object: a parameter named `__proto__` is a parameter like any other.
  const values = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    const known = values.get(key);
    if (known === undefined) values.set(key, [value]);
    else known.push(value);
  }
  return Object.fromEntries(values);
}

/** One value per form parameter (the last, for a repeated one): what parsing reads. */
function formParams(rawBody: Buffer): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawBody.toString('utf8'))) params[key] = value;
  return params;
}

const TWILIO_STATES: Record<string, DeliveryStatus['state'] | undefined> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'failed',
  failed: 'failed',
};

export const smsAdapter: ChannelAdapter<SmsCredentials> & { type: 'sms' } = {
  type: 'sms',
  label: 'SMS',
  credentialsSchema: SmsCredentialsSchema,
  inbound: 'webhook',
  defaultBaseUrl: 'https://api.twilio.com',
  defaultSendRate: SMS_DEFAULT_RATE,

  verifyInbound(request, credentials) {
    if (!request.contentType.startsWith('application/x-www-form-urlencoded')) return false;
    return sameSignature(
      twilioSignature(credentials.auth_token, request.publicUrl, formValues(request.rawBody)),
      request.headers['x-twilio-signature'],
    );
  },

  // An empty TwiML document: no automatic reply.
  acknowledgement: {
    status: 200,
    contentType: 'text/xml',
    body: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>',
  },

  parseInbound(rawBody) {
    const params = formParams(rawBody);
    const sid = params.MessageSid ?? params.SmsSid;
    if (sid === undefined || params.From === undefined) return [];
    // A status callback carries MessageStatus; an incoming message SmsStatus=received.
    if (params.MessageStatus !== undefined && params.MessageStatus !== 'received') return [];
    const messages: InboundMessage[] = [];
    const at = new Date().toISOString();
    if ((params.Body ?? '') !== '')
      messages.push({
        providerMessageId: sid,
        from: params.From,
        at,
        content: { type: 'text', text: params.Body ?? '' },
      });
    const count = Math.min(Number(params.NumMedia ?? '0') || 0, 10);
    for (let index = 0; index < count; index += 1) {
      const url = params[`MediaUrl${index}`];
      if (url === undefined) continue;
      const mimeType = params[`MediaContentType${index}`] ?? 'application/octet-stream';
      const kind = mimeType.startsWith('image/')
        ? 'image'
        : mimeType.startsWith('audio/')
          ? 'audio'
          : mimeType.startsWith('video/')
            ? 'video'
            : 'document';
      messages.push({
        providerMessageId: `${sid}/media/${index}`,
        from: params.From,
        at,
        content: { type: 'media', kind, url, mimeType },
      });
    }
    return messages;
  },

  parseDeliveryStatus(rawBody) {
    const params = formParams(rawBody);
    const sid = params.MessageSid ?? params.SmsSid;
    const state = TWILIO_STATES[params.MessageStatus ?? ''];
    if (sid === undefined || state === undefined) return [];
    const error =
      params.ErrorCode !== undefined && params.ErrorCode !== ''
        ? { code: params.ErrorCode, message: params.ErrorMessage ?? `Twilio error ${params.ErrorCode}.` }
        : undefined;
    return [{ providerMessageId: sid, state, at: new Date().toISOString(), ...(error !== undefined && { error }) }];
  },

  async send(context, message): Promise<SendOutcome> {
    const { account_sid, auth_token, from, messaging_service_sid } = context.credentials;
    const form = new URLSearchParams({ To: message.to, StatusCallback: context.webhookUrl });
    if (messaging_service_sid !== undefined) form.set('MessagingServiceSid', messaging_service_sid);
    else if (from !== undefined) form.set('From', from);
    const content = message.content;
    if (content.type === 'text') form.set('Body', content.text);
    else if (content.type === 'media') {
      form.set('MediaUrl', content.url);
      if (content.caption !== undefined) form.set('Body', content.caption);
    } else
      return {
        ok: false,
        retry: false,
        error: { code: 'template_unsupported', message: 'SMS has no message templates; send text.' },
      };
    const response = await guarded(() =>
      context.http.request({
        method: 'POST',
        url: `${context.channel.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(account_sid)}/Messages.json`,
        headers: {
          authorization: `Basic ${Buffer.from(`${account_sid}:${auth_token}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: form.toString(),
      }),
    );
    if ('ok' in response) return response;
    const body = readJson(response.body.toString('utf8'));
    if (response.status === 200 || response.status === 201) {
      const sid = text(field(body, 'sid'));
      return sid === undefined
        ? {
            ok: false,
            retry: false,
            error: { code: 'bad_response', message: 'The provider answered without a message SID.' },
          }
        : { ok: true, providerMessageId: sid };
    }
    const code = Number(field(body, 'code'));
    if (!Number.isFinite(code)) return httpFailure(response);
    const retry = RETRYABLE_TWILIO_CODES.has(code) || response.status >= 500;
    return {
      ok: false,
      retry,
      retryAfterMs: retry ? 2000 : undefined,
      error: { code: String(code), message: text(field(body, 'message')) ?? `Twilio error ${code}.` },
    };
  },

  async fetchMedia(context, content) {
    if (content.url === undefined) return undefined;
    const { account_sid, auth_token } = context.credentials;
    const headers = { authorization: `Basic ${Buffer.from(`${account_sid}:${auth_token}`).toString('base64')}` };
    let url = content.url;
    // Twilio answers media URLs with a redirect to its storage: followed once, through the guard again.
    for (let hop = 0; hop < 2; hop += 1) {
      const response = await context.http.request({
        method: 'GET',
        url,
        headers: hop === 0 ? headers : {},
        maxResponseBytes: 5 * 1024 * 1024,
        timeoutMs: 30_000,
      });
      const location = response.headers.location;
      if (response.status >= 300 && response.status < 400 && location !== undefined) {
        url = new URL(location, url).toString();
        continue;
      }
      if (response.status !== 200 || response.truncated)
        throw new Error(`Media could not be downloaded (HTTP ${response.status}).`);
      return {
        bytes: response.body,
        mimeType: response.headers['content-type'] ?? content.mimeType ?? 'application/octet-stream',
      };
    }
    throw new Error('Media download redirected more than once.');
  },
};
