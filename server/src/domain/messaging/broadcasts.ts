// Broadcasts (issue 20 `/messenger/broadcast`): a named campaign of one content to many recipients. Its recipients
// become messenger_message rows carrying its id, read from a JSON list or streamed from a CSV file in batches (a file
// of a million lines never sits in memory); lines that cannot become a send are kept as problems with their line and
// reason. The messenger worker sends a broadcast's rows only while it runs: pausing, resuming and cancelling change
// one row, and the worker ends a cancelled broadcast's unsent rows itself.
import type { Kysely } from 'kysely';
import type { CountryCode } from 'libphonenumber-js/max';
import type { Database, MessengerBroadcastRow, MessengerBroadcastState, MessengerState } from '../../db/schema.js';
import { conflict, unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { type Tx, transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import {
  isProblem,
  type Recipient,
  type RecipientProblem,
  readCountry,
  readHeader,
  readPhone,
  readRecipient,
} from './broadcast-recipients.js';
import { assertBroadcastTransition } from './broadcast-states.js';
import type { CsvRecord } from './csv-records.js';
import { newestFirst } from './listing.js';

/** Lines read and written per transaction while importing: large enough to be fast, small enough not to hold writers. */
export const IMPORT_BATCH = 1000;
/** Recipients in a JSON list at most (larger lists are a CSV upload). */
export const MAX_LISTED_RECIPIENTS = 10_000;
/** Lines of a CSV file at most (header excluded). */
export const MAX_FILE_RECIPIENTS = 1_000_000;

/** What the sending code does for a broadcast: what its content needs and how its recipients are queued. */
export interface BroadcastSending {
  /** The variables every recipient must give (the content's), or a 4xx naming the field. */
  requiredVariables(trx: Kysely<Database> | Tx, clientId: number, content: unknown): Promise<string[]>;
  /** Queues one messenger_message per recipient of the broadcast, not sent while the broadcast does not run. */
  queue(trx: Tx, broadcast: MessengerBroadcastRow, recipients: readonly Recipient[]): Promise<void>;
  /** Wakes the worker (a broadcast resumed or cancelled). */
  poke(): void;
}

/** One recipient of a broadcast's report. */
export interface ReportedRecipient {
  id: number;
  to: string;
  channel: string | null;
  state: string;
  error: { code: string | null; message: string } | null;
  reference: string | null;
  created_at: string;
  updated_at: string;
}

export interface BroadcastInput {
  agent_id: number;
  name: string;
  content: unknown;
  channel: string;
  fallback?: unknown;
  send_at?: string | undefined;
  rate_per_second?: number | undefined;
  default_country?: string | undefined;
}

/** A broadcast's counters: recipients by the state of their message, and the lines that could not be sent. */
export interface BroadcastProgress {
  total: number;
  invalid: number;
  by_state: Record<string, number>;
}

/** The broadcast `id` of the client, or 404. */
export async function loadBroadcast(
  db: Kysely<Database> | Tx,
  clientId: number,
  id: number,
): Promise<MessengerBroadcastRow> {
  const row = await db
    .selectFrom('messenger_broadcast')
    .selectAll()
    .where('id', '=', id)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (row === undefined) throw unknownResource('broadcast', id);
  return row;
}

/** The state change's row update and its `messaging.broadcast_status` event, in the caller's transaction. */
async function moveBroadcast(
  trx: Tx,
  broadcast: MessengerBroadcastRow,
  to: MessengerBroadcastState,
  reason: string | null,
  at: string,
  extra: Partial<Pick<MessengerBroadcastRow, 'total' | 'invalid' | 'columns' | 'started_at' | 'ended_at'>> = {},
): Promise<MessengerBroadcastRow> {
  assertBroadcastTransition(broadcast.state, to);
  await trx
    .updateTable('messenger_broadcast')
    .set({ state: to, updated_at: at, ...extra })
    .where('id', '=', broadcast.id)
    .execute();
  const moved = { ...broadcast, ...extra, state: to, updated_at: at };
  await announceBroadcast(trx, moved, broadcast.state, reason, at);
  return moved;
}

async function announceBroadcast(
  trx: Tx,
  broadcast: MessengerBroadcastRow,
  previousState: MessengerBroadcastState | null,
  reason: string | null,
  at: string,
): Promise<void> {
  await appendEvent(trx, {
    type: 'messaging.broadcast_status',
    clientId: broadcast.client_id,
    subject: { type: 'messenger_broadcast', id: broadcast.id },
    payload: {
      owner: { kind: 'client', id: broadcast.client_id },
      resourceId: broadcast.id,
      state: broadcast.state,
      previousState,
      reason,
      data: { name: broadcast.name, total: broadcast.total, invalid: broadcast.invalid },
    },
    at,
  });
}

/** Where a broadcast goes once its recipients are known: it waits for a future `send_at`, else it runs. */
function readyState(broadcast: Pick<MessengerBroadcastRow, 'send_at'>, at: string): 'scheduled' | 'running' {
  return broadcast.send_at !== null && broadcast.send_at > at ? 'scheduled' : 'running';
}

/**
 * Creates a broadcast. With `recipients` (a JSON list), they are read and queued in the same transaction and the
 * broadcast is scheduled or running at once; without, it is `importing` until its file is uploaded.
 */
export async function createBroadcast(
  db: Kysely<Database>,
  sending: BroadcastSending,
  clientId: number,
  input: BroadcastInput,
  recipients?: ReadonlyArray<{ to: string; variables?: Record<string, string> }>,
): Promise<MessengerBroadcastRow> {
  const country = readCountry(input.default_country);
  const required = await sending.requiredVariables(db, clientId, input.content);
  return transact(db, async (trx) => {
    const at = nowInstant();
    const inserted = await trx
      .insertInto('messenger_broadcast')
      .values({
        client_id: clientId,
        agent_id: input.agent_id,
        name: input.name,
        content: JSON.stringify(input.content),
        channel: input.channel,
        fallback: input.fallback === undefined || input.fallback === null ? null : JSON.stringify(input.fallback),
        send_at: input.send_at ?? null,
        rate_per_second: input.rate_per_second ?? null,
        default_country: country ?? null,
        state: 'importing',
        columns: null,
        created_at: at,
        updated_at: at,
        started_at: null,
        ended_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const broadcast = await loadBroadcast(trx, clientId, inserted.id);
    await announceBroadcast(trx, broadcast, null, null, at);
    if (recipients === undefined) return broadcast;
    const read = recipients.map((recipient, index) => readListed(index, recipient, required, country));
    const { total, invalid } = await storeBatch(trx, sending, broadcast, read, { total: 0, invalid: 0 });
    return moveBroadcast(trx, broadcast, readyState(broadcast, at), null, at, {
      total,
      invalid,
      started_at: readyState(broadcast, at) === 'running' ? at : null,
    });
  });
}

/** A recipient of a JSON list, or its problem naming `recipients[i].to` or `recipients[i].variables.<name>`. */
function readListed(
  index: number,
  recipient: { to: string; variables?: Record<string, string> },
  required: readonly string[],
  country: CountryCode | undefined,
): Recipient | RecipientProblem {
  const phone = readPhone(recipient.to, country);
  if ('reason' in phone)
    return { line: index, field: `recipients[${index}].to`, reason: phone.reason, value: recipient.to };
  const variables = recipient.variables ?? {};
  const missing = required.find((name) => (variables[name] ?? '').trim() === '');
  if (missing !== undefined)
    return {
      line: index,
      field: `recipients[${index}].variables.${missing}`,
      reason: `The variable '${missing}' is missing or empty.`,
      value: phone.phone,
    };
  return { line: index, to: phone.phone, variables };
}

/** One batch of read lines: recipients queued, problems kept, counters moved on. */
async function storeBatch(
  trx: Tx,
  sending: BroadcastSending,
  broadcast: MessengerBroadcastRow,
  read: ReadonlyArray<Recipient | RecipientProblem>,
  counts: { total: number; invalid: number },
): Promise<{ total: number; invalid: number }> {
  const recipients = read.filter((line): line is Recipient => !isProblem(line));
  const problems = read.filter(isProblem);
  if (recipients.length > 0) await sending.queue(trx, broadcast, recipients);
  if (problems.length > 0)
    await trx
      .insertInto('messenger_broadcast_problem')
      .values(
        problems.map((problem) => ({
          broadcast_id: broadcast.id,
          line: problem.line,
          field: problem.field,
          reason: problem.reason,
          value: problem.value,
        })),
      )
      .execute();
  return { total: counts.total + read.length, invalid: counts.invalid + problems.length };
}

/** A file's lines past the limit: the upload is refused with 413 by the route, nothing of it is sent. */
export class TooManyRecipients extends Error {
  constructor(readonly limit: number) {
    super(`The file has more than ${limit.toLocaleString('en')} recipients.`);
    this.name = 'TooManyRecipients';
  }
}

/**
 * Reads a broadcast's recipients from CSV records (the header first) and queues them in batches. Only while it is
 * `importing`: a new upload replaces what an interrupted one left (those rows were never sendable: the worker sends a
 * broadcast's rows only once it runs). The last transaction makes it scheduled or running.
 */
export async function importRecipients(
  db: Kysely<Database>,
  sending: BroadcastSending,
  clientId: number,
  id: number,
  records: AsyncIterable<CsvRecord>,
): Promise<MessengerBroadcastRow> {
  const broadcast = await transact(db, async (trx) => {
    const row = await loadBroadcast(trx, clientId, id);
    if (row.state !== 'importing')
      throw conflict(
        `Recipients are uploaded while a broadcast is 'importing'; this one is '${row.state}'. Current state: '${row.state}'.`,
        'state',
      );
    await trx.deleteFrom('messenger_message').where('broadcast_id', '=', id).execute();
    await trx.deleteFrom('messenger_broadcast_problem').where('broadcast_id', '=', id).execute();
    return row;
  });
  const content: unknown = JSON.parse(broadcast.content);
  const required = await sending.requiredVariables(db, clientId, content);
  const requiredSet = new Set(required);
  const country = readCountry(broadcast.default_country ?? undefined);
  let columns: ReturnType<typeof readHeader> | undefined;
  let counts = { total: 0, invalid: 0 };
  let batch: Array<Recipient | RecipientProblem> = [];
  const flush = async () => {
    const lines = batch;
    batch = [];
    counts = await transact(db, (trx) => storeBatch(trx, sending, broadcast, lines, counts));
  };
  for await (const record of records) {
    if (columns === undefined) {
      columns = readHeader(record.fields, required);
      continue;
    }
    if (counts.total + batch.length >= MAX_FILE_RECIPIENTS) throw new TooManyRecipients(MAX_FILE_RECIPIENTS);
    batch.push(readRecipient(record.line, record.fields, columns, requiredSet, country));
    if (batch.length >= IMPORT_BATCH) await flush();
  }
  if (columns === undefined) columns = readHeader([], required);
  if (batch.length > 0) await flush();
  const header = columns.names;
  return transact(db, async (trx) => {
    const current = await loadBroadcast(trx, clientId, id);
    const at = nowInstant();
    const next = readyState(current, at);
    return moveBroadcast(trx, current, next, null, at, {
      total: counts.total,
      invalid: counts.invalid,
      columns: JSON.stringify(header),
      started_at: next === 'running' ? at : null,
    });
  });
}

/** Holds a scheduled or running broadcast: the worker sends none of its recipients until it is resumed. */
export function pauseBroadcast(db: Kysely<Database>, clientId: number, id: number): Promise<MessengerBroadcastRow> {
  return transact(db, async (trx) => {
    const broadcast = await loadBroadcast(trx, clientId, id);
    return moveBroadcast(trx, broadcast, 'paused', null, nowInstant());
  });
}

/** Sends a paused broadcast again (or waits for its `send_at` if still ahead). */
export function resumeBroadcast(db: Kysely<Database>, clientId: number, id: number): Promise<MessengerBroadcastRow> {
  return transact(db, async (trx) => {
    const broadcast = await loadBroadcast(trx, clientId, id);
    const at = nowInstant();
    const next = readyState(broadcast, at);
    return moveBroadcast(trx, broadcast, next, null, at, {
      ...(next === 'running' && broadcast.started_at === null && { started_at: at }),
    });
  });
}

/** Stops a broadcast: its recipients not yet sent end `cancelled` (the worker reports each), sent ones keep going. */
export function cancelBroadcast(
  db: Kysely<Database>,
  clientId: number,
  id: number,
  reason: string | null,
): Promise<MessengerBroadcastRow> {
  return transact(db, async (trx) => {
    const broadcast = await loadBroadcast(trx, clientId, id);
    const at = nowInstant();
    return moveBroadcast(trx, broadcast, 'cancelled', reason, at, { ended_at: at });
  });
}

/** The counters of a broadcast: its recipients by their message's state, and the invalid lines. */
export async function broadcastProgress(
  db: Kysely<Database>,
  broadcast: MessengerBroadcastRow,
): Promise<BroadcastProgress> {
  const rows = await db
    .selectFrom('messenger_message')
    .select(['state', (eb) => eb.fn.countAll<number>().as('count')])
    .where('broadcast_id', '=', broadcast.id)
    .groupBy('state')
    .execute();
  const byState: Record<string, number> = {};
  for (const row of rows) byState[row.state] = Number(row.count);
  return { total: broadcast.total, invalid: broadcast.invalid, by_state: byState };
}

/** A client's broadcasts, newest first, optionally in one state. */
export async function listBroadcasts(
  db: Kysely<Database>,
  clientId: number,
  filter: { page: number; limit: number; state?: MessengerBroadcastState | undefined },
): Promise<{ items: MessengerBroadcastRow[]; count: number }> {
  let query = db.selectFrom('messenger_broadcast').where('client_id', '=', clientId);
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  return newestFirst(query, filter);
}

/** The lines of a broadcast that could not be sent, in file order. */
export async function listProblems(
  db: Kysely<Database>,
  broadcastId: number,
  at: { page: number; limit: number },
): Promise<RecipientProblem[]> {
  const rows = await db
    .selectFrom('messenger_broadcast_problem')
    .select(['line', 'field', 'reason', 'value'])
    .where('broadcast_id', '=', broadcastId)
    .orderBy('line')
    .limit(at.limit)
    .offset((at.page - 1) * at.limit)
    .execute();
  return rows;
}

/**
 * Running broadcasts whose recipients were all handed to a channel (or ended otherwise) become `completed`; scheduled
 * ones whose `send_at` has come start. Run by the messenger worker on every node; each change is one transaction.
 */
export async function advanceBroadcasts(
  db: Kysely<Database>,
  unsentStates: readonly MessengerState[],
): Promise<number> {
  const at = nowInstant();
  let moved = 0;
  const due = await db
    .selectFrom('messenger_broadcast')
    .select(['id', 'client_id'])
    .where((eb) =>
      eb.or([eb('state', '=', 'running'), eb.and([eb('state', '=', 'scheduled'), eb('send_at', '<=', at)])]),
    )
    .execute();
  for (const { id, client_id } of due) {
    const changed = await transact(db, async (trx) => {
      const broadcast = await loadBroadcast(trx, client_id, id);
      if (broadcast.state === 'scheduled' && broadcast.send_at !== null && broadcast.send_at <= at)
        return moveBroadcast(trx, broadcast, 'running', null, at, { started_at: at });
      if (broadcast.state !== 'running') return undefined;
      const unsent = await trx
        .selectFrom('messenger_message')
        .select('id')
        .where('broadcast_id', '=', id)
        .where('state', 'in', [...unsentStates])
        .limit(1)
        .executeTakeFirst();
      if (unsent !== undefined) return undefined;
      return moveBroadcast(trx, broadcast, 'completed', null, at, { ended_at: at });
    });
    if (changed !== undefined) moved++;
  }
  return moved;
}

/** A page of a broadcast's recipients after message id `after`, in order (the CSV export walks it). */
export async function reportAfter(
  db: Kysely<Database>,
  broadcastId: number,
  after: number,
  limit: number,
  state: MessengerState | undefined,
): Promise<ReportedRecipient[]> {
  let query = db
    .selectFrom('messenger_message')
    .select(['id', 'to', 'channel', 'state', 'error_code', 'error_message', 'reference', 'created_at', 'updated_at'])
    .where('broadcast_id', '=', broadcastId)
    .where('id', '>', after);
  if (state !== undefined) query = query.where('state', '=', state);
  const rows = await query.orderBy('id').limit(limit).execute();
  return rows.map(reported);
}

/** A page of a broadcast's report, with the count of recipients it has in total (in that state). */
export async function reportPage(
  db: Kysely<Database>,
  broadcastId: number,
  at: { page: number; limit: number; state?: MessengerState | undefined },
): Promise<{ items: ReportedRecipient[]; count: number }> {
  let query = db.selectFrom('messenger_message').where('broadcast_id', '=', broadcastId);
  if (at.state !== undefined) query = query.where('state', '=', at.state);
  const [rows, counted] = await Promise.all([
    query
      .select(['id', 'to', 'channel', 'state', 'error_code', 'error_message', 'reference', 'created_at', 'updated_at'])
      .orderBy('id')
      .limit(at.limit)
      .offset((at.page - 1) * at.limit)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(reported), count: Number(counted.count) };
}

function reported(row: {
  id: number;
  to: string;
  channel: string | null;
  state: string;
  error_code: string | null;
  error_message: string | null;
  reference: string | null;
  created_at: string;
  updated_at: string;
}): ReportedRecipient {
  return {
    id: row.id,
    to: row.to,
    channel: row.channel,
    state: row.state,
    error: row.error_message === null ? null : { code: row.error_code, message: row.error_message },
    reference: row.reference,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
