// Files operators send to WhatsApp, SMS and RCS customers: the upload is stored in the media blob table with its
// message (one transaction), and the provider fetches it from a signed, expiring public URL — Twilio and RBM only take
// URLs, and WhatsApp takes `link` as well, so one path serves the three. Nothing else of the media table is public.
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { ConversationMessageRow, Database } from '../db/schema.js';
import { MESSAGE_KIND } from '../db/schema.js';
import { actAsOperator, appendMessage, writingOperator } from '../domain/conversations/commands.js';
import { ApiError, conflict, fieldInvalid } from '../errors.js';
import { transact } from '../events/transact.js';
import { nowInstant } from '../time.js';
import { isProviderChannel, type MediaKind, type ProviderChannelType } from './adapter.js';

/** How long a provider may fetch a file after the send (they fetch at once; RBM may retry for a while). */
export const MEDIA_URL_TTL_MS = 24 * 3600 * 1000;

/** Largest upload accepted at all (WhatsApp's video and audio limit). */
export const MEDIA_UPLOAD_LIMIT = 16 * 1024 * 1024;

/** What each provider takes, by kind: bytes at most, and the content types (others are sent as documents where allowed). */
const LIMITS: Record<ProviderChannelType, { image: number; audio: number; video: number; document: number }> = {
  // Meta: images 5 MB, audio and video 16 MB, documents 100 MB (capped here by the upload limit).
  whatsapp: { image: 5 * 1024 * 1024, audio: 16 * 1024 * 1024, video: 16 * 1024 * 1024, document: MEDIA_UPLOAD_LIMIT },
  // Twilio: 5 MB per MMS.
  sms: { image: 5 * 1024 * 1024, audio: 5 * 1024 * 1024, video: 5 * 1024 * 1024, document: 5 * 1024 * 1024 },
  // RBM: 100 MB files (capped here by the upload limit).
  rcs: {
    image: MEDIA_UPLOAD_LIMIT,
    audio: MEDIA_UPLOAD_LIMIT,
    video: MEDIA_UPLOAD_LIMIT,
    document: MEDIA_UPLOAD_LIMIT,
  },
};

/** WhatsApp's supported types per kind; anything else goes as a document. */
const WHATSAPP_TYPES: Record<'image' | 'audio' | 'video', readonly string[]> = {
  image: ['image/jpeg', 'image/png'],
  audio: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'],
  video: ['video/mp4', 'video/3gpp'],
};

/** The kind a provider shows a file of this content type as. */
export function mediaKindFor(type: ProviderChannelType, mimeType: string): Exclude<MediaKind, 'sticker'> {
  const family = mimeType.split('/')[0];
  const kind = family === 'image' || family === 'audio' || family === 'video' ? family : 'document';
  if (type === 'whatsapp' && kind !== 'document' && !WHATSAPP_TYPES[kind].includes(mimeType)) return 'document';
  return kind;
}

/** The bare content type of a Content-Type header (`image/png; charset=…` → `image/png`), or undefined when malformed. */
export function bareContentType(header: string | undefined): string | undefined {
  const type = (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return /^[a-z]+\/[a-z0-9][a-z0-9.+-]*$/.test(type) ? type : undefined;
}

const signingKeys = new WeakMap<Buffer, Buffer>();
function signingKey(channelKey: Buffer): Buffer {
  let key = signingKeys.get(channelKey);
  if (key === undefined) {
    // Its own key, derived from the credentials key: a URL signature never helps anyone with sealed credentials.
    key = Buffer.from(hkdfSync('sha256', channelKey, Buffer.alloc(0), 'causerie media url v1', 32));
    signingKeys.set(channelKey, key);
  }
  return key;
}

function signature(channelKey: Buffer, mediaId: number, expires: number): string {
  return createHmac('sha256', signingKey(channelKey)).update(`${mediaId}.${expires}`).digest('base64url');
}

/** The public URL a provider fetches a stored file from, valid for `ttlMs`. */
export function signedMediaUrl(
  publicUrl: string,
  channelKey: Buffer,
  mediaId: number,
  ttlMs = MEDIA_URL_TTL_MS,
  now = Date.now(),
): string {
  const expires = Math.floor((now + ttlMs) / 1000);
  return `${publicUrl.replace(/\/+$/, '')}/channels/media/${mediaId}?expires=${expires}&signature=${signature(channelKey, mediaId, expires)}`;
}

/** Whether a media URL's signature is right and not expired. */
export function mediaUrlValid(
  channelKey: Buffer,
  mediaId: number,
  expires: number,
  given: string,
  now = Date.now(),
): boolean {
  if (!Number.isSafeInteger(expires) || expires * 1000 < now) return false;
  const expected = Buffer.from(signature(channelKey, mediaId, expires));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Stores a file of a conversation in the media blob table (in the caller's transaction); answers its id. */
export async function storeMediaFile(
  trx: Transaction<Database>,
  file: {
    channelId: number;
    clientId: number;
    conversationId: number;
    providerMediaId?: string | undefined;
    mimeType: string;
    filename?: string | undefined;
    bytes: Buffer;
  },
): Promise<number> {
  const { id } = await trx
    .insertInto('channel_media')
    .values({
      channel_id: file.channelId,
      client_id: file.clientId,
      conversation_id: file.conversationId,
      provider_media_id: file.providerMediaId ?? null,
      mime_type: file.mimeType,
      filename: file.filename ?? null,
      size: file.bytes.length,
      sha256: createHash('sha256').update(file.bytes).digest('hex'),
      content: file.bytes,
      created_at: nowInstant(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** An operator's file for a conversation, as uploaded. */
export interface MediaUpload {
  bytes: Buffer;
  mimeType: string;
  filename?: string;
  caption?: string;
  operatorId?: number;
}

/** The conversation as the route loaded it (tenant-checked). */
interface TargetConversation {
  id: number;
  client_id: number;
  source: string;
  status: string;
  operator_id: number | null;
}

/**
 * Sends a file: stores it and appends the operator message that carries it (`data.media_id`, `media_kind`, `mime_type`, `filename`, `caption`), whose outbound row the
 * message's hook queues — all in one transaction, so a refusal (closed conversation, WhatsApp's 24-hour window) keeps
 * nothing. The provider then fetches the file from its signed URL.
 */
export async function sendMediaMessage(
  db: Kysely<Database>,
  conversation: TargetConversation,
  upload: MediaUpload,
): Promise<ConversationMessageRow> {
  if (!isProviderChannel(conversation.source)) {
    throw conflict(
      `Conversation ${conversation.id} is a ${conversation.source} conversation: files can be sent in WhatsApp, SMS and RCS conversations only.`,
    );
  }
  if (conversation.status === 'closed') throw conflict(`Conversation ${conversation.id} is closed.`);
  if (upload.bytes.length === 0) throw fieldInvalid('body', 'The file is empty: send its bytes as the request body.');
  const type = conversation.source;
  const kind = mediaKindFor(type, upload.mimeType);
  const limit = LIMITS[type][kind];
  if (upload.bytes.length > limit) {
    throw new ApiError(
      'payload_too_large',
      413,
      `The file is ${upload.bytes.length} bytes; ${type === 'sms' ? 'SMS (MMS)' : type === 'rcs' ? 'RCS' : 'WhatsApp'} takes ${kind} files up to ${limit} bytes.`,
    );
  }
  const operatorId = writingOperator(conversation, upload.operatorId);
  return transact(db, async (trx) => {
    // (A missing customer number below rolls back the conversation taken here.)
    await actAsOperator(trx, conversation, operatorId);
    const contact = await trx
      .selectFrom('channel_contact')
      .select('channel_id')
      .where('conversation_id', '=', conversation.id)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (contact === undefined)
      throw conflict(`Conversation ${conversation.id} has no customer number: the file cannot be sent.`);
    const mediaId = await storeMediaFile(trx, {
      channelId: contact.channel_id,
      clientId: conversation.client_id,
      conversationId: conversation.id,
      mimeType: upload.mimeType,
      filename: upload.filename,
      bytes: upload.bytes,
    });
    const label = upload.caption ?? upload.filename;
    return appendMessage(trx, conversation.id, {
      kind: MESSAGE_KIND.operator,
      text: `[${kind}]${label !== undefined ? ` ${label}` : ''}`,
      operatorId,
      at: nowInstant(),
      // The same keys as a customer's media entry, so a history reader handles both alike.
      data: {
        media_id: mediaId,
        media_kind: kind,
        mime_type: upload.mimeType,
        ...(upload.filename !== undefined && { filename: upload.filename }),
        ...(upload.caption !== undefined && { caption: upload.caption }),
      },
    });
  });
}

/** `Content-Disposition` of a stored file: always a download (a customer's or operator's file is untrusted content). */
export function attachmentDisposition(filename: string | null): string {
  return `attachment${filename !== null ? `; filename="${filename.replace(/[^\w.\- ]/g, '_')}"` : ''}`;
}
