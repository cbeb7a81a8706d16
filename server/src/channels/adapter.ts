// The one interface every conversation channel implements (the typed registry that picks one is registry.ts).
//
// How to add a channel (say `telegram`):
//   1. Write `channels/telegram.ts` exporting a `ChannelAdapter<TelegramCredentials>`: its credential schema
//      (TypeBox; stored encrypted, never returned), `verifyInbound` (signature of the RAW body, constant-time),
//      `parseInbound` (messages) and `parseDeliveryStatus` (statuses) over the stored raw payload, and `send`
//      (through the OutboundGuard given in the context: never a bare fetch). Optional: `handshake` for a GET or
//      POST verification challenge, `fetchMedia` when inbound media are references, `serviceWindowMs` when the
//      provider only allows free-form replies within some time of the customer's last message, `ownPart` when one
//      signature covers payloads of several of the provider's accounts (WhatsApp: one Meta app, several numbers).
//   2. Add the type to CHANNEL_TYPES below and the adapter to ADAPTERS in registry.ts: the compiler then checks that the registry
//      is complete, and the `/api/2/channel` schema, the webhook route `/channels/telegram/{channelId}/webhook`
//      and the outbound worker pick it up without further changes.
//   3. Add 'telegram' to ConversationSource (db/schema.ts) so conversations show where they came from.
//   4. Write a fake provider in `test-support/src/fakes/` that behaves as the published API does (auth, paths, error
//      shapes, signed callbacks) and an end-to-end test beside the adapter.
import type { TSchema } from 'typebox';
import type { OutboundRequest, OutboundResponse } from '../http/outbound.js';

export const CHANNEL_TYPES = ['whatsapp', 'sms', 'rcs', 'chat'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
/** Channels whose messages leave through a provider (everything but web chat). */
export type ProviderChannelType = Exclude<ChannelType, 'chat'>;
export const PROVIDER_CHANNEL_TYPES: readonly ProviderChannelType[] = ['whatsapp', 'sms', 'rcs'];

export function isProviderChannel(type: string): type is ProviderChannelType {
  return (PROVIDER_CHANNEL_TYPES as readonly string[]).includes(type);
}

/** States of an outbound message: queued → sent → delivered → read, or failed (with the provider's error). */
export const DELIVERY_STATES = ['queued', 'sent', 'delivered', 'read', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** A provider's error as shown to agents and API callers. */
export interface ProviderError {
  code: string;
  message: string;
}

/** A webhook request as received: the raw body is kept byte for byte, since signatures cover it. */
export interface InboundRequest {
  method: string;
  /** The public URL the provider called (PUBLIC_URL + path + query), as Twilio signs it. */
  publicUrl: string;
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  rawBody: Buffer;
  contentType: string;
}

/** What a channel stores about a stored channel row, for adapters that need it. */
export interface ChannelInfo {
  id: number;
  baseUrl: string;
  /** Messages per second this channel may send (provider limit per number). */
  sendRate: number;
}

export type MediaKind = 'image' | 'audio' | 'video' | 'document' | 'sticker';

/** The content of one inbound message, whatever the provider. */
export type InboundContent =
  | { type: 'text'; text: string }
  | {
      type: 'media';
      kind: MediaKind;
      mediaId?: string;
      url?: string;
      mimeType?: string;
      caption?: string;
      filename?: string;
    }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { type: 'contacts'; contacts: Array<{ name: string; phones: string[] }> }
  | { type: 'reply'; id: string; title: string }
  | { type: 'reaction'; emoji: string; messageId: string };

export interface InboundMessage {
  /** The provider's id of the message (wamid, Twilio SID, RBM messageId): duplicates are ignored on it. */
  providerMessageId: string;
  /** The customer's address on the channel (E.164 phone number). */
  from: string;
  /** The name the provider gives the customer, when it does. */
  profileName?: string;
  /** When the customer sent it (stored instant). */
  at: string;
  content: InboundContent;
}

export interface DeliveryStatus {
  providerMessageId: string;
  state: Exclude<DeliveryState, 'queued'>;
  at: string;
  error?: ProviderError;
}

/** An outbound message ready for a provider. */
export type OutboundContent =
  | { type: 'text'; text: string }
  /** `url`: where the provider fetches the file; `mediaId`: our stored file (its signed URL is filled in at send time). */
  | { type: 'media'; kind: MediaKind; url: string; mediaId?: number; caption?: string; filename?: string }
  /**
   * `parameters`: the body's, in order; `header`: a text header's one parameter, or the link of a media header;
   * `buttons`: the value of each dynamic URL button, by the button's position in the template.
   */
  | {
      type: 'template';
      name: string;
      language: string;
      parameters: string[];
      header?: TemplateHeaderParameter;
      buttons?: Array<{ index: number; text: string }>;
    };

/** A template header's parameter at send time: its variable's value, or the media Meta fetches by link. */
export type TemplateHeaderParameter =
  | { type: 'text'; text: string }
  | { type: 'image' | 'video' | 'document'; url: string };

export interface OutboundMessage {
  /** Our id of the outbound row: providers that take an idempotency id (RBM's messageId) get it. */
  reference: string;
  to: string;
  content: OutboundContent;
}

export type SendOutcome =
  | { ok: true; providerMessageId: string }
  /** `retry`: a transient refusal (rate limit, 5xx, network): try again after `retryAfterMs`. */
  | { ok: false; retry: boolean; retryAfterMs?: number; error: ProviderError };

/** What `send` and `fetchMedia` are given: the guard for every outbound call, and where the provider lives. */
export interface SendContext<C> {
  http: { request(request: OutboundRequest): Promise<OutboundResponse> };
  channel: ChannelInfo;
  credentials: C;
  /** Our webhook URL for this channel, for providers that take a per-message status callback (Twilio). */
  webhookUrl: string;
}

/** An answer a handshake or acknowledgement gives the provider. */
export interface ProviderAnswer {
  status: number;
  contentType: string;
  body: string;
}

export interface ChannelAdapter<C extends Credentials> {
  type: ChannelType;
  /** Human name for documentation and errors. */
  label: string;
  /** Schema of the credentials object of `/api/2/channel` (validated on write; stored encrypted; never returned). */
  credentialsSchema: TSchema;
  /** Where the inbound side lives: a provider webhook, or the realtime gateway (web chat). */
  inbound: 'webhook' | 'realtime';
  /** Default provider base URL, when the channel does not name one. */
  defaultBaseUrl: string;
  /** Default send rate (messages/s) of one sender. */
  defaultSendRate: number;
  /**
   * A verification challenge that is not a message (WhatsApp's GET hub.challenge, RBM's clientToken POST):
   * the answer to give, or undefined when the request is not a handshake.
   */
  handshake?(request: InboundRequest, credentials: C): ProviderAnswer | undefined;
  /** True when the request is signed by the provider with these credentials. Checked on the raw body before storing it. */
  verifyInbound(request: InboundRequest, credentials: C): boolean;
  /** The answer after a verified payload was stored. */
  acknowledgement: ProviderAnswer;
  /**
   * The part of a stored payload that is this channel's, when the signature does not say so (WhatsApp: changes whose
   * `metadata.phone_number_id` is the channel's number; another number of the same Meta app is signed alike). Parsing
   * reads only `body`; each part left out is described in `skipped` (logged and kept on the stored payload). Absent:
   * all of a verified payload is the channel's.
   */
  ownPart?(rawBody: Buffer, credentials: C): { body: Buffer; skipped: string[] };
  /** Customer messages in a stored raw payload. */
  parseInbound(rawBody: Buffer, contentType: string): InboundMessage[];
  /** Delivery statuses of our outbound messages in a stored raw payload. */
  parseDeliveryStatus(rawBody: Buffer, contentType: string): DeliveryStatus[];
  /** Sends one message; never throws for a provider refusal (it is an outcome). */
  send(context: SendContext<C>, message: OutboundMessage): Promise<SendOutcome>;
  /** Downloads an inbound media the payload only references. */
  fetchMedia?(
    context: SendContext<C>,
    content: Extract<InboundContent, { type: 'media' }>,
  ): Promise<{ bytes: Buffer; mimeType: string } | undefined>;
  /** Free-form messages are allowed this long after the customer's last message; templates only afterwards. */
  serviceWindowMs?: number;
  /**
   * A credential taken in another form than flat text (RCS `service_account`, a JSON key object): checks the given
   * value and answers the text to store, throwing a 400 naming the field; undefined leaves it to `credentialsSchema`.
   */
  credentialText?(name: string, value: unknown): string | undefined;
  /** Credentials of which exactly one is stored (RCS: `access_token` or `service_account`); on update, giving one replaces the other. */
  alternativeCredentials?: readonly string[];
}

/** Credentials as stored (decrypted): text fields named by the adapter's schema. */
export type Credentials = Record<string, string | undefined>;
