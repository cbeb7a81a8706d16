// Issue 20's sending under /api/messaging: `/messenger/submit` (one recipient), `/messenger/conversation` (up to 100,
// each with its variables), the sends read back and cancelled (`/messenger/message`), and the account's opt-out list
// (`/messenger/optout`). A client-scoped key (or an admin's console session). Accepting a send answers 202: the
// messenger worker sends it, and every state change reaches the account's callback as MESSENGER_REPORT.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import type { AppContext } from '../../context.js';
import {
  acceptSends,
  addOptouts,
  cancelMessage,
  listMessages,
  listOptouts,
  loadMessage,
  MAX_CONVERSATION_RECIPIENTS,
  MESSENGER_STATES,
  optIn,
  presentMessage,
  type SendInput,
} from '../../domain/messaging/messages.js';
import { requiredVariables } from '../../domain/messaging/messenger-content.js';
import { notifyMessengerWork } from '../../domain/messaging/messenger-signal.js';
import { messengerWorker } from '../../domain/messaging/messenger-worker.js';
import { fieldInvalid } from '../../errors.js';
import { transact } from '../../events/transact.js';
import { IdSchema } from '../../http/ids.js';
import { nowInstant } from '../../time.js';
import {
  Answer,
  accountRoutes,
  MessagingErrors as Errors,
  Listing,
  ok,
  page,
  pageAt,
  MESSAGING_SECURITY as security,
  MESSAGING_TAGS as tags,
  withIdempotency,
} from './common.js';
import {
  FallbackSchema,
  MessengerContentSchema,
  PhoneNumber,
  RequestedChannel,
  Variables,
} from './messenger-schemas.js';

const Reference = Type.String({
  minLength: 1,
  maxLength: 255,
  description: 'Your id for the send, echoed in every MESSENGER_REPORT.',
});
const SendAt = Type.String({
  format: 'date-time',
  description:
    'Send later (ISO 8601 with offset, at most a year ahead): the send is `scheduled` and can be cancelled until then.',
});

const SubmitBody = Type.Object(
  {
    agent_id: IdSchema('The active chat environment it is sent from.'),
    to: PhoneNumber,
    channel: Type.Optional(RequestedChannel),
    content: MessengerContentSchema,
    variables: Type.Optional(Variables),
    send_at: Type.Optional(SendAt),
    reference: Type.Optional(Reference),
    fallback: Type.Optional(FallbackSchema),
  },
  {
    additionalProperties: false,
    examples: [
      {
        agent_id: 7,
        to: '+33612345678',
        channel: 'auto',
        content: { text: 'Bonjour {{firstname}}, votre commande {{order}} est prête.' },
        variables: { firstname: 'Léa', order: 'A-1042' },
        reference: 'order-A-1042',
        fallback: { channel: 'sms', after_minutes: 10 },
      },
    ],
  },
);

const ConversationBody = Type.Object(
  {
    agent_id: IdSchema('The active chat environment it is sent from.'),
    channel: Type.Optional(RequestedChannel),
    content: MessengerContentSchema,
    send_at: Type.Optional(SendAt),
    fallback: Type.Optional(FallbackSchema),
    recipients: Type.Array(
      Type.Object(
        { to: PhoneNumber, variables: Type.Optional(Variables), reference: Type.Optional(Reference) },
        { additionalProperties: false },
      ),
      {
        minItems: 1,
        maxItems: MAX_CONVERSATION_RECIPIENTS,
        description: 'Up to 100 recipients, each with its variables.',
      },
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        agent_id: 7,
        content: { text: 'Bonjour {{firstname}}, la réunion commence à 14 h.' },
        recipients: [
          { to: '+33612345678', variables: { firstname: 'Léa' } },
          { to: '+33698765432', variables: { firstname: 'Hugo' }, reference: 'hugo' },
        ],
      },
    ],
  },
);

const MessageQuery = Type.Object(
  {
    ...Listing,
    state: Type.Optional(Type.Enum([...MESSENGER_STATES])),
    reference: Type.Optional(Type.String({ maxLength: 255 })),
    to: Type.Optional(PhoneNumber),
    broadcast_id: Type.Optional(IdSchema('Only the recipients of this broadcast.')),
  },
  { additionalProperties: false },
);

const OptoutBody = Type.Object(
  {
    phones: Type.Array(PhoneNumber, { minItems: 1, maxItems: 1000, uniqueItems: true }),
  },
  { additionalProperties: false, examples: [{ phones: ['+33612345678'] }] },
);

const MESSAGE_EXAMPLE = {
  id: 9001,
  agent_id: 7,
  broadcast_id: null,
  to: '+33612345678',
  requested_channel: 'auto',
  channel: 'rcs',
  state: 'delivered',
  error: null,
  reference: 'order-A-1042',
};

export type MessengerMessageView = ReturnType<typeof presentMessage>;

const reader = { requiredVariables };

export const messagingMessagesApi: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const worker = messengerWorker(context, (err, message) => app.log.error({ err }, message));
  app.addHook('onReady', async () => worker.start());
  app.addHook('onClose', async () => {
    await worker.stop();
  });
  const clientId = accountRoutes(
    app,
    context,
    /^\/api\/messaging\/messenger\/(submit|conversation|message|optout)(\/|\?|$)/,
    "sends messages only with the 'admin' role.",
  );
  const IdParams = Type.Object({ id: IdSchema('The message id.') });

  app.post(
    '/messenger/submit',
    {
      schema: {
        tags,
        summary: 'Send a message to one recipient',
        description:
          'Answered 202 with the send’s id in state `queued` (or `scheduled` with a future `send_at`); the messenger worker sends it on the channel asked for (or the best one with `auto`), and each state change (`sent`, `delivered`, `read`, `failed` with the provider’s error, `opted_out`, `cancelled`) reaches the account’s callback as MESSENGER_REPORT with `reference`. A number on the opt-out list ends `opted_out`. Accepts `Idempotency-Key`.',
        security,
        body: SubmitBody,
        response: { 202: Answer('The send.', { id: 9001, state: 'queued', to: '+33612345678' }), ...Errors },
      },
    },
    async (request, reply) => {
      const owner = clientId(request);
      await withIdempotency(db, request, reply, { kind: 'client', id: owner }, async () => {
        const body = request.body as Static<typeof SubmitBody>;
        const input: SendInput = {
          agent_id: body.agent_id,
          to: body.to,
          channel: body.channel ?? 'auto',
          content: body.content,
          variables: body.variables ?? {},
          send_at: body.send_at,
          reference: body.reference,
          fallback: body.fallback,
        };
        const [row] = await acceptSends(db, reader, owner, [input], () => '');
        notifyMessengerWork();
        if (row === undefined) throw new Error('The send was not accepted.');
        return { status: 202, body: ok({ id: row.id, state: row.state, to: row.to, reference: row.reference }) };
      });
    },
  );

  app.post(
    '/messenger/conversation',
    {
      schema: {
        tags,
        summary: 'Send a message to a few recipients',
        description:
          'Up to 100 recipients in one call, each with its own variables and reference: one send (one id) per recipient, in the order given, all accepted or none (a bad recipient is 400 naming `recipients[i].field`). Reports as `/messenger/submit`. Accepts `Idempotency-Key`.',
        security,
        body: ConversationBody,
        response: {
          202: Answer('One send per recipient.', [{ id: 9002, state: 'queued', to: '+33612345678' }]),
          ...Errors,
        },
      },
    },
    async (request, reply) => {
      const owner = clientId(request);
      await withIdempotency(db, request, reply, { kind: 'client', id: owner }, async () => {
        const body = request.body as Static<typeof ConversationBody>;
        const inputs: SendInput[] = body.recipients.map((recipient) => ({
          agent_id: body.agent_id,
          to: recipient.to,
          channel: body.channel ?? 'auto',
          content: body.content,
          variables: recipient.variables ?? {},
          send_at: body.send_at,
          reference: recipient.reference,
          fallback: body.fallback,
        }));
        const rows = await acceptSends(db, reader, owner, inputs, (index) => `recipients[${index}].`);
        notifyMessengerWork();
        return {
          status: 202,
          body: ok(rows.map((row) => ({ id: row.id, state: row.state, to: row.to, reference: row.reference }))),
        };
      });
    },
  );

  app.get(
    '/messenger/message',
    {
      schema: {
        tags,
        summary: 'List sends',
        description: 'The account’s sends, newest first; filters by state, reference, number and broadcast.',
        security,
        querystring: MessageQuery,
        response: { 200: Answer('Sends.', [MESSAGE_EXAMPLE]), ...Errors },
      },
    },
    async (request) => {
      const at = pageAt(request.query);
      const { items, count } = await listMessages(db, clientId(request), request.query, at);
      return page(items.map(presentMessage), count, at);
    },
  );

  app.get(
    '/messenger/message/:id',
    {
      schema: {
        tags,
        summary: 'Read a send',
        description: 'Its state, the channel it left on (and the one it fell back from), its error and conversation.',
        security,
        params: IdParams,
        response: { 200: Answer('The send.', MESSAGE_EXAMPLE), ...Errors },
      },
    },
    async (request) => ok(presentMessage(await loadMessage(db, clientId(request), request.params.id))),
  );

  app.delete(
    '/messenger/message/:id',
    {
      schema: {
        tags,
        summary: 'Cancel a send',
        description:
          'Until it leaves (`queued` or `scheduled`): it ends `cancelled` (a MESSENGER_REPORT says so). 409 after.',
        security,
        params: IdParams,
        response: { 200: Answer('The send.', { ...MESSAGE_EXAMPLE, state: 'cancelled' }), ...Errors },
      },
    },
    async (request) => ok(presentMessage(await cancelMessage(db, clientId(request), request.params.id))),
  );

  app.get(
    '/messenger/optout',
    {
      schema: {
        tags,
        summary: 'The opt-out list',
        description:
          'Numbers the account does not message: added through the API or by the customers themselves (STOP, ARRET, STOP SMS, unsubscribe… on any channel). Sends to them end `opted_out`.',
        security,
        querystring: Type.Object({ ...Listing, phone: Type.Optional(PhoneNumber) }, { additionalProperties: false }),
        response: {
          200: Answer('Numbers.', [
            { phone: '+33612345678', source: 'keyword', keyword: 'STOP', created_at: '2026-12-05T09:00:00.000Z' },
          ]),
          ...Errors,
        },
      },
    },
    async (request) => {
      const at = pageAt(request.query);
      const { items, count } = await listOptouts(db, clientId(request), request.query.phone, at);
      return page(
        items.map((row) => ({
          phone: row.phone,
          source: row.source,
          keyword: row.keyword,
          created_at: row.created_at,
        })),
        count,
        at,
      );
    },
  );

  app.post(
    '/messenger/optout',
    {
      schema: {
        tags,
        summary: 'Add numbers to the opt-out list',
        description:
          'Numbers already on it stay as they were. Sends not left yet to them end `opted_out` when their turn comes.',
        security,
        body: OptoutBody,
        response: { 201: Answer('The numbers added.', { phones: ['+33612345678'] }), ...Errors },
      },
    },
    async (request, reply) => {
      const owner = clientId(request);
      const phones = request.body.phones;
      await transact(db, (trx) => addOptouts(trx, owner, phones, 'api', null, nowInstant()));
      return reply.code(201).send(ok({ phones }));
    },
  );

  app.delete(
    '/messenger/optout/:phone',
    {
      schema: {
        tags,
        summary: 'Remove a number from the opt-out list',
        description: 'The customer agreed again to receive messages. 404 when the number is not on the list.',
        security,
        params: Type.Object({ phone: Type.String({ maxLength: 32 }) }),
        response: { 200: Answer('The number removed.', { phone: '+33612345678' }), ...Errors },
      },
    },
    async (request) => {
      const phone = decodeURIComponent(request.params.phone);
      if (!/^\+[1-9][0-9]{6,14}$/.test(phone)) throw fieldInvalid('phone', 'An E.164 number (+33612345678).');
      await optIn(db, clientId(request), phone);
      return ok({ phone });
    },
  );
};
