// Appends events to the log inside the caller's transaction, so an event exists exactly when its change does.
import { type Kysely, sql, type Transaction } from 'kysely';
import { dialectOf } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import { notifyWebhookWork } from '../webhooks/signal.js';
import type { EventType } from './catalogue.js';
import { eventAppended } from './transact.js';

export interface NewEvent {
  type: EventType;
  partnerId?: number | null;
  clientId: number | null;
  subject: { type: string; id: number };
  /** What changed; kept small and free of secrets (never password hashes or keys). */
  payload?: Record<string, unknown>;
  at: string;
}

/**
 * Writes one event row, and a webhook outbox row when the event's client has an enabled webhook, in the same
 * transaction: webhook delivery sees exactly the committed events, and never has to tail the log by id (ids
 * commit out of order on PostgreSQL). Must be called with the transaction of the change it describes, opened by
 * transact() (events/transact.ts), which hands the event to the app's reactions once the transaction committed.
 */
export async function appendEvent(trx: Transaction<Database> | Kysely<Database>, event: NewEvent): Promise<void> {
  await writeEventRows(trx, event);
  await eventAppended(trx, {
    type: event.type,
    partnerId: event.partnerId ?? null,
    clientId: event.clientId,
    subject: event.subject,
    payload: event.payload ?? {},
    at: event.at,
  });
}

async function writeEventRows(trx: Transaction<Database> | Kysely<Database>, event: NewEvent): Promise<void> {
  const payload = JSON.stringify(event.payload ?? {});
  const partnerId = event.partnerId ?? null;
  if (event.clientId === null) {
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
  const subscribed = sql`exists (select 1 from webhook where client_id = ${event.clientId} and enabled = 1)`;
  if (dialectOf(trx) === 'postgres') {
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
  await trx
    .insertInto('event')
    .values({
      type: event.type,
      partner_id: partnerId,
      client_id: event.clientId,
      subject_type: event.subject.type,
      subject_id: event.subject.id,
      payload,
      created_at: event.at,
    })
    .execute();
  // SQLite runs in-process: a second statement costs microseconds, and last_insert_rowid() is this connection's insert.
  const queued =
    await sql`insert into webhook_outbox (event_id, created_at) select last_insert_rowid(), ${event.at} where ${subscribed}`.execute(
      trx,
    );
  if (Number(queued.numAffectedRows ?? 0) > 0) notifyWebhookWork();
}
