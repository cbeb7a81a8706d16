// The visitor's HTTP fallback, for browsers or networks where WebSockets do not get through: send (starting a
// conversation when the visitor has none open) and poll for entries after a seq. Same rules as the socket.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MESSAGE_KIND } from '../db/schema.js';
import { fieldInvalid, unknownResource } from '../errors.js';
import { ErrorResponses, OneEnvelope, one } from '../http/envelope.js';
import { IdSchema } from '../http/ids.js';
import { NON_BLANK } from '../http/validation.js';
import { startLiveConversation } from '../domain/routing/commands.js';
import { queueStatus } from '../domain/routing/queue.js';
import { MAX_ID_TEXT, MAX_TEXT, entryFrame, visibleToVisitor, visitorConversationView } from './frames.js';
import type { Gateway } from './gateway.js';
import { type SiteRef, findSite, lookupVisitor, resolveVisitor } from './identity.js';
import { entryPayload } from './messages.js';
import { activeVisitorConversation, conversationState, historyAfter, visitorOwnsConversation } from './store.js';

const Vuid = (description: string) => Type.String({ minLength: 1, maxLength: MAX_ID_TEXT, pattern: '^\\S+$', description });

const SendBody = Type.Object(
  {
    website_id: IdSchema('The website the visitor is on.'),
    vuid: Type.Optional(Vuid('The visitor unique id the socket hello returned; omitted: a new visitor (its vuid is in the answer).')),
    conversation_id: Type.Optional(IdSchema("The visitor's conversation; omitted: the visitor's open conversation, or a new one started with this message.")),
    text: Type.String({ minLength: 1, maxLength: MAX_TEXT, pattern: NON_BLANK, description: 'The message.' }),
    client_message_id: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_ID_TEXT, pattern: NON_BLANK, description: "The sender's own id of the message: a resend with the same id is answered with the same seq and stored once." })),
    page_type: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Page type, when this message starts a conversation.' })),
  },
  { additionalProperties: false },
);

const SendData = Type.Object({
  vuid: Type.String(),
  conversation_id: Type.Integer(),
  seq: Type.Integer({ description: "The message's place in the conversation." }),
  client_message_id: Type.Union([Type.String(), Type.Null()]),
  duplicate: Type.Boolean({ description: 'True when an earlier send with the same client_message_id had stored it.' }),
  outcome: Type.Union([Type.Literal('assigned'), Type.Literal('queued'), Type.Literal('offline'), Type.Null()], { description: 'When the message started the conversation: what routing did.' }),
});

const PollQuery = Type.Object(
  {
    website_id: IdSchema('The website the visitor is on.'),
    vuid: Vuid('The visitor unique id.'),
    conversation_id: Type.Optional(IdSchema("The visitor's conversation; omitted: their open one.")),
    after_seq: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'The last seq the client has; entries after it are returned (at most 1000: ask again from the last one).' })),
  },
  { additionalProperties: false },
);

const EntryData = Type.Object({
  type: Type.Literal('entry'),
  conversation_id: Type.Integer(),
  seq: Type.Integer(),
  kind: Type.String({ description: 'visitor, operator, system or navigation.' }),
  text: Type.String(),
  operator_id: Type.Union([Type.Integer(), Type.Null()]),
  at: Type.String({ description: 'ISO 8601, UTC.' }),
  client_message_id: Type.Optional(Type.String()),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

const ConversationView = Type.Object({
  id: Type.Integer(),
  status: Type.String({ description: 'waiting, open or closed.' }),
  operator: Type.Union([Type.Object({ id: Type.Integer(), name: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  outcome: Type.Union([Type.String(), Type.Null()]),
  last_seq: Type.Integer(),
});

const PollData = Type.Object({
  conversation: Type.Union([ConversationView, Type.Null()]),
  entries: Type.Array(EntryData),
  queue: Type.Union([Type.Object({ position: Type.Integer(), estimated_wait_seconds: Type.Integer() }), Type.Null()]),
});

async function siteOf(gateway: Gateway, websiteId: number): Promise<SiteRef> {
  const site = await findSite(gateway.db, websiteId);
  if (site === undefined) throw fieldInvalid('website_id', `Unknown 'website' with 'id' ${websiteId}.`);
  return site;
}

/** Registers POST and GET /realtime/visitor/messages. */
export function visitorFallbackRoutes(gateway: Gateway): FastifyPluginAsyncTypebox {
  const { db } = gateway;
  return async (app) => {
    app.post(
      '/realtime/visitor/messages',
      {
        schema: {
          // The widget's transport, documented with the socket protocol in docs/REALTIME.md, not an integrator API.
          hide: true,
          tags: ['Realtime'],
          summary: "Send a visitor's message over HTTP (fallback of the visitor socket)",
          description:
            'For clients that cannot keep a WebSocket. Sends a message into the visitor\'s conversation, or starts one with it (routed like the socket\'s `start`). ' +
            'A resend with the same `client_message_id` answers the same `seq` and stores nothing. See docs/REALTIME.md.',
          body: SendBody,
          response: { 200: OneEnvelope(SendData), ...ErrorResponses },
        },
      },
      async (request) => {
        const body = request.body;
        const site = await siteOf(gateway, body.website_id);
        const visitor = await resolveVisitor(db, site, body.vuid, null);
        const clientMessageId = body.client_message_id ?? null;
        let conversationId = body.conversation_id ?? (await activeVisitorConversation(db, visitor.id, site.id)) ?? null;
        if (body.conversation_id !== undefined && !(await visitorOwnsConversation(db, body.conversation_id, visitor.id, site.id))) throw unknownResource('conversation', body.conversation_id);
        if (conversationId === null && clientMessageId !== null) {
          const earlier = await db
            .selectFrom('conversation_message')
            .innerJoin('conversation', 'conversation.id', 'conversation_message.conversation_id')
            .select('conversation.id')
            .where('conversation.visitor_id', '=', visitor.id)
            .where('conversation.website_id', '=', site.id)
            .where('conversation_message.client_message_id', '=', clientMessageId)
            .executeTakeFirst();
          conversationId = earlier?.id ?? null;
        }
        if (conversationId === null) {
          const started = await startLiveConversation(db, { websiteId: site.id, visitor: { id: visitor.id, uniqueId: visitor.vuid }, channel: 'chat', text: body.text, clientMessageId, pageType: body.page_type ?? null, userAgent: request.headers['user-agent']?.slice(0, 512) ?? null });
          await gateway.publisher.started(started);
          const first = started.entries.find((entry) => entry.kind === MESSAGE_KIND.visitor);
          return one({ vuid: visitor.vuid, conversation_id: started.conversationId, seq: Number(first?.seq ?? 0), client_message_id: clientMessageId, duplicate: false, outcome: started.kind });
        }
        const sent = await gateway.writer.send({ conversationId, kind: MESSAGE_KIND.visitor, text: body.text, clientMessageId });
        if (!sent.duplicate) gateway.publisher.entries(conversationId, [sent.row]);
        return one({ vuid: visitor.vuid, conversation_id: conversationId, seq: Number(sent.row.seq), client_message_id: clientMessageId, duplicate: sent.duplicate, outcome: null });
      },
    );

    app.get(
      '/realtime/visitor/messages',
      {
        schema: {
          hide: true,
          tags: ['Realtime'],
          summary: "Poll a visitor's conversation for entries after a seq (fallback of the visitor socket)",
          description: 'Returns the conversation\'s state, its entries with `seq` greater than `after_seq` (private notes never appear), and the queue place while it waits.',
          querystring: PollQuery,
          response: { 200: OneEnvelope(PollData), ...ErrorResponses },
        },
      },
      async (request) => {
        const query = request.query;
        const site = await siteOf(gateway, query.website_id);
        // A vuid the hello minted is not stored until its first conversation: such a visitor simply has none.
        const visitor = await lookupVisitor(db, site, query.vuid);
        if (query.conversation_id !== undefined && (visitor.id === 0 || !(await visitorOwnsConversation(db, query.conversation_id, visitor.id, site.id)))) throw unknownResource('conversation', query.conversation_id);
        const conversationId = query.conversation_id ?? (visitor.id === 0 ? null : ((await activeVisitorConversation(db, visitor.id, site.id)) ?? null));
        if (conversationId === null) return one({ conversation: null, entries: [], queue: null });
        const state = await conversationState(db, conversationId);
        if (state === undefined) throw unknownResource('conversation', conversationId);
        const rows = await historyAfter(db, conversationId, query.after_seq ?? 0);
        const entries = rows.filter((row) => visibleToVisitor(row.kind)).map((row) => entryFrame(conversationId, entryPayload(row), 'visitor'));
        const place = state.status === 'waiting' ? await queueStatus(db, conversationId) : null;
        return one({
          conversation: visitorConversationView(state),
          entries,
          queue: place === null ? null : { position: place.position, estimated_wait_seconds: place.estimatedWaitSeconds },
        });
      },
    );
  };
}
