// Appends events to the log inside the caller's transaction, so an event exists exactly when its change does.
import { CompiledQuery, type Kysely, sql, type Transaction } from 'kysely';
import { dialectOf } from '../db/dialect.js';
import type { ConversationMessageRow, Database } from '../db/schema.js';
import { isCallbackEvent } from '../webhooks/callbacks.js';
import { notifyWebhookWork } from '../webhooks/signal.js';
import type { EventPayload, EventType } from './catalogue.js';
import { assertEventPayload, CHECK_APPENDS } from './check.js';
import type { CommittedEvent } from './dispatcher.js';
import { eventAppended } from './transact.js';

interface NewEventOf<T extends EventType> {
  type: T;
  partnerId?: number | null;
  clientId: number | null;
  subject: { type: string; id: number };
  /** What changed, as its schema in events/catalogue.ts says; kept small and free of secrets (never hashes or keys). */
  payload: EventPayload<T>;
  at: string;
  /** `message.created` only: the row written, handed to reactions in memory (see CommittedEvent.message). */
  message?: ConversationMessageRow;
}

/**
 * An event to append: its payload is of its type's schema (a wrong or missing field fails the typecheck). Events whose
 * payload has no field (`api_key.revoked`, `group.deleted`, `skill.deleted`) may leave it out.
 */
export type NewEvent<T extends EventType = EventType> = {
  [K in T]: keyof EventPayload<K> extends never
    ? Omit<NewEventOf<K>, 'payload'> & Partial<NewEventOf<K>>
    : NewEventOf<K>;
}[T];

/**
 * Writes one event row, and a webhook outbox row when the event's client has an enabled webhook, in the same
 * transaction: webhook delivery sees exactly the committed events, and never has to tail the log by id (ids
 * commit out of order on PostgreSQL). Must be called with the transaction of the change it describes, opened by
 * transact() (events/transact.ts), which hands the event to the app's reactions once the transaction committed.
 */
export async function appendEvent<T extends EventType>(
  trx: Transaction<Database> | Kysely<Database>,
  event: NewEvent<T>,
): Promise<void> {
  if (CHECK_APPENDS) assertEventPayload(event.type, event.payload ?? {});
  await writeEventRows(trx, event);
  // The union of CommittedEvent cannot be narrowed by a generic T; `event` is of one type and its payload of that type.
  const committed = {
    type: event.type,
    partnerId: event.partnerId ?? null,
    clientId: event.clientId,
    subject: event.subject,
    payload: event.payload ?? {},
    at: event.at,
    ...(event.message !== undefined && { message: event.message }),
  } as CommittedEvent;
  await eventAppended(trx, committed);
}

async function writeEventRows(
  trx: Transaction<Database> | Kysely<Database>,
  event: Omit<NewEventOf<EventType>, 'payload'> & { payload?: unknown },
): Promise<void> {
  const payload = JSON.stringify(event.payload ?? {});
  const partnerId = event.partnerId ?? null;
  // Messaging status events go to their owner's callback (webhooks/callbacks.ts), whoever the event's client is.
  const forCallback = isCallbackEvent(event.type);
  if (event.clientId === null && !forCallback) {
    await trx
      .insertInto('event')
      .values({
        type: event.type,
        partner_id: partnerId,
        client_id: null,
        subject_type: event.subject.type,
        subject_id: event.subject.id,
        payload,
        created_at: event.at,
      })
      .execute();
    return;
  }
  // One indexed existence check per event: clients without webhooks pay no outbox row.
  if (dialectOf(trx) === 'postgres') {
    const subscribed = forCallback
      ? sql`1 = 1`
      : sql`exists (select 1 from webhook where client_id = ${event.clientId} and enabled = 1)`;
    // One round trip on PostgreSQL.
    const queued = await sql`with appended as (
        insert into event (type, partner_id, client_id, subject_type, subject_id, payload, created_at)
        values (${event.type}, ${partnerId}, ${event.clientId}, ${event.subject.type}, ${event.subject.id}, ${payload}, ${event.at})
        returning id)
      insert into webhook_outbox (event_id, created_at) select appended.id, ${event.at} from appended where ${subscribed}`.execute(
      trx,
    );
    if (Number(queued.numAffectedRows ?? 0) > 0) notifyWebhookWork();
    return;
  }
  // The two most frequent statements of every command: run as fixed SQL, Kysely does not build them anew each time.
  await trx.executeQuery(
    CompiledQuery.raw(INSERT_EVENT_SQLITE, [
      event.type,
      partnerId,
      event.clientId,
      event.subject.type,
      event.subject.id,
      payload,
      event.at,
    ]),
  );
  // SQLite runs in-process: a second statement costs microseconds, and last_insert_rowid() is this connection's insert.
  const queued = await trx.executeQuery(
    forCallback
      ? CompiledQuery.raw(QUEUE_CALLBACK_SQLITE, [event.at])
      : CompiledQuery.raw(QUEUE_WEBHOOK_SQLITE, [event.at, event.clientId]),
  );
  if (Number(queued.numAffectedRows ?? 0) > 0) notifyWebhookWork();
}

const INSERT_EVENT_SQLITE =
  'insert into "event" ("type", "partner_id", "client_id", "subject_type", "subject_id", "payload", "created_at") values (?, ?, ?, ?, ?, ?, ?)';
const QUEUE_CALLBACK_SQLITE = 'insert into webhook_outbox (event_id, created_at) select last_insert_rowid(), ?';
const QUEUE_WEBHOOK_SQLITE =
  'insert into webhook_outbox (event_id, created_at) select last_insert_rowid(), ? where exists (select 1 from webhook where client_id = ? and enabled = 1)';
