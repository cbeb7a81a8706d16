// HTTP routes of channels under /api/2: CRUD of `channel`, RCS testers and capabilities, WhatsApp templates, and the
// delivery states of a conversation's outbound messages. auth → validate → authorise → command → present.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import { presentMessage } from '../domain/conversations/present.js';
import { MessageData } from '../domain/conversations/schema.js';
import { loadConversationRows } from '../domain/conversations/store.js';
import { authorize } from '../domain/tenancy/policy.js';
import { IdParams } from '../domain/tenancy/schema.js';
import { conflict, fieldInvalid, unknownResource } from '../errors.js';
import { done, EmptyEnvelope, ErrorResponses, ListEnvelope, many, OneEnvelope, one } from '../http/envelope.js';
import { listQuerySchema, pageInfo, parseListQuery } from '../http/filters.js';
import { listAnswer, loadVisible } from '../http/respond.js';
import { PROVIDER_CHANNEL_TYPES } from './adapter.js';
import { createChannel, deleteChannel, updateChannel } from './commands.js';
import { attachmentDisposition, bareContentType, MEDIA_UPLOAD_LIMIT, sendMediaMessage } from './media.js';
import { deliveryStateOf, deliveryStates } from './outbox.js';
import { inviteRcsTester, rcsCapabilities } from './rcs.js';
import { adapterFor } from './registry.js';
import { channelRuntime } from './runtime.js';
import {
  CapabilityData,
  CHANNEL_FILTERS,
  ChannelCreateBody,
  ChannelData,
  ChannelUpdateBody,
  ConversationIdParams,
  ConversationTemplateBody,
  DeliveryData,
  MediaFile,
  MediaParams,
  MediaQuery,
  MsisdnBody,
  TemplateBody,
  TesterData,
} from './schema.js';
import { type ChannelFilter, listChannelIds, loadChannels, presentChannel } from './store.js';
import { sendTemplateMessage } from './templates.js';

const tags = ['Channel'];

/** What the server applies when a channel names no base URL or send rate: forms show it instead of copying it. */
const ChannelTypeData = Type.Object({
  type: Type.String({ description: '`whatsapp`, `sms` or `rcs`.' }),
  default_base_url: Type.String({ description: "The provider's public API, used when a channel gives no `base_url`." }),
  default_send_rate: Type.Integer({ description: 'Messages per second, used when a channel gives no `send_rate`.' }),
});

export const channelRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const runtime = channelRuntime(context);
  const present = (row: Parameters<typeof presentChannel>[0]) => presentChannel(row, context.config.publicUrl);

  app.get(
    '/channel',
    {
      schema: {
        tags,
        summary: 'List your channels',
        querystring: listQuerySchema(CHANNEL_FILTERS),
        response: { 200: ListEnvelope(ChannelData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'channel', 'list');
      const query = parseListQuery<ChannelFilter>(request.query, CHANNEL_FILTERS, 'channel');
      return listAnswer(
        query,
        await listChannelIds(db, request.principal, query),
        'channel',
        (ids) => loadChannels(db, request.principal, ids),
        present,
      );
    },
  );
  app.get(
    '/channel_type',
    {
      schema: {
        tags,
        summary: 'Channel types and their defaults',
        description: 'The provider channel types, with the base URL and send rate a channel gets when it names none.',
        response: { 200: ListEnvelope(ChannelTypeData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'channel', 'list');
      const types = PROVIDER_CHANNEL_TYPES.map((type) => ({
        type,
        default_base_url: adapterFor(type).defaultBaseUrl,
        default_send_rate: adapterFor(type).defaultSendRate,
      }));
      return many(types, pageInfo(1, types.length, types.length));
    },
  );
  app.get(
    '/channel/:id',
    {
      schema: {
        tags,
        summary: "Get a channel's settings",
        params: IdParams,
        response: { 200: OneEnvelope(ChannelData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'channel', 'read');
      return one(
        present(await loadVisible('channel', request.params.id, (ids) => loadChannels(db, request.principal, ids))),
      );
    },
  );
  app.post(
    '/channel',
    {
      schema: {
        tags,
        summary: 'Connect a channel',
        description:
          'A WhatsApp number, an SMS sender, an RCS agent or the web chat of a website. `credentials` are stored encrypted and never returned; enter the answered `webhook_url` at the provider.',
        body: ChannelCreateBody,
        response: { 200: OneEnvelope(ChannelData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'channel', 'create');
      const id = await createChannel(db, runtime.key, request.principal, request.body, context.outbound.allowlist);
      return one(present(await loadVisible('channel', id, (ids) => loadChannels(db, request.principal, ids))));
    },
  );
  app.put(
    '/channel/:id',
    {
      schema: {
        tags,
        summary: 'Change a channel',
        description: 'Credentials given replace the stored ones field by field.',
        params: IdParams,
        body: ChannelUpdateBody,
        response: { 200: OneEnvelope(ChannelData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'channel', 'update');
      const existing = await loadVisible('channel', request.params.id, (ids) =>
        loadChannels(db, request.principal, ids),
      );
      await updateChannel(db, runtime.key, request.principal, existing, request.body, context.outbound.allowlist);
      runtime.directory.forget(existing.id);
      return one(present(await loadVisible('channel', existing.id, (ids) => loadChannels(db, request.principal, ids))));
    },
  );
  app.delete(
    '/channel/:id',
    {
      schema: {
        tags,
        summary: 'Disconnect a channel',
        description: 'Its conversations and their history stay; its webhook answers 404 from then on.',
        params: IdParams,
        response: { 200: EmptyEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'channel', 'delete');
      const existing = await loadVisible('channel', request.params.id, (ids) =>
        loadChannels(db, request.principal, ids),
      );
      await deleteChannel(db, existing);
      runtime.directory.forget(existing.id);
      return done();
    },
  );

  /** A visible channel of a type, with its credentials opened. */
  const openOfType = async (principal: Parameters<typeof loadChannels>[1], id: number, type: 'rcs' | 'whatsapp') => {
    const row = await loadVisible('channel', id, (ids) => loadChannels(db, principal, ids));
    if (row.type !== type)
      throw fieldInvalid('id', `Channel ${id} is a ${row.type} channel; this needs a ${type} channel.`);
    const channel = await runtime.directory.get(row.id);
    if (channel === undefined) throw conflict(`Channel ${id} is not available.`);
    return channel;
  };

  app.post(
    '/channel/:id/tester',
    {
      schema: {
        tags,
        summary: 'Register an RCS tester',
        description:
          'Seed 000 "Enregistrer un testeur": invites a phone number to test the RCS agent (`phones/{msisdn}/testers`). The user accepts the special RCS message on the device; `invite_status` stays `PENDING` until then.',
        params: IdParams,
        body: MsisdnBody,
        response: { 200: OneEnvelope(TesterData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'channel', 'update');
      const channel = await openOfType(request.principal, request.params.id, 'rcs');
      const invited = await inviteRcsTester(runtime.sendContext(channel), request.body.phone_number);
      if (!invited.ok)
        throw conflict(`RBM refused the tester invitation: ${invited.error.message} (${invited.error.code}).`);
      return one({ phone_number: request.body.phone_number, invite_status: invited.status });
    },
  );
  app.get(
    '/channel/:id/capability',
    {
      schema: {
        tags,
        summary: 'Check RCS capability of a phone number',
        description:
          'Asks RBM (`phones/{msisdn}/capabilities`) whether the number can receive RCS from this agent, and which features it supports.',
        params: IdParams,
        querystring: MsisdnBody,
        response: { 200: OneEnvelope(CapabilityData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'channel', 'read');
      const channel = await openOfType(request.principal, request.params.id, 'rcs');
      const answer = await rcsCapabilities(runtime.sendContext(channel), request.query.phone_number);
      if (!answer.reachable && answer.error.code !== 'NOT_FOUND')
        throw conflict(`RBM could not answer: ${answer.error.message} (${answer.error.code}).`);
      return one({
        phone_number: request.query.phone_number,
        reachable: answer.reachable,
        features: answer.reachable ? answer.features : [],
      });
    },
  );
  app.post(
    '/channel/:id/template',
    {
      schema: {
        tags,
        summary: 'Send a WhatsApp template message',
        description:
          "Outside WhatsApp's 24-hour customer-service window only approved templates may be sent. Appends an operator message to the conversation (its text names the template and parameters) and queues the template; its delivery state follows.",
        params: IdParams,
        body: TemplateBody,
        response: { 200: OneEnvelope(DeliveryData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'update');
      const channel = await openOfType(request.principal, request.params.id, 'whatsapp');
      const [conversation] = await loadConversationRows(db, request.principal, [request.body.conversation_id]);
      if (conversation === undefined)
        throw fieldInvalid('conversation_id', `Unknown 'conversation' with 'id' ${request.body.conversation_id}.`);
      const row = await sendTemplateMessage(db, conversation, request.body, channel.row.id);
      const state = await deliveryStateOf(db, conversation.id, Number(row.seq));
      if (state === undefined) throw conflict('The template was not queued.');
      return one(state);
    },
  );
  app.post(
    '/conversation/:id/template',
    {
      schema: {
        tags,
        summary: 'Send a WhatsApp template in a conversation',
        description:
          'The same as POST /channel/{id}/template, addressed by the conversation (its WhatsApp channel is the one the customer wrote to). Answers the history entry, with `delivery.state` `queued`. A conversation of another channel answers 409.',
        params: IdParams,
        body: ConversationTemplateBody,
        response: { 200: OneEnvelope(MessageData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'update');
      const existing = await loadVisible('conversation', request.params.id, (ids) =>
        loadConversationRows(db, request.principal, ids),
      );
      const row = await sendTemplateMessage(db, existing, request.body);
      const delivery = await deliveryStateOf(db, existing.id, Number(row.seq));
      return one(presentMessage(row, delivery));
    },
  );
  // Files are posted as the raw request body, typed by its Content-Type (a browser sends a File as is; no multipart).
  app.addContentTypeParser(
    /^(image|audio|video|application|text)\/[\w.+-]+/,
    { parseAs: 'buffer', bodyLimit: MEDIA_UPLOAD_LIMIT },
    (_request, body, done) => done(null, body),
  );
  app.post(
    '/conversation/:id/media',
    {
      schema: {
        tags,
        summary: 'Send a file to a WhatsApp, SMS or RCS customer',
        description:
          "The request body is the file itself, with its `Content-Type` (e.g. `image/jpeg`, `application/pdf`). Appends an operator message `[image] caption` whose `data` names the stored file (`media_id`, `media_kind`, `mime_type`), and queues it for the provider, which fetches it from a signed link that expires after 24 hours; its delivery state follows like a text reply's. " +
          'Sizes: WhatsApp images 5 MB, audio, video and documents 16 MB (types WhatsApp cannot show inline go as documents); SMS (MMS) 5 MB; RCS 16 MB. Web chat conversations answer 409; WhatsApp outside the 24-hour window answers 409 `service_window_closed`.',
        params: IdParams,
        querystring: MediaQuery,
        response: { 200: OneEnvelope(MessageData), ...ErrorResponses },
      },
      config: {
        mediaTypeHint:
          "Send the file's bytes as the body, with its content type (such as image/jpeg or application/pdf).",
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'update');
      const existing = await loadVisible('conversation', request.params.id, (ids) =>
        loadConversationRows(db, request.principal, ids),
      );
      const mimeType = bareContentType(request.headers['content-type']);
      if (mimeType === undefined || !Buffer.isBuffer(request.body))
        throw fieldInvalid(
          'Content-Type',
          "Send the file's bytes as the body, with its content type (such as image/jpeg or application/pdf).",
        );
      const row = await sendMediaMessage(db, existing, {
        bytes: request.body,
        mimeType,
        ...(request.query.filename !== undefined && { filename: request.query.filename }),
        ...(request.query.caption !== undefined && { caption: request.query.caption }),
        ...(request.query.operator_id !== undefined && { operatorId: request.query.operator_id }),
      });
      const delivery = await deliveryStateOf(db, existing.id, Number(row.seq));
      return one(presentMessage(row, delivery));
    },
  );
  app.get(
    '/conversation/:id/media/:mediaId',
    {
      schema: {
        tags,
        summary: 'Download a media file a customer sent',
        description:
          "The file of an inbound WhatsApp, SMS or RCS media message, as the provider gave it (the entry's `data.media_id` names it). Answered with its own content type.",
        params: MediaParams,
        response: { 200: MediaFile, ...ErrorResponses },
      },
    },
    async (request, reply) => {
      authorize(request.principal, 'conversation', 'read');
      const existing = await loadVisible('conversation', request.params.id, (ids) =>
        loadConversationRows(db, request.principal, ids),
      );
      const media = await db
        .selectFrom('channel_media')
        .select(['mime_type', 'filename', 'content'])
        .where('id', '=', request.params.mediaId)
        .where('conversation_id', '=', existing.id)
        .executeTakeFirst();
      if (media === undefined) throw unknownResource('media', request.params.mediaId);
      reply.header('content-type', media.mime_type).header('x-content-type-options', 'nosniff');
      // Never rendered inline by the API origin: a customer's file is untrusted content.
      reply.header('content-disposition', attachmentDisposition(media.filename));
      return reply.send(Buffer.from(media.content));
    },
  );
  app.get(
    '/conversation/:id/delivery',
    {
      schema: {
        tags,
        summary: 'Delivery states of a conversation',
        description:
          "For each operator message sent through WhatsApp, SMS or RCS: `queued`, `sent`, `delivered`, `read` or `failed` (with the provider's error). Web chat messages have none.",
        params: ConversationIdParams,
        response: { 200: ListEnvelope(DeliveryData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'read');
      const existing = await loadVisible('conversation', request.params.id, (ids) =>
        loadConversationRows(db, request.principal, ids),
      );
      const states = await deliveryStates(db, existing.id);
      return many(states, pageInfo(1, Math.max(states.length, 1), states.length));
    },
  );
};
