// State changes the sockets make besides routing: idempotent messages, notes and navigation entries, and read positions.
import type { Kysely, Transaction } from 'kysely';
import { dialectOf, isUniqueViolation } from '../db/dialect.js';
import type { Database, MessageKind } from '../db/schema.js';
import { appendMessage } from '../domain/conversations/commands.js';
import { transact } from '../events/transact.js';
import { nowInstant } from '../time.js';
import type { HistoryRow } from './store.js';

type Tx = Transaction<Database>;

export interface SendInput {
  conversationId: number;
  kind: MessageKind;
  text: string;
  /** Operator messages and notes: who writes. */
  operatorId?: number | null;
  /** The sender's own id of the message: a resend with the same id is answered with the first one's seq. */
  clientMessageId?: string | null;
}

export interface SendResult {
  row: HistoryRow;
  /** True when the message was already stored by an earlier send with the same client_message_id. */
  duplicate: boolean;
}

const HISTORY_COLUMNS = ['seq', 'kind', 'body', 'operator_id', 'created_at', 'data', 'client_message_id'] as const;

/** Entries of these conversations holding one of these client ids (the caller pairs them up). */
export async function storedClientIds(
  trx: Tx,
  conversationIds: readonly number[],
  clientMessageIds: readonly string[],
): Promise<Array<HistoryRow & { conversation_id: number }>> {
  if (conversationIds.length === 0 || clientMessageIds.length === 0) return [];
  return trx
    .selectFrom('conversation_message')
    .select(['conversation_id', ...HISTORY_COLUMNS])
    .where('conversation_id', 'in', [...conversationIds])
    .where('client_message_id', 'in', [...clientMessageIds])
    .execute();
}

async function storedWithClientId(
  db: Kysely<Database> | Tx,
  conversationId: number,
  clientMessageId: string,
): Promise<HistoryRow | undefined> {
  return db
    .selectFrom('conversation_message')
    .select([...HISTORY_COLUMNS])
    .where('conversation_id', '=', conversationId)
    .where('client_message_id', '=', clientMessageId)
    .executeTakeFirst();
}

/**
 * Inside the caller's transaction: appends an entry (seq allocated here, `message.created` with it). With a
 * client_message_id the conversation row is locked first and the id looked up under that lock, so two sends of one
 * message (a resend racing the original, on any node) store it once; the unique index backs this up.
 */
export async function appendEntryWithin(
  trx: Tx,
  input: SendInput,
  options: { checked?: boolean } = {},
): Promise<SendResult> {
  const clientMessageId = input.clientMessageId ?? null;
  // `checked`: the caller already looked the client id up in this transaction (a batch does it for all its messages at once).
  if (clientMessageId !== null && !options.checked) {
    // PostgreSQL: a no-op UPDATE takes the row lock that orders concurrent sends to this conversation before the
    // look-up. SQLite runs one writer at a time and needs none.
    if (dialectOf(trx) === 'postgres')
      await trx
        .updateTable('conversation')
        .set((eb) => ({ last_seq: eb.ref('last_seq') }))
        .where('id', '=', input.conversationId)
        .execute();
    const earlier = await storedWithClientId(trx, input.conversationId, clientMessageId);
    if (earlier !== undefined) return { row: earlier, duplicate: true };
  }
  // Written with the entry (the unique index catches a resend that raced on another connection), so the row the
  // `message.created` reaction publishes carries it.
  const row = await appendMessage(trx, input.conversationId, {
    kind: input.kind,
    text: input.text,
    operatorId: input.operatorId ?? null,
    at: nowInstant(),
    clientMessageId,
  });
  return { row, duplicate: false };
}

/** appendEntryWithin in a transaction of its own; a unique violation (a resend that raced on another connection) answers the stored one. */
export async function sendEntry(db: Kysely<Database>, input: SendInput): Promise<SendResult> {
  const clientMessageId = input.clientMessageId ?? null;
  try {
    return await transact(db, (trx) => appendEntryWithin(trx, input));
  } catch (error) {
    if (clientMessageId !== null && isUniqueViolation(error)) {
      const earlier = await storedWithClientId(db, input.conversationId, clientMessageId);
      if (earlier !== undefined) return { row: earlier, duplicate: true };
    }
    throw error;
  }
}

/**
 * Moves a side's read position forward to `seq` (never backward, never past the last entry). Returns the new
 * position, or null when nothing changed.
 */
export async function markRead(
  db: Kysely<Database>,
  conversationId: number,
  side: 'visitor' | 'operator',
  seq: number,
): Promise<number | null> {
  const column = side === 'visitor' ? 'visitor_read_seq' : 'operator_read_seq';
  return transact(db, async (trx) => {
    const row = await trx
      .selectFrom('conversation')
      .select(['last_seq', 'visitor_read_seq', 'operator_read_seq'])
      .where('id', '=', conversationId)
      .executeTakeFirst();
    if (row === undefined) return null;
    const target = Math.min(seq, Number(row.last_seq));
    if (target <= Number(row[column])) return null;
    const set = side === 'visitor' ? { visitor_read_seq: target } : { operator_read_seq: target };
    // The condition keeps the position monotonic when two reads race.
    const updated = await trx
      .updateTable('conversation')
      .set(set)
      .where('id', '=', conversationId)
      .where(column, '<', target)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0 ? target : null;
  });
}
