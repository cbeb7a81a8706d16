// Appends events to the log inside the caller's transaction, so an event exists exactly when its change does.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { EventType } from './catalogue.js';

export interface NewEvent {
  type: EventType;
  partnerId?: number | null;
  clientId: number | null;
  subject: { type: string; id: number };
  /** What changed; kept small and free of secrets (never password hashes or keys). */
  payload?: Record<string, unknown>;
  at: string;
}

/** Writes one event row. Must be called with the transaction of the change it describes. */
export async function appendEvent(trx: Transaction<Database> | Kysely<Database>, event: NewEvent): Promise<void> {
  await trx
    .insertInto('event')
    .values({
      type: event.type,
      partner_id: event.partnerId ?? null,
      client_id: event.clientId,
      subject_type: event.subject.type,
      subject_id: event.subject.id,
      payload: JSON.stringify(event.payload ?? {}),
      created_at: event.at,
    })
    .execute();
}
