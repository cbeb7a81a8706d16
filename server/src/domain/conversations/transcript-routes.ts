// The transcript-by-e-mail routes of a conversation (issue 22 §6): ask for one (a command the transcript worker
// carries out) and read what was asked and how it went. The plugin owns this node's transcript worker.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { EMAIL_MAX } from '../../email.js';
import { ErrorResponses, OneEnvelope, one } from '../../http/envelope.js';
import { IdSchema } from '../../http/ids.js';
import { loadVisible } from '../../http/respond.js';
import type { RequestLimit } from '../../limits/limits.js';
import { authorize } from '../tenancy/policy.js';
import { IdParams } from '../tenancy/schema.js';
import { loadConversationRows } from './store.js';
import {
  listTranscriptMails,
  mailNotConfigured,
  presentTranscriptMail,
  requestTranscript,
  TRANSCRIPT_LOCALES,
} from './transcript.js';
import { TranscriptWorker } from './transcript-worker.js';

/**
 * Each request sends an e-mail from the installation's server, to any address the caller names: a conversation gets a
 * few at once then one every ten minutes, an account a minute's worth of sixty (shared by every node over Redis).
 */
const PER_CONVERSATION = { perSecond: 1 / 600, burst: 3 };
const PER_CLIENT = { perSecond: 1, burst: 60 };

function transcriptLimits(clientId: number, conversationId: number): RequestLimit[] {
  return [
    {
      name: 'transcripts_per_conversation',
      key: `transcript:conversation:${conversationId}`,
      rate: PER_CONVERSATION,
      refusal: `for this conversation's transcript: at most ${PER_CONVERSATION.burst} at once, then one every 10 minutes`,
    },
    {
      name: 'transcripts_per_client',
      key: `transcript:client:${clientId}`,
      rate: PER_CLIENT,
      refusal: `for transcripts of this account: at most ${PER_CLIENT.burst} at once, then one a second`,
    },
  ];
}

const TranscriptRequestBody = Type.Object(
  {
    email: Type.Optional(
      Type.String({
        maxLength: EMAIL_MAX,
        description: "Where to send the transcript; default: the visitor's e-mail address.",
        examples: ['julie@shop.example'],
      }),
    ),
    locale: Type.Optional(
      Type.Enum([...TRANSCRIPT_LOCALES], { description: "The mail's language; default `en`.", examples: ['fr'] }),
    ),
  },
  { additionalProperties: false, examples: [{ email: 'julie@shop.example', locale: 'fr' }] },
);

const TranscriptMailData = Type.Object(
  {
    id: IdSchema('The transcript request.'),
    conversation_id: IdSchema('Its conversation.'),
    email: Type.String({ description: 'Where it goes.', examples: ['julie@shop.example'] }),
    locale: Type.Enum([...TRANSCRIPT_LOCALES], { description: "The mail's language." }),
    status: Type.Enum(['queued', 'sent', 'failed'], {
      description:
        '`queued` until sent (also while a retry is due, `error` then says why the last attempt failed); `sent`; `failed` once the attempts ran out.',
    }),
    attempts: Type.Integer({ description: 'Attempts made so far.' }),
    error: Type.Union([Type.String(), Type.Null()], { description: "The last attempt's error, if it failed." }),
    operator_id: Type.Union([IdSchema('The operator who asked for it.'), Type.Null()], {
      description: 'The operator whose console session asked for it; null for an API key.',
    }),
    created_at: Type.String({ description: 'When it was asked for (ISO 8601, UTC).' }),
    sent_at: Type.Union([Type.String(), Type.Null()], { description: 'When the SMTP server accepted it.' }),
    next_attempt_at: Type.Union([Type.String(), Type.Null()], {
      description: 'When the next attempt is due, while queued.',
    }),
  },
  {
    examples: [
      {
        id: 12,
        conversation_id: 431,
        email: 'julie@shop.example',
        locale: 'en',
        status: 'sent',
        attempts: 1,
        error: null,
        operator_id: 7,
        created_at: '2026-12-06T09:14:03.120Z',
        sent_at: '2026-12-06T09:14:03.480Z',
        next_attempt_at: null,
      },
    ],
  },
);

const TranscriptListData = Type.Object({
  mail_configured: Type.Boolean({
    description:
      'Whether this installation can send mail (SMTP_URL is set); when false, asking answers 409 `mail_not_configured`.',
  }),
  requests: Type.Array(TranscriptMailData, { description: 'The requests, newest first (the last 100).' }),
});

export const transcriptRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const tags = ['Conversation'];
  const worker = new TranscriptWorker(db, context.config, (err, message) => app.log.error({ err }, message));
  worker.start();
  const stopPoking = context.reactions.on(['conversation.transcript_requested'], async () => worker.poke(), {
    name: 'transcript mail worker',
  });
  app.addHook('onClose', async () => {
    stopPoking();
    await worker.stop();
  });

  app.post(
    '/conversation/:id/transcript',
    {
      schema: {
        tags,
        summary: "E-mail a conversation's transcript",
        description:
          "Queues the conversation's transcript for `email` (default: the visitor's e-mail address; neither: 400 naming `email`) in `locale` (`en` or `fr`) and answers 202 with the request. The mail's subject names the website; its plain-text body lists the visitor's and operators' messages with their time (UTC); system entries and private notes are never included. A worker sends it through the installation's SMTP server, retrying a few times with backoff; read its `status` with `GET /conversation/{id}/transcript`. Without an SMTP server (SMTP_URL) the answer is 409 `mail_not_configured` and nothing is queued. Each request sends a mail, so they are limited: 3 at once per conversation then one every 10 minutes, and 60 at once per account then one a second; past either, 429 `rate_limited` with `Retry-After`. Emits `conversation.transcript_requested`.",
        params: IdParams,
        body: TranscriptRequestBody,
        response: { 202: OneEnvelope(TranscriptMailData), ...ErrorResponses },
      },
    },
    async (request, reply) => {
      authorize(request.principal, 'conversation', 'update');
      const conversation = await loadVisible('conversation', request.params.id, (ids) =>
        loadConversationRows(db, request.principal, ids),
      );
      if (!worker.mailing) throw mailNotConfigured();
      await context.limits.take(transcriptLimits(conversation.client_id, conversation.id));
      const row = await requestTranscript(db, request.principal, conversation, request.body ?? {});
      reply.code(202);
      return one(presentTranscriptMail(row));
    },
  );

  app.get(
    '/conversation/:id/transcript',
    {
      schema: {
        tags,
        summary: "A conversation's transcript mails",
        description:
          'The transcripts asked for by e-mail on this conversation with their status (`queued`, `sent`, `failed` with its `error`), newest first, and `mail_configured`: whether this installation can send mail at all (the console hides its button when it cannot).',
        params: IdParams,
        response: { 200: OneEnvelope(TranscriptListData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'read');
      const conversation = await loadVisible('conversation', request.params.id, (ids) =>
        loadConversationRows(db, request.principal, ids),
      );
      const rows = await listTranscriptMails(db, conversation.id);
      return one({ mail_configured: worker.mailing, requests: rows.map(presentTranscriptMail) });
    },
  );
};
