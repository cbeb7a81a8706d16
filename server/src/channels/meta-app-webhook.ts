// The platform's one WhatsApp webhook, GET/POST /webhook/facebook/ (seed 001: Meta's app-level webhook with a verify
// token and the `messages` field): the hub.challenge handshake with CAUSERIE_META_VERIFY_TOKEN, X-Hub-Signature-256
// with CAUSERIE_META_APP_SECRET on the raw body, then each change goes, by `metadata.phone_number_id`, to the WhatsApp
// channel owning that number and is stored as that channel's own webhook stores it (processed by the same inbound path).
import { createHmac } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import { nowInstant } from '../time.js';
import { field, list, readJson, sameSignature, text } from './http-util.js';
import { channelRuntime } from './runtime.js';
import type { ChannelDirectory, OpenChannel } from './store.js';

/** Largest webhook body accepted (as the per-channel webhook). */
const WEBHOOK_BODY_LIMIT = 1024 * 1024;
/** How long the number → channel map is trusted; a number not in it is looked for again at most this often. */
const NUMBERS_TTL_MS = 5000;
const MISS_RETRY_MS = 1000;

/**
 * WhatsApp channels by their phone_number_id. Credentials are sealed, so the map is made by opening each channel's
 * (through the channel directory's cache) and kept a few seconds; a number not found makes it again, at most once a second.
 */
export class WhatsAppNumbers {
  private byNumber = new Map<string, number>();
  private madeAt = 0;

  constructor(
    private readonly context: Pick<AppContext, 'db'>,
    private readonly directory: ChannelDirectory,
  ) {}

  async channelFor(phoneNumberId: string): Promise<OpenChannel | undefined> {
    const age = Date.now() - this.madeAt;
    if (age > NUMBERS_TTL_MS || (!this.byNumber.has(phoneNumberId) && age > MISS_RETRY_MS)) await this.make();
    const id = this.byNumber.get(phoneNumberId);
    if (id === undefined) return undefined;
    const channel = await this.directory.get(id);
    // Deleted or given another number since the map was made.
    if (channel === undefined || channel.credentials.phone_number_id !== phoneNumberId) return undefined;
    return channel;
  }

  private async make(): Promise<void> {
    const rows = await this.context.db
      .selectFrom('channel')
      .select('id')
      .where('type', '=', 'whatsapp')
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .execute();
    const byNumber = new Map<string, number>();
    for (const { id } of rows) {
      const number = (await this.directory.get(id))?.credentials.phone_number_id;
      // Two channels naming one number: the oldest keeps it (the per-channel webhook of the other still works).
      if (typeof number === 'string' && !byNumber.has(number)) byNumber.set(number, id);
    }
    this.byNumber = byNumber;
    this.madeAt = Date.now();
  }
}

/** X-Hub-Signature-256 as Meta computes it: `sha256=` and the hex HMAC-SHA256 of the raw body with the app secret. */
function metaSignature(appSecret: string, rawBody: Buffer): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** A webhook payload's changes grouped by the phone_number_id they concern, each group a payload of its own. */
export function payloadsByNumber(payload: unknown): { byNumber: Map<string, unknown>; unaddressed: number } {
  const grouped = new Map<string, Array<{ entry: unknown; change: unknown }>>();
  let unaddressed = 0;
  for (const entry of list(field(payload, 'entry'))) {
    for (const change of list(field(entry, 'changes'))) {
      const number = text(field(field(field(change, 'value'), 'metadata'), 'phone_number_id'));
      if (number === undefined) {
        unaddressed += 1;
        continue;
      }
      grouped.set(number, [...(grouped.get(number) ?? []), { entry, change }]);
    }
  }
  const byNumber = new Map<string, unknown>();
  for (const [number, parts] of grouped) {
    // One entry per WhatsApp business account, holding only this number's changes: what the channel's own webhook
    // would have received had Meta posted it there.
    const entries = new Map<unknown, unknown[]>();
    for (const { entry, change } of parts) entries.set(entry, [...(entries.get(entry) ?? []), change]);
    byNumber.set(number, {
      object: field(payload, 'object') ?? 'whatsapp_business_account',
      entry: [...entries].map(([entry, changes]) => ({ ...(entry as object), changes })),
    });
  }
  return { byNumber, unaddressed };
}

// Provider-facing, like the per-channel webhooks: kept out of the OpenAPI document, documented in docs/COMMERCE.md.
const describe = {
  hide: true,
  tags: ['Channel webhooks'],
  description:
    "Meta's app-level WhatsApp webhook (seed 001): enter this URL, with its final slash, and CAUSERIE_META_VERIFY_TOKEN as the verify token in the Meta app's Webhooks settings, and subscribe to `messages`. " +
    'GET answers `hub.challenge` when `hub.mode` is `subscribe` and `hub.verify_token` matches (403 otherwise). POST bodies must carry `X-Hub-Signature-256` made with CAUSERIE_META_APP_SECRET (401 otherwise); ' +
    'each change goes to the WhatsApp channel whose `phone_number_id` it names (a number no channel has is ignored and logged). 404 while those variables are not set. See docs/COMMERCE.md.',
};

export const metaAppWebhook: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const runtime = channelRuntime(context);
  const numbers = new WhatsAppNumbers(context, runtime.directory);
  const { metaAppSecret, metaVerifyToken } = context.config;

  // The signature covers the exact bytes: bodies are kept raw (latin1 maps bytes one to one).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => {
    done(null, Buffer.isBuffer(body) ? body.toString('latin1') : String(body));
  });

  const notConfigured = (variable: string) =>
    `The platform WhatsApp webhook is not configured: set ${variable} (docs/COMMERCE.md).`;

  app.get(
    '/webhook/facebook/',
    {
      schema: {
        ...describe,
        summary: 'WhatsApp webhook verification (hub.challenge)',
        querystring: Type.Record(Type.String(), Type.String()),
        security: [],
      },
    },
    async (request, reply) => {
      if (metaVerifyToken === undefined)
        return reply.code(404).type('text/plain').send(notConfigured('CAUSERIE_META_VERIFY_TOKEN'));
      const query = request.query;
      const challenge = query['hub.challenge'];
      if (
        query['hub.mode'] === 'subscribe' &&
        challenge !== undefined &&
        sameSignature(metaVerifyToken, query['hub.verify_token'])
      )
        return reply.code(200).type('text/plain').send(challenge);
      return reply.code(403).type('text/plain').send('Forbidden');
    },
  );

  app.post(
    '/webhook/facebook/',
    { schema: { ...describe, summary: 'WhatsApp webhook (messages and statuses of every number)', security: [] } },
    async (request, reply) => {
      if (metaAppSecret === undefined)
        return reply.code(404).type('text/plain').send(notConfigured('CAUSERIE_META_APP_SECRET'));
      const rawBody = Buffer.from(typeof request.body === 'string' ? request.body : '', 'latin1');
      const signature = request.headers['x-hub-signature-256'];
      if (!sameSignature(metaSignature(metaAppSecret, rawBody), typeof signature === 'string' ? signature : undefined))
        return reply.code(401).type('text/plain').send('Invalid signature.');
      const payload = readJson(rawBody.toString('utf8'));
      if (payload === undefined) return reply.code(400).type('text/plain').send('The body is not JSON.');
      const { byNumber, unaddressed } = payloadsByNumber(payload);
      if (unaddressed > 0)
        request.log.warn(`whatsapp webhook: ${unaddressed} change(s) without metadata.phone_number_id ignored`);
      const stored: Array<Promise<void>> = [];
      for (const [number, part] of byNumber) {
        const channel = await numbers.channelFor(number);
        if (channel === undefined || channel.row.enabled !== 1) {
          request.log.warn(
            `whatsapp webhook: phone_number_id ${number} is not the number of any ${channel === undefined ? '' : 'enabled '}WhatsApp channel; its changes are ignored`,
          );
          continue;
        }
        // Stored as the channel's own webhook stores a verified payload; the channel runtime processes it from there.
        stored.push(
          runtime.storeInbound({
            channel_id: channel.row.id,
            content_type: 'application/json',
            body: Buffer.from(JSON.stringify(part), 'utf8').toString('latin1'),
            received_at: nowInstant(),
            processed_at: null,
            claimed_until: null,
            error: null,
          }),
        );
      }
      await Promise.all(stored);
      // Meta resends what is not answered 200: a payload for numbers we do not serve is answered 200 too.
      return reply.code(200).type('text/plain').send('EVENT_RECEIVED');
    },
  );
};
