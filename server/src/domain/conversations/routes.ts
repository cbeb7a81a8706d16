// HTTP routes of conversations, tags and the Odigo call-backs: auth → validate → authorise → command → present.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isProviderChannel } from '../../channels/adapter.js';
import { deliveryStateOf, deliveryStates } from '../../channels/outbox.js';
import type { AppContext } from '../../context.js';
import { ErrorResponses, ListEnvelope, many, OneEnvelope, one } from '../../http/envelope.js';
import { listQuerySchema, pageInfo, parseListQuery } from '../../http/filters.js';
import { listAnswer, loadVisible } from '../../http/respond.js';
import { authorize } from '../tenancy/policy.js';
import { IdParams } from '../tenancy/schema.js';
import { closeConversationNow, createConversation, postMessage, updateConversation } from './api-commands.js';
import { hangupCall, pickupCall } from './odigo.js';
import { presentConversation, presentMessage, presentTag } from './present.js';
import { reportProblem } from './problem.js';
import { reopenConversation } from './reopen.js';
import {
  CONVERSATION_FILTERS,
  ConversationCloseBody,
  ConversationCreateBody,
  ConversationData,
  ConversationProblemBody,
  ConversationReopenBody,
  ConversationUpdateBody,
  MessageCreateBody,
  MessageData,
  MessageListQuery,
  OdigoCallbackBody,
  OdigoHangupEnvelope,
  OdigoPickupEnvelope,
  TAG_FILTERS,
  TagCreateBody,
  TagData,
  TagUpdateBody,
} from './schema.js';
import {
  listConversationIds,
  listMessages,
  listTagIds,
  loadConversationRows,
  loadConversations,
  loadTags,
} from './store.js';
import { createTag, updateTag } from './tag-commands.js';

const MESSAGE_LIMIT = 100;

export const conversationRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const tags = ['Conversation'];

  app.get(
    '/conversation',
    {
      schema: {
        tags,
        summary: 'List your conversations',
        description:
          'Newest first (by `created_at`). One request covers at most 3 months of `created_at`: no dates, the last 3 months; `from` alone, the 3 months after it; `to` alone, the 3 months before it (its whole day); both, at most 3 months apart.',
        querystring: listQuerySchema(CONVERSATION_FILTERS),
        response: { 200: ListEnvelope(ConversationData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'list');
      const query = parseListQuery(request.query, CONVERSATION_FILTERS, 'conversation');
      const page = await listConversationIds(db, request.principal, query, new Date());
      return listAnswer(
        query,
        page,
        'conversation',
        (ids) => loadConversations(db, request.principal, ids),
        presentConversation,
      );
    },
  );
  app.get(
    '/conversation/:id',
    {
      schema: {
        tags,
        summary: 'Get a conversation details',
        params: IdParams,
        response: { 200: OneEnvelope(ConversationData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'read');
      return one(
        presentConversation(
          await loadVisible('conversation', request.params.id, (ids) => loadConversations(db, request.principal, ids)),
        ),
      );
    },
  );
  app.post(
    '/conversation',
    {
      schema: {
        tags,
        summary: 'Create a conversation',
        description:
          'For imports and channels outside the live chat: `website_id` is required; the conversation is `open`. `history` (JSON bodies) imports entries written as in the `history` field, oldest first.',
        body: ConversationCreateBody,
        response: { 200: OneEnvelope(ConversationData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'create');
      const id = await createConversation(db, request.principal, request.body);
      return one(
        presentConversation(
          await loadVisible('conversation', id, (ids) => loadConversations(db, request.principal, ids)),
        ),
      );
    },
  );
  app.put(
    '/conversation/:id',
    {
      schema: {
        tags,
        summary: 'Update a conversation',
        description:
          '`tag_list` replaces the tags; `operator_id` assigns or transfers the conversation (not once closed).',
        params: IdParams,
        body: ConversationUpdateBody,
        response: { 200: OneEnvelope(ConversationData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'update');
      const existing = await loadVisible('conversation', request.params.id, (ids) =>
        loadConversationRows(db, request.principal, ids),
      );
      await updateConversation(db, existing, request.body);
      return one(
        presentConversation(
          await loadVisible('conversation', existing.id, (ids) => loadConversations(db, request.principal, ids)),
        ),
      );
    },
  );
  app.post(
    '/conversation/:id/close',
    {
      schema: {
        tags,
        summary: 'Close a conversation',
        description:
          'Adds `OPERATOR_CHAT_CLOSE` (or `VISITOR_CHAT_CLOSE` with `operator_closed=0`) to the history. A closed conversation answers 409.',
        params: IdParams,
        body: ConversationCloseBody,
        response: { 200: OneEnvelope(ConversationData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'update');
      const existing = await loadVisible('conversation', request.params.id, (ids) =>
        loadConversationRows(db, request.principal, ids),
      );
      // Sockets see the close, and the freed slot serves the queue, through the reactions to `conversation.closed`.
      await closeConversationNow(db, existing, request.body);
      return one(
        presentConversation(
          await loadVisible('conversation', existing.id, (ids) => loadConversations(db, request.principal, ids)),
        ),
      );
    },
  );
  app.post(
    '/conversation/:id/reopen',
    {
      schema: {
        tags,
        summary: 'Reopen a closed conversation',
        description:
          "The conversation is `open` again, held by one operator (never sent to the queue): a console session's own operator, else `operator_id`, else the operator who had it. Adds `OPERATOR_CHAT_ASSIGNED` (data `{event: 'reopened'}`) to the history; the visitor's next message continues it. Emits `conversation.updated` naming `status`. A conversation that is not closed answers 409.",
        params: IdParams,
        body: ConversationReopenBody,
        response: { 200: OneEnvelope(ConversationData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'update');
      const existing = await loadVisible('conversation', request.params.id, (ids) =>
        loadConversationRows(db, request.principal, ids),
      );
      await reopenConversation(db, request.principal, existing, request.body ?? {});
      return one(
        presentConversation(
          await loadVisible('conversation', existing.id, (ids) => loadConversations(db, request.principal, ids)),
        ),
      );
    },
  );
  app.post(
    '/conversation/:id/problem',
    {
      schema: {
        tags,
        summary: 'Report a problem on a conversation',
        description:
          "An operator flags a problem with a `reason`, open or closed conversation alike; the conversation's `problem` shows it (a later report replaces it) and seed 002's operator statistic `problem` counts it. Operators' console sessions may report on any conversation they can read. Emits `conversation.problem_reported`.",
        params: IdParams,
        body: ConversationProblemBody,
        response: { 200: OneEnvelope(ConversationData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'update');
      const existing = await loadVisible('conversation', request.params.id, (ids) =>
        loadConversationRows(db, request.principal, ids),
      );
      await reportProblem(db, request.principal, existing, request.body);
      return one(
        presentConversation(
          await loadVisible('conversation', existing.id, (ids) => loadConversations(db, request.principal, ids)),
        ),
      );
    },
  );
  app.post(
    '/conversation/:id/message',
    {
      schema: {
        tags,
        summary: 'Add a history entry',
        description:
          "An operator, visitor, system or navigation entry, numbered by the conversation's `seq`. An operator message is written by `operator_id` (default: the conversation's operator, which it becomes when there was none). A closed conversation answers 409.",
        params: IdParams,
        body: MessageCreateBody,
        response: { 200: OneEnvelope(MessageData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'update');
      const existing = await loadVisible('conversation', request.params.id, (ids) =>
        loadConversationRows(db, request.principal, ids),
      );
      // Sockets following the conversation see an entry written through the API as they see one typed live
      // (the realtime fan-out reacts to `message.created`).
      const row = await postMessage(db, existing, request.body);
      // A reply in a WhatsApp, SMS or RCS conversation was queued for its provider with the message.
      const delivery = isProviderChannel(existing.source)
        ? await deliveryStateOf(db, existing.id, Number(row.seq))
        : undefined;
      return one(presentMessage(row, delivery));
    },
  );
  app.get(
    '/conversation/:id/message',
    {
      schema: {
        tags,
        summary: 'List history entries',
        description:
          'Entries after `after_seq`, oldest first, at most 100 per answer: to resume, ask again with the last `seq` received.',
        params: IdParams,
        querystring: MessageListQuery,
        response: { 200: ListEnvelope(MessageData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'read');
      const existing = await loadVisible('conversation', request.params.id, (ids) =>
        loadConversationRows(db, request.principal, ids),
      );
      const limit = request.query.limit ?? MESSAGE_LIMIT;
      const afterSeq = request.query.after_seq ?? 0;
      const { rows, count } = await listMessages(db, existing.id, afterSeq, limit);
      const lastSeq = rows.length > 0 ? Number(rows[rows.length - 1]?.seq) : afterSeq;
      const deliveries =
        isProviderChannel(existing.source) && rows.length > 0
          ? new Map(
              (await deliveryStates(db, existing.id, afterSeq, lastSeq)).map((delivery) => [delivery.seq, delivery]),
            )
          : undefined;
      return many(
        rows.map((row) => presentMessage(row, deliveries?.get(Number(row.seq)))),
        pageInfo(1, limit, count),
      );
    },
  );
};

export const tagRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const tags = ['Tag'];

  app.get(
    '/tag',
    {
      schema: {
        tags,
        summary: 'List your tags',
        querystring: listQuerySchema(TAG_FILTERS),
        response: { 200: ListEnvelope(TagData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'tag', 'list');
      const query = parseListQuery(request.query, TAG_FILTERS, 'tag');
      return listAnswer(
        query,
        await listTagIds(db, request.principal, query),
        'tag',
        (ids) => loadTags(db, request.principal, ids),
        presentTag,
      );
    },
  );
  app.get(
    '/tag/:id',
    {
      schema: {
        tags,
        summary: 'Get a tag details',
        params: IdParams,
        response: { 200: OneEnvelope(TagData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'tag', 'read');
      return one(
        presentTag(await loadVisible('tag', request.params.id, (ids) => loadTags(db, request.principal, ids))),
      );
    },
  );
  app.post(
    '/tag',
    {
      schema: {
        tags,
        summary: 'Create a tag',
        description: '`name` is required and unique within the client, whatever its case.',
        body: TagCreateBody,
        response: { 200: OneEnvelope(TagData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'tag', 'create');
      const id = await createTag(db, request.principal, request.body);
      return one(presentTag(await loadVisible('tag', id, (ids) => loadTags(db, request.principal, ids))));
    },
  );
  app.put(
    '/tag/:id',
    {
      schema: {
        tags,
        summary: 'Update a tag',
        params: IdParams,
        body: TagUpdateBody,
        response: { 200: OneEnvelope(TagData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'tag', 'update');
      const existing = await loadVisible('tag', request.params.id, (ids) => loadTags(db, request.principal, ids));
      await updateTag(db, existing, request.body);
      return one(presentTag(await loadVisible('tag', existing.id, (ids) => loadTags(db, request.principal, ids))));
    },
  );
};

export const odigoCallbackRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const tags = ['Callback Odigo'];

  app.post(
    '/odigocallback/pickup',
    {
      schema: {
        tags,
        summary: 'Pick up callback',
        description:
          'Odigo tells that an operator (by external id) picked up a call from a phone number on a website: a `call` conversation opens, answered, with the rule and skill of the pending call meeting for that number, if any (which moves to `progress`). Form-encoded or JSON.',
        body: OdigoCallbackBody,
        response: { 200: OdigoPickupEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'create');
      return { meta: { status: 'success' as const }, data: await pickupCall(db, request.principal, request.body) };
    },
  );
  app.post(
    '/odigocallback/hangup',
    {
      schema: {
        tags,
        summary: 'Hang up callback',
        description:
          "Closes the operator's open call with this phone number on this website (closed by the operator); the call meeting in progress becomes `done`. No open call: 404.",
        body: OdigoCallbackBody,
        response: { 200: OdigoHangupEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'update');
      await hangupCall(db, request.principal, request.body);
      return { meta: { status: 'success' as const }, data: [] };
    },
  );
};
