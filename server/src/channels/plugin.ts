// Provider webhooks at /channels/{type}/{channelId}/webhook: strict and thin (design.md §4.6) — the signature is
// checked on the raw body, the raw payload stored, 200 answered, and the payload processed from the store.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import { nowInstant } from '../time.js';
import { CHANNEL_TYPES, type InboundRequest } from './adapter.js';
import { attachmentDisposition, mediaUrlValid } from './media.js';
import { adapterFor } from './registry.js';
import { channelRuntime } from './runtime.js';

const WebhookParams = Type.Object({
  type: Type.Unsafe<(typeof CHANNEL_TYPES)[number]>({
    type: 'string',
    enum: [...CHANNEL_TYPES],
    description: 'Channel type.',
  }),
  channelId: Type.Integer({
    minimum: 1,
    maximum: 2_147_483_647,
    description: 'Channel identifier (see `webhook_url` of the channel).',
  }),
});

/** Largest webhook body accepted (WhatsApp batches stay far below). */
const WEBHOOK_BODY_LIMIT = 1024 * 1024;

export const channelWebhooks: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const runtime = channelRuntime(context);
  runtime.logger = app.log;
  if (runtime.keyOrigin !== 'secret_key')
    app.log.info(
      `channels: credentials sealed with a key ${runtime.keyOrigin === 'admin_key' ? 'derived from CAUSERIE_ADMIN_KEY' : 'generated into the data directory'}; set CAUSERIE_SECRET_KEY in production.`,
    );
  // Delivery changes reach the operators following the conversation through the realtime fan-out reaction. The
  // runtime's loops start with the node (app.ts: once it listens, so providers' statuses find it).
  app.addHook('onClose', async () => {
    await runtime.stop();
  });

  // Signatures cover the exact bytes: in this plugin every body is kept raw (latin1 text maps bytes one to one, so
  // the shared validation hooks see a string and the bytes can be restored exactly).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => {
    done(null, Buffer.isBuffer(body) ? body.toString('latin1') : String(body));
  });

  // Provider-facing, not part of the API clients use: kept out of the OpenAPI document (like /metrics), documented in
  // docs/CHANNELS.md; the schemas still validate the parameters.
  const describe = {
    hide: true,
    tags: ['Channel webhooks'],
    params: WebhookParams,
    description:
      'Called by the providers, not by API clients. WhatsApp: GET answers the `hub.challenge` when `hub.verify_token` matches (403 otherwise); POST bodies must carry `X-Hub-Signature-256`. ' +
      'SMS: form posts signed with `X-Twilio-Signature` over PUBLIC_URL + path. RCS: Pub/Sub-style pushes signed with `X-Goog-Signature`, and the `clientToken`/`secret` verification. ' +
      'A verified payload is stored and answered 200 at once; unsigned or badly signed requests answer 403.',
  };

  const handle = async (request: {
    method: string;
    url: string;
    headers: Record<string, string | string[] | undefined>;
    query: unknown;
    body: unknown;
    params: { type: (typeof CHANNEL_TYPES)[number]; channelId: number };
  }) => {
    const channel = await runtime.directory.get(request.params.channelId);
    const adapter = adapterFor(request.params.type);
    if (channel === undefined || channel.row.type !== request.params.type || adapter.inbound !== 'webhook')
      return { status: 404, contentType: 'text/plain', body: 'Unknown channel.' };
    if (channel.row.enabled !== 1) return { status: 404, contentType: 'text/plain', body: 'Channel disabled.' };
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(request.headers))
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
    const query: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>))
      if (typeof value === 'string') query[name] = value;
    const body = typeof request.body === 'string' ? request.body : '';
    const inbound: InboundRequest = {
      method: request.method,
      publicUrl: `${context.config.publicUrl}${request.url}`,
      headers,
      query,
      rawBody: Buffer.from(body, 'latin1'),
      contentType: headers['content-type'] ?? '',
    };
    const handshake = adapter.handshake?.(inbound, channel.credentials);
    if (handshake !== undefined) return handshake;
    if (request.method !== 'POST')
      return { status: 405, contentType: 'text/plain', body: 'POST the provider payloads here.' };
    if (!adapter.verifyInbound(inbound, channel.credentials))
      return { status: 403, contentType: 'text/plain', body: 'Invalid signature.' };
    await runtime.storeInbound({
      channel_id: channel.row.id,
      content_type: inbound.contentType,
      body,
      received_at: nowInstant(),
      processed_at: null,
      claimed_until: null,
      error: null,
    });
    return adapter.acknowledgement;
  };

  app.get(
    '/channels/:type/:channelId/webhook',
    {
      schema: {
        ...describe,
        summary: 'Provider webhook verification (WhatsApp hub.challenge)',
        querystring: Type.Record(Type.String(), Type.String()),
      },
    },
    async (request, reply) => {
      const answer = await handle(request);
      return reply.code(answer.status).type(answer.contentType).send(answer.body);
    },
  );
  app.post(
    '/channels/:type/:channelId/webhook',
    { schema: { ...describe, summary: 'Provider webhook (messages and delivery statuses)' } },
    async (request, reply) => {
      const answer = await handle(request);
      return reply.code(answer.status).type(answer.contentType).send(answer.body);
    },
  );

  // Files operators send, fetched by the providers (Twilio and RBM take only URLs): public, but only through a signed
  // link that expires (channels/media.ts). Never rendered as a page of this origin.
  app.get(
    '/channels/media/:mediaId',
    {
      schema: {
        hide: true,
        tags: ['Channel webhooks'],
        params: Type.Object({ mediaId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) }),
        querystring: Type.Object({
          expires: Type.Optional(Type.Integer({ minimum: 0 })),
          signature: Type.Optional(Type.String({ maxLength: 128 })),
        }),
      },
    },
    async (request, reply) => {
      const { expires, signature } = request.query;
      if (
        expires === undefined ||
        signature === undefined ||
        !mediaUrlValid(runtime.key, request.params.mediaId, expires, signature)
      ) {
        return reply.code(403).type('text/plain').send('This media link is invalid or has expired.');
      }
      const media = await context.db
        .selectFrom('channel_media')
        .select(['mime_type', 'filename', 'content'])
        .where('id', '=', request.params.mediaId)
        .executeTakeFirst();
      if (media === undefined) return reply.code(404).type('text/plain').send('No such file.');
      return reply
        .header('content-type', media.mime_type)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, max-age=3600')
        .header('content-disposition', attachmentDisposition(media.filename))
        .send(Buffer.from(media.content));
    },
  );
};
