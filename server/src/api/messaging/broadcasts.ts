// Issue 20's `/messenger/broadcast` under /api/messaging: a named campaign of one content to many recipients, given
// as a JSON list (≤ 10,000) or uploaded as a CSV file (a text/csv body or a multipart `file`, streamed, ≤ 1,000,000
// lines), with its progress counters, pause / resume / cancel, the per-recipient report and the lines refused (both
// also as CSV). A client-scoped key (or an admin's console session, for the Campaigns page).
import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { type Static, Type } from 'typebox';
import type { AppContext } from '../../context.js';
import type { Database, MessengerBroadcastRow, MessengerState } from '../../db/schema.js';
import { BROADCAST_STATES } from '../../domain/messaging/broadcast-states.js';
import {
  type BroadcastSending,
  broadcastProgress,
  cancelBroadcast,
  createBroadcast,
  importRecipients,
  listBroadcasts,
  listProblems,
  loadBroadcast,
  MAX_FILE_RECIPIENTS,
  MAX_LISTED_RECIPIENTS,
  pauseBroadcast,
  reportAfter,
  reportPage,
  resumeBroadcast,
  TooManyRecipients,
} from '../../domain/messaging/broadcasts.js';
import { CsvSyntaxError, readCsvRecords } from '../../domain/messaging/csv-records.js';
import { activeEnvironment, environmentChannels, MESSENGER_STATES } from '../../domain/messaging/messages.js';
import { ApiError, fieldInvalid } from '../../errors.js';
import { IdSchema } from '../../http/ids.js';
import {
  Answer,
  accountRoutes,
  MessagingErrors as Errors,
  guarded,
  Listing,
  ok,
  page,
  pageAt,
  MESSAGING_SECURITY as security,
  MESSAGING_TAGS as tags,
  withIdempotency,
} from './common.js';
import { FallbackSchema, MessengerContentSchema } from './messenger-schemas.js';

/** Largest CSV upload, in bytes: a million lines of a phone and a few variables. */
export const MAX_FILE_BYTES = 128 * 1024 * 1024;

const E164 = Type.String({
  minLength: 1,
  maxLength: 32,
  description: 'The number: E.164, or national with default_country.',
});

const BroadcastBody = Type.Object(
  {
    agent_id: IdSchema('The active chat environment it is sent from (its RCS, WhatsApp and SMS channels).'),
    name: Type.String({ minLength: 1, maxLength: 120, description: 'Shown in the console and the reports.' }),
    content: MessengerContentSchema,
    channel: Type.Enum(['auto', 'rcs', 'whatsapp', 'sms'], { description: 'As `/messenger/submit`; default auto.' }),
    fallback: Type.Optional(Type.Union([FallbackSchema, Type.Null()])),
    send_at: Type.Optional(Type.String({ format: 'date-time', description: 'When sending starts (ISO 8601).' })),
    rate_per_second: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10_000, description: 'Most messages a second for this broadcast.' }),
    ),
    default_country: Type.Optional(
      Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO country of national numbers (FR: 06 12 34 56 78).' }),
    ),
    recipients: Type.Optional(
      Type.Array(
        Type.Object(
          {
            to: E164,
            variables: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 4096 }))),
          },
          { additionalProperties: false },
        ),
        {
          maxItems: MAX_LISTED_RECIPIENTS,
          description: `Up to ${MAX_LISTED_RECIPIENTS.toLocaleString('en')} recipients; without it, upload a CSV to /messenger/broadcast/{id}/recipients.`,
        },
      ),
    ),
  },
  { additionalProperties: false },
);

/** The environment is the client's and active, and sends on the broadcast's channel and fallback; else 4xx naming the field. */
async function checkEnvironment(
  db: Kysely<Database>,
  clientId: number,
  input: { agent_id: number; channel: string; fallback?: { channel: string } | null | undefined },
): Promise<void> {
  const channels: string[] = environmentChannels(await activeEnvironment(db, clientId, input.agent_id));
  if (input.channel !== 'auto' && !channels.includes(input.channel))
    throw fieldInvalid(
      'channel',
      `Chat environment ${input.agent_id} sends on ${channels.join(', ')}, not ${input.channel}.`,
    );
  if (input.fallback !== undefined && input.fallback !== null && !channels.includes(input.fallback.channel))
    throw fieldInvalid(
      'fallback.channel',
      `Chat environment ${input.agent_id} does not send on ${input.fallback.channel}.`,
    );
}

function present(broadcast: MessengerBroadcastRow, progress?: Awaited<ReturnType<typeof broadcastProgress>>) {
  return {
    id: broadcast.id,
    agent_id: broadcast.agent_id,
    name: broadcast.name,
    state: broadcast.state,
    channel: broadcast.channel,
    content: JSON.parse(broadcast.content) as unknown,
    fallback: broadcast.fallback === null ? null : (JSON.parse(broadcast.fallback) as unknown),
    send_at: broadcast.send_at,
    rate_per_second: broadcast.rate_per_second,
    default_country: broadcast.default_country,
    columns: broadcast.columns === null ? null : (JSON.parse(broadcast.columns) as string[]),
    total: broadcast.total,
    invalid: broadcast.invalid,
    ...(progress !== undefined && { progress: counters(progress) }),
    created_at: broadcast.created_at,
    updated_at: broadcast.updated_at,
    started_at: broadcast.started_at,
    ended_at: broadcast.ended_at,
  };
}

/** The progress counters the issue names, every one present (zero when no recipient is in that state). */
function counters(progress: Awaited<ReturnType<typeof broadcastProgress>>) {
  const of = (state: string) => progress.by_state[state] ?? 0;
  return {
    total: progress.total,
    invalid: progress.invalid,
    opted_out: of('opted_out'),
    queued: of('queued') + of('scheduled'),
    sent: of('sent'),
    delivered: of('delivered'),
    read: of('read'),
    failed: of('failed'),
    expired: of('expired'),
    cancelled: of('cancelled'),
  };
}

export type BroadcastView = ReturnType<typeof present>;

/** A CSV cell: quoted when it holds a separator, a quote or a line break; formula starts neutralised for spreadsheets. */
function cell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^\+\d+$/.test(text)) text = `'${text}`;
  return /[",\r\n;]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
const csvLine = (values: readonly unknown[]) => `${values.map(cell).join(',')}\r\n`;

/** Bytes of a stream, refused with 413 past `limit` (the upload stops being read). */
async function* bounded(source: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > limit) throw payloadTooLarge(`The file is larger than ${limit / 1024 / 1024} MiB.`);
    yield chunk;
  }
}

const payloadTooLarge = (message: string) => new ApiError('payload_too_large', 413, message, 'fail', { field: 'file' });

export function messagingBroadcastsApi(sending: BroadcastSending): FastifyPluginAsyncTypebox<{ context: AppContext }> {
  return async (app, { context }) => {
    const { db } = context;
    await app.register(multipart, { limits: { files: 1, fileSize: MAX_FILE_BYTES, fields: 0, parts: 1 } });
    // A text/csv body reaches the route as its stream: the import reads it as it arrives.
    app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));
    const clientId = accountRoutes(
      app,
      context,
      /^\/api\/messaging\/messenger\/broadcast(\/|\?|$)/,
      "reaches broadcasts only with the 'admin' role.",
    );
    const IdParams = Type.Object({ id: IdSchema('The broadcast id.') });
    const withProgress = async (broadcast: MessengerBroadcastRow) =>
      present(broadcast, await broadcastProgress(db, broadcast));

    app.post(
      '/messenger/broadcast',
      {
        schema: {
          tags,
          summary: 'Create a broadcast',
          description:
            'With `recipients` (a JSON list of at most 10,000), they are read and queued at once: the broadcast is `scheduled` (a future `send_at`) or `running`. Without, it is `importing` until its CSV is uploaded to `/messenger/broadcast/{id}/recipients`. Numbers that cannot be messaged and recipients missing a variable of the content are counted in `invalid` and listed by `/messenger/broadcast/{id}/problems`; they never fail the whole list. Every recipient gets MESSENGER_REPORT callbacks with `broadcast_id`; the broadcast itself BROADCAST_STATUS. Accepts `Idempotency-Key`.',
          security,
          body: BroadcastBody,
          response: {
            201: Answer('The broadcast with its progress.', {
              id: 12,
              name: 'Soldes d’hiver',
              state: 'running',
              total: 3,
              invalid: 1,
              progress: { total: 3, invalid: 1, queued: 2, sent: 0, delivered: 0, read: 0, failed: 0 },
            }),
            ...Errors,
          },
        },
      },
      async (request, reply) => {
        const owner = clientId(request);
        await withIdempotency(db, request, reply, { kind: 'client', id: owner }, async () => {
          const { recipients, ...input } = request.body as Static<typeof BroadcastBody>;
          await checkEnvironment(db, owner, input);
          const broadcast = await createBroadcast(db, sending, owner, input, recipients);
          return { status: 201, body: ok(await withProgress(broadcast)) };
        });
      },
    );

    app.put(
      '/messenger/broadcast/:id/recipients',
      {
        schema: {
          tags,
          summary: "Upload a broadcast's recipients (CSV)",
          description: `The CSV file as the body (\`Content-Type: text/csv\`) or as the \`file\` part of a multipart/form-data body, read as it arrives (up to ${MAX_FILE_RECIPIENTS.toLocaleString('en')} lines, ${MAX_FILE_BYTES / 1024 / 1024} MiB: else 413). The header names a phone column (phone, to, msisdn, mobile, telephone…) and one column per variable of the content (else 400 listing the expected columns); \`,\` or \`;\` separated, UTF-8. Lines that cannot be sent are counted in \`invalid\` with their line number and reason (\`/problems\`). Only while the broadcast is \`importing\` (409 otherwise); an upload that was interrupted is replaced by the next. Then the broadcast is \`scheduled\` or \`running\`.`,
          security,
          params: IdParams,
          consumes: ['text/csv', 'multipart/form-data'],
          response: {
            200: Answer('The broadcast with its progress.', { id: 12, state: 'running', total: 100000, invalid: 12 }),
            413: Errors[400],
            ...Errors,
          },
        },
      },
      async (request) => {
        const owner = clientId(request);
        await loadBroadcast(db, owner, request.params.id);
        const source = await uploadedFile(request);
        try {
          const broadcast = await guarded(() =>
            importRecipients(db, sending, owner, request.params.id, readCsvRecords(bounded(source, MAX_FILE_BYTES))),
          );
          return ok(await withProgress(broadcast));
        } catch (error) {
          if (error instanceof CsvSyntaxError) throw fieldInvalid('file', `Line ${error.line}: ${error.message}`);
          if (error instanceof TooManyRecipients) throw payloadTooLarge(error.message);
          throw error;
        }
      },
    );

    app.get(
      '/messenger/broadcast',
      {
        schema: {
          tags,
          summary: 'List broadcasts',
          security,
          querystring: Type.Object(
            { ...Listing, state: Type.Optional(Type.Enum([...BROADCAST_STATES])) },
            { additionalProperties: false },
          ),
          response: { 200: Answer('Broadcasts, newest first.', [{ id: 12, state: 'running' }]), ...Errors },
        },
      },
      async (request) => {
        const at = pageAt(request.query);
        const { items, count } = await listBroadcasts(db, clientId(request), { ...at, state: request.query.state });
        return page(
          items.map((item) => present(item)),
          count,
          at,
        );
      },
    );

    app.get(
      '/messenger/broadcast/:id',
      {
        schema: {
          tags,
          summary: 'A broadcast with its progress counters',
          description:
            '`progress`: recipients by the state of their message (queued, sent, delivered, read, failed, opted_out, expired, cancelled) and the invalid lines.',
          security,
          params: IdParams,
          response: {
            200: Answer('The broadcast.', {
              id: 12,
              state: 'running',
              progress: { total: 100000, invalid: 12, queued: 40000, sent: 30000, delivered: 25000, read: 4988 },
            }),
            ...Errors,
          },
        },
      },
      async (request) => ok(await withProgress(await loadBroadcast(db, clientId(request), request.params.id))),
    );

    for (const action of ['pause', 'resume', 'cancel'] as const)
      app.post(
        `/messenger/broadcast/:id/${action}`,
        {
          schema: {
            tags,
            summary: `${action[0]?.toUpperCase()}${action.slice(1)} a broadcast`,
            description: {
              pause: 'A scheduled or running broadcast is held: none of its recipients is sent until it is resumed.',
              resume: 'A paused broadcast runs again (or waits for its `send_at` if still ahead).',
              cancel:
                'Recipients not yet sent end `cancelled` (each with its MESSENGER_REPORT); those already sent keep their reports. Final.',
            }[action],
            security,
            params: IdParams,
            response: { 200: Answer('The broadcast.', { id: 12, state: 'paused' }), ...Errors },
          },
        },
        async (request) => {
          const owner = clientId(request);
          const id = request.params.id;
          const broadcast = await guarded(() =>
            action === 'pause'
              ? pauseBroadcast(db, owner, id)
              : action === 'resume'
                ? resumeBroadcast(db, owner, id)
                : cancelBroadcast(db, owner, id, null),
          );
          sending.poke();
          return ok(await withProgress(broadcast));
        },
      );

    const ReportQuery = Type.Object(
      {
        ...Listing,
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        state: Type.Optional(Type.Enum([...MESSENGER_STATES], { description: 'Only recipients in this state.' })),
        format: Type.Optional(Type.Enum(['json', 'csv'], { description: 'csv: the whole report as a file.' })),
      },
      { additionalProperties: false },
    );

    app.get(
      '/messenger/broadcast/:id/recipients',
      {
        schema: {
          tags,
          summary: 'The per-recipient report of a broadcast',
          description:
            'Each recipient with its message id, channel, state, error and times, in file order; `format=csv` streams the whole report as a file.',
          security,
          params: IdParams,
          querystring: ReportQuery,
          response: {
            200: Answer('Recipients.', [{ id: 9001, to: '+33612345678', state: 'delivered', channel: 'rcs' }]),
            ...Errors,
          },
        },
      },
      async (request, reply) => {
        const broadcast = await loadBroadcast(db, clientId(request), request.params.id);
        const state = request.query.state;
        if (request.query.format === 'csv')
          return streamCsv(reply, `broadcast-${broadcast.id}-recipients.csv`, csvReport(db, broadcast.id, state));
        const at = { page: request.query.page ?? 1, limit: request.query.limit ?? 100 };
        const { items, count } = await reportPage(db, broadcast.id, { ...at, state });
        return page(items, count, at);
      },
    );

    app.get(
      '/messenger/broadcast/:id/problems',
      {
        schema: {
          tags,
          summary: 'The lines of a broadcast that could not be sent',
          description: 'Line number (1 is the header; the index for a JSON list), column, reason and the value given.',
          security,
          params: IdParams,
          querystring: ReportQuery,
          response: {
            200: Answer('Problems, in file order.', [
              { line: 7, field: 'phone', reason: "'+3361' is not a valid phone number.", value: '+3361' },
            ]),
            ...Errors,
          },
        },
      },
      async (request, reply) => {
        const broadcast = await loadBroadcast(db, clientId(request), request.params.id);
        if (request.query.format === 'csv')
          return streamCsv(reply, `broadcast-${broadcast.id}-problems.csv`, csvProblems(db, broadcast.id));
        const at = { page: request.query.page ?? 1, limit: request.query.limit ?? 100 };
        return page(await listProblems(db, broadcast.id, at), broadcast.invalid, at);
      },
    );
  };

  /** The uploaded file: the text/csv body itself, or the `file` part of a multipart body. */
  async function uploadedFile(request: FastifyRequest): Promise<AsyncIterable<Buffer>> {
    if (request.isMultipart()) {
      const part = await request.file();
      if (part === undefined || part.fieldname !== 'file')
        throw fieldInvalid('file', "Expected the CSV file as the multipart part named 'file'.");
      part.file.on('limit', () => undefined);
      return part.file;
    }
    const body = request.body as AsyncIterable<Buffer> | undefined;
    if (
      body === undefined ||
      typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function'
    )
      throw fieldInvalid(
        'file',
        'Send the CSV file with Content-Type text/csv, or as multipart/form-data part `file`.',
      );
    return body;
  }

  async function* csvReport(db: Kysely<Database>, broadcastId: number, state: MessengerState | undefined) {
    yield csvLine(['id', 'to', 'channel', 'state', 'error', 'created_at', 'updated_at']);
    let after = 0;
    for (;;) {
      const rows = await reportAfter(db, broadcastId, after, 1000, state);
      if (rows.length === 0) return;
      for (const row of rows)
        yield csvLine([
          row.id,
          row.to,
          row.channel,
          row.state,
          row.error?.message ?? '',
          row.created_at,
          row.updated_at,
        ]);
      after = rows[rows.length - 1]?.id ?? after;
    }
  }

  async function* csvProblems(db: Kysely<Database>, broadcastId: number) {
    yield csvLine(['line', 'field', 'reason', 'value']);
    for (let at = 1; ; at++) {
      const rows = await listProblems(db, broadcastId, { page: at, limit: 1000 });
      for (const row of rows) yield csvLine([row.line, row.field, row.reason, row.value]);
      if (rows.length < 1000) return;
    }
  }

  function streamCsv(reply: FastifyReply, filename: string, lines: AsyncIterable<string>) {
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${filename}"`)
      .send(Readable.from(lines));
  }
}
