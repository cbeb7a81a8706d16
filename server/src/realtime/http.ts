// The visitor's HTTP fallback, for browsers or networks where WebSockets do not get through: send (starting a
// conversation when the visitor has none open), poll for entries after a seq, typing, read and the survey. Same rules
// as the socket.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Transaction } from 'kysely';
import { Type } from 'typebox';
import { type Database, MESSAGE_KIND } from '../db/schema.js';
import { startLiveConversation } from '../domain/routing/commands.js';
import { queueStatus } from '../domain/routing/queue.js';
import { recordSatisfaction } from '../domain/satisfaction/commands.js';
import { COMMENT_MAX, NOTE_MAX, NOTE_MIN } from '../domain/satisfaction/schema.js';
import { startingRule } from '../domain/targeting/store.js';
import { EMAIL_MAX, EMAIL_PATTERN, EMAIL_PROBLEM } from '../email.js';
import { conflict, fieldInvalid, unknownResource } from '../errors.js';
import { transact } from '../events/transact.js';
import { ErrorResponses, OneEnvelope, one } from '../http/envelope.js';
import { IdSchema } from '../http/ids.js';
import { NON_BLANK, PROBLEM_KEYWORD } from '../http/validation.js';
import type { Limits } from '../limits/limits.js';
import { topics } from './bus.js';
import { markRead } from './commands.js';
import { newVisitorLimit, visitorLimit, visitorOfRequest, websiteLimit } from './fallback-limits.js';
import { entryFrame, MAX_ID_TEXT, MAX_TEXT, visibleToVisitor, visitorConversationView } from './frames.js';
import type { Gateway } from './gateway.js';
import { findSite, lookupVisitor, resolveVisitor, type SiteRef, type VisitorRef } from './identity.js';
import { entryPayload } from './messages.js';
import { activeVisitorConversation, conversationState, historyAfter, visitorOwnsConversation } from './store.js';
import { OperatorTypingMemory } from './typing-memory.js';
import { storeVisitorEmail } from './visitor-email.js';

const Vuid = (description: string) =>
  Type.String({ minLength: 1, maxLength: MAX_ID_TEXT, pattern: '^\\S+$', description });

const SendBody = Type.Object(
  {
    website_id: IdSchema('The website the visitor is on.'),
    vuid: Type.Optional(
      Vuid('The visitor unique id the socket hello returned; omitted: a new visitor (its vuid is in the answer).'),
    ),
    conversation_id: Type.Optional(
      IdSchema(
        "The visitor's conversation; omitted: the visitor's open conversation, or a new one started with this message.",
      ),
    ),
    text: Type.String({ minLength: 1, maxLength: MAX_TEXT, pattern: NON_BLANK, description: 'The message.' }),
    client_message_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_ID_TEXT,
        pattern: NON_BLANK,
        description:
          "The sender's own id of the message: a resend with the same id is answered with the same seq and stored once.",
      }),
    ),
    page_type: Type.Optional(
      Type.String({ minLength: 1, maxLength: 255, description: 'Page type, when this message starts a conversation.' }),
    ),
    rule_id: Type.Optional(IdSchema('The targeting rule that showed the button or invitation, when this starts one.')),
    contact_type: Type.Optional(
      Type.Union([Type.Literal('visitor'), Type.Literal('proactive')], {
        description: '`proactive` when the visitor accepted the invitation of `rule_id`; default `visitor`.',
      }),
    ),
    email: Type.Optional(
      Type.String({
        maxLength: EMAIL_MAX,
        pattern: EMAIL_PATTERN,
        [PROBLEM_KEYWORD]: EMAIL_PROBLEM,
        description:
          "An email address the visitor leaves (the widget's offline form): stored as the visitor's `email` (`visitor.updated`).",
      }),
    ),
  },
  { additionalProperties: false },
);

const SendData = Type.Object({
  vuid: Type.String(),
  conversation_id: Type.Integer(),
  seq: Type.Integer({ description: "The message's place in the conversation." }),
  client_message_id: Type.Union([Type.String(), Type.Null()]),
  duplicate: Type.Boolean({ description: 'True when an earlier send with the same client_message_id had stored it.' }),
  outcome: Type.Union([Type.Literal('assigned'), Type.Literal('queued'), Type.Literal('offline'), Type.Null()], {
    description: 'When the message started the conversation: what routing did.',
  }),
});

const PollQuery = Type.Object(
  {
    website_id: IdSchema('The website the visitor is on.'),
    vuid: Vuid('The visitor unique id.'),
    conversation_id: Type.Optional(IdSchema("The visitor's conversation; omitted: their open one.")),
    after_seq: Type.Optional(
      Type.Integer({
        minimum: 0,
        default: 0,
        description:
          'The last seq the client has; entries after it are returned (at most 1000: ask again from the last one).',
      }),
    ),
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
  operator: Type.Union([
    Type.Object({ id: Type.Integer(), name: Type.Union([Type.String(), Type.Null()]) }),
    Type.Null(),
  ]),
  outcome: Type.Union([Type.String(), Type.Null()]),
  last_seq: Type.Integer(),
  operator_read_seq: Type.Integer({ description: "The operator has read the visitor's messages up to this seq." }),
});

const PollData = Type.Object({
  conversation: Type.Union([ConversationView, Type.Null()]),
  entries: Type.Array(EntryData),
  queue: Type.Union([Type.Object({ position: Type.Integer(), estimated_wait_seconds: Type.Integer() }), Type.Null()]),
  operator_typing: Type.Optional(
    Type.Boolean({
      description:
        'With a conversation: an operator is typing a reply (told by the operator socket; at most 30 s without news).',
    }),
  ),
});

/** The fields naming the visitor and one of their conversations, for typing, read and the survey. */
const visitorConversation = {
  website_id: IdSchema('The website the visitor is on.'),
  vuid: Vuid('The visitor unique id.'),
  conversation_id: IdSchema("One of the visitor's conversations."),
};

const TypingBody = Type.Object(
  { ...visitorConversation, on: Type.Boolean({ description: 'true: the visitor types; false: they stopped.' }) },
  { additionalProperties: false },
);
const TypingData = Type.Object({ conversation_id: Type.Integer(), on: Type.Boolean() });

const ReadBody = Type.Object(
  {
    ...visitorConversation,
    seq: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'The last entry the visitor has seen.',
      [PROBLEM_KEYWORD]: 'Expected a whole number from 0.',
    }),
  },
  { additionalProperties: false },
);
const ReadData = Type.Object({
  conversation_id: Type.Integer(),
  visitor_read_seq: Type.Integer({ description: "The conversation's visitor read position (it only moves forward)." }),
});

const Note = (description: string) =>
  Type.Integer({
    minimum: NOTE_MIN,
    maximum: NOTE_MAX,
    description: `${description}, from 1 to 3 (3 is the most satisfied).`,
    [PROBLEM_KEYWORD]: 'Expected a whole number from 1 to 3 (3 is the most satisfied).',
  });
const SatisfactionBody = Type.Object(
  {
    ...visitorConversation,
    note_welcome: Note('Welcome note'),
    note_delay: Note('Waiting time note'),
    note_resolution: Note('Answer to the question note'),
    comment: Type.Optional(
      Type.String({
        maxLength: COMMENT_MAX,
        description: `The visitor's comment (at most ${COMMENT_MAX} characters).`,
      }),
    ),
  },
  { additionalProperties: false },
);
const SatisfactionRecorded = Type.Object({ conversation_id: Type.Integer(), satisfaction_id: Type.Integer() });

async function siteOf(gateway: Gateway, websiteId: number): Promise<SiteRef> {
  const site = await findSite(gateway.db, websiteId);
  if (site === undefined) throw fieldInvalid('website_id', `Unknown 'website' with 'id' ${websiteId}.`);
  return site;
}

/** The visitor's own conversation on the site (404 for any other, as an absent one): the site and visitor behind it. */
async function ownConversation(
  gateway: Gateway,
  websiteId: number,
  vuid: string,
  conversationId: number,
): Promise<{ site: SiteRef; visitor: VisitorRef }> {
  const site = await siteOf(gateway, websiteId);
  const visitor = await lookupVisitor(gateway.db, site, vuid);
  if (visitor.id === 0 || !(await visitorOwnsConversation(gateway.db, conversationId, visitor.id, site.id)))
    throw unknownResource('conversation', conversationId);
  return { site, visitor };
}

/** Registers the visitor's fallback routes: POST and GET /realtime/visitor/messages, POST …/typing, …/read, …/satisfaction. */
export function visitorFallbackRoutes(gateway: Gateway, limits: Limits): FastifyPluginAsyncTypebox {
  const { db } = gateway;
  const typing = new OperatorTypingMemory(gateway.bus);
  return async (app) => {
    // After validation (the ids are known to be well formed), before any work: the visitor's own rate first, then the
    // website's ceiling. A request that starts a new visitor is counted against its address instead (in its route).
    app.addHook('preHandler', async (request) => {
      const named = visitorOfRequest(request);
      if (named === undefined) return;
      await limits.take([
        ...(named.vuid === undefined ? [] : [visitorLimit(named.websiteId, named.vuid)]),
        websiteLimit(named.websiteId),
      ]);
    });
    app.post(
      '/realtime/visitor/messages',
      {
        schema: {
          // The widget's transport, documented with the socket protocol in docs/REALTIME.md, not an integrator API.
          hide: true,
          tags: ['Realtime'],
          summary: "Send a visitor's message over HTTP (fallback of the visitor socket)",
          description:
            "For clients that cannot keep a WebSocket. Sends a message into the visitor's conversation, or starts one with it (routed like the socket's `start`). " +
            'A resend with the same `client_message_id` answers the same `seq` and stores nothing. See docs/REALTIME.md.',
          body: SendBody,
          response: { 200: OneEnvelope(SendData), ...ErrorResponses },
        },
      },
      async (request) => {
        const body = request.body;
        const site = await siteOf(gateway, body.website_id);
        // A vuid nobody has yet makes a new visitor as surely as none: both count against the address.
        if (body.vuid === undefined || (await lookupVisitor(db, site, body.vuid)).id === 0)
          await limits.take([newVisitorLimit(request.ip)]);
        const visitor = await resolveVisitor(db, site, body.vuid, null);
        const clientMessageId = body.client_message_id ?? null;
        let conversationId = body.conversation_id ?? (await activeVisitorConversation(db, visitor.id, site.id)) ?? null;
        if (
          body.conversation_id !== undefined &&
          !(await visitorOwnsConversation(db, body.conversation_id, visitor.id, site.id))
        )
          throw unknownResource('conversation', body.conversation_id);
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
          const email = body.email;
          const rule = await startingRule(db, site.id, body.rule_id, body.contact_type);
          const started = await startLiveConversation(db, {
            websiteId: site.id,
            visitor: { id: visitor.id, uniqueId: visitor.vuid },
            channel: 'chat',
            text: body.text,
            clientMessageId,
            ruleId: rule.ruleId,
            contactType: rule.contactType,
            pageType: body.page_type ?? null,
            userAgent: request.headers['user-agent']?.slice(0, 512) ?? null,
            // Before the operator hears of it: their first typing may come before the widget's first poll.
            beforeAnnounced: (conversationId) => typing.watch(conversationId),
            // The offline form's email goes on the visitor with the message that starts the conversation.
            ...(email !== undefined && {
              alsoInTransaction: (trx: Transaction<Database>) =>
                storeVisitorEmail(trx, site, { id: visitor.id, vuid: visitor.vuid }, email),
            }),
          });
          const first = started.entries.find((entry) => entry.kind === MESSAGE_KIND.visitor);
          return one({
            vuid: visitor.vuid,
            conversation_id: started.conversationId,
            seq: Number(first?.seq ?? 0),
            client_message_id: clientMessageId,
            duplicate: false,
            outcome: started.kind,
          });
        }
        // Into an open conversation, the email is stored on its own first (the group-committing writer takes no extra rows).
        if (body.email !== undefined) {
          const email = body.email;
          await transact(db, (trx) => storeVisitorEmail(trx, site, { id: visitor.id, vuid: visitor.vuid }, email));
        }
        const sent = await gateway.writer.send({
          conversationId,
          kind: MESSAGE_KIND.visitor,
          text: body.text,
          clientMessageId,
        });
        return one({
          vuid: visitor.vuid,
          conversation_id: conversationId,
          seq: Number(sent.row.seq),
          client_message_id: clientMessageId,
          duplicate: sent.duplicate,
          outcome: null,
        });
      },
    );

    app.get(
      '/realtime/visitor/messages',
      {
        schema: {
          hide: true,
          tags: ['Realtime'],
          summary: "Poll a visitor's conversation for entries after a seq (fallback of the visitor socket)",
          description:
            "Returns the conversation's state, its entries with `seq` greater than `after_seq` (private notes never appear), and the queue place while it waits.",
          querystring: PollQuery,
          response: { 200: OneEnvelope(PollData), ...ErrorResponses },
        },
      },
      async (request) => {
        const query = request.query;
        const site = await siteOf(gateway, query.website_id);
        // A vuid the hello minted is not stored until its first conversation: such a visitor simply has none.
        const visitor = await lookupVisitor(db, site, query.vuid);
        if (
          query.conversation_id !== undefined &&
          (visitor.id === 0 || !(await visitorOwnsConversation(db, query.conversation_id, visitor.id, site.id)))
        )
          throw unknownResource('conversation', query.conversation_id);
        const conversationId =
          query.conversation_id ??
          (visitor.id === 0 ? null : ((await activeVisitorConversation(db, visitor.id, site.id)) ?? null));
        if (conversationId === null) return one({ conversation: null, entries: [], queue: null });
        const state = await conversationState(db, conversationId);
        if (state === undefined) throw unknownResource('conversation', conversationId);
        const rows = await historyAfter(db, conversationId, query.after_seq ?? 0);
        const entries = rows
          .filter((row) => visibleToVisitor(row.kind))
          .map((row) => entryFrame(conversationId, entryPayload(row), 'visitor'));
        const place = state.status === 'waiting' ? await queueStatus(db, conversationId) : null;
        const read = await db
          .selectFrom('conversation')
          .select('operator_read_seq')
          .where('id', '=', conversationId)
          .executeTakeFirst();
        return one({
          conversation: { ...visitorConversationView(state), operator_read_seq: Number(read?.operator_read_seq ?? 0) },
          entries,
          queue:
            place === null ? null : { position: place.position, estimated_wait_seconds: place.estimatedWaitSeconds },
          operator_typing: state.status !== 'closed' && typing.poll(conversationId),
        });
      },
    );

    app.post(
      '/realtime/visitor/typing',
      {
        schema: {
          hide: true,
          tags: ['Realtime'],
          summary: "The visitor types, or stopped (fallback of the socket's `typing`)",
          description:
            "Operators following the conversation get a `typing` frame, on any node. Only for the visitor's own conversation while it is not closed.",
          body: TypingBody,
          response: { 200: OneEnvelope(TypingData), ...ErrorResponses },
        },
      },
      async (request) => {
        const body = request.body;
        await ownConversation(gateway, body.website_id, body.vuid, body.conversation_id);
        const state = await conversationState(db, body.conversation_id);
        if (state === undefined) throw unknownResource('conversation', body.conversation_id);
        if (state.status === 'closed') throw conflict(`Conversation ${body.conversation_id} is closed.`);
        gateway.bus.publish(topics.conversation(body.conversation_id), {
          t: 'typing',
          c: body.conversation_id,
          by: 'visitor',
          on: body.on,
        });
        return one({ conversation_id: body.conversation_id, on: body.on });
      },
    );

    app.post(
      '/realtime/visitor/read',
      {
        schema: {
          hide: true,
          tags: ['Realtime'],
          summary: "The visitor has read up to a seq (fallback of the socket's `read`)",
          description:
            "Moves the conversation's `visitor_read_seq` forward (never back, never past the last entry); operators get a `read` frame.",
          body: ReadBody,
          response: { 200: OneEnvelope(ReadData), ...ErrorResponses },
        },
      },
      async (request) => {
        const body = request.body;
        await ownConversation(gateway, body.website_id, body.vuid, body.conversation_id);
        const moved = await markRead(db, body.conversation_id, 'visitor', body.seq);
        if (moved !== null)
          gateway.bus.publish(topics.conversation(body.conversation_id), {
            t: 'read',
            c: body.conversation_id,
            by: 'visitor',
            seq: moved,
          });
        const row = await db
          .selectFrom('conversation')
          .select('visitor_read_seq')
          .where('id', '=', body.conversation_id)
          .executeTakeFirst();
        return one({
          conversation_id: body.conversation_id,
          visitor_read_seq: Number(row?.visitor_read_seq ?? moved ?? 0),
        });
      },
    );

    app.post(
      '/realtime/visitor/satisfaction',
      {
        schema: {
          hide: true,
          tags: ['Realtime'],
          summary: "The visitor's answer to the survey at close (fallback of the socket's `satisfaction`)",
          description:
            "The same command as `POST /api/2/satisfaction` (`satisfaction.filled`), for one of the visitor's own conversations, open or closed; answered once (a second answer: 409).",
          body: SatisfactionBody,
          response: { 200: OneEnvelope(SatisfactionRecorded), ...ErrorResponses },
        },
      },
      async (request) => {
        const body = request.body;
        const { site } = await ownConversation(gateway, body.website_id, body.vuid, body.conversation_id);
        const satisfactionId = await recordSatisfaction(db, site.clientId, {
          conversation_id: body.conversation_id,
          note_welcome: body.note_welcome,
          note_delay: body.note_delay,
          note_resolution: body.note_resolution,
          comment: body.comment ?? null,
        });
        return one({ conversation_id: body.conversation_id, satisfaction_id: satisfactionId });
      },
    );
  };
}
