// What the realtime bus carries between nodes: compact fan-out messages, published only after their transaction committed.
import type { DeliveryState, ProviderError } from '../channels/adapter.js';
import type { ConversationMessageRow, ConversationOutcome, ConversationStatus, MessageKind } from '../db/schema.js';
import type { CommittedEvent } from '../events/dispatcher.js';

/** A persisted history entry, as fanned out: everything a socket needs to present it without reading the database. */
export interface EntryPayload {
  seq: number;
  kind: MessageKind;
  text: string;
  operatorId: number | null;
  at: string;
  /** JSON details of a system entry, as stored. */
  data: string | null;
  clientMessageId: string | null;
}

/** A conversation's live state: who has it, where it stands. */
export interface ConversationState {
  id: number;
  websiteId: number;
  visitorId: number;
  status: ConversationStatus;
  operatorId: number | null;
  /** The name the visitor sees for the operator (pseudonym, else first name, else name). */
  operatorName: string | null;
  skillId: number | null;
  outcome: ConversationOutcome | null;
  lastSeq: number;
}

export type RealtimeMessage =
  /** conv topic: a new history entry. */
  | { t: 'entry'; c: number; e: EntryPayload }
  /** conv topic: a side is typing (not persisted). */
  | { t: 'typing'; c: number; by: 'visitor' | 'operator'; on: boolean }
  /** conv topic: a side has read up to `seq` (persisted as the conversation's read position). */
  | { t: 'read'; c: number; by: 'visitor' | 'operator'; seq: number }
  /** conv topic: an operator message bound for WhatsApp, SMS or RCS changed delivery state (committed). */
  | { t: 'delivery'; c: number; seq: number; state: DeliveryState; error?: ProviderError }
  /** conv topic: status, operator or outcome changed. */
  | { t: 'state'; c: number; s: ConversationState }
  /** op topic: the conversation was given to this operator. */
  | { t: 'assigned'; c: number }
  /** op topic: presence closed this operator; nodes still holding one of their sockets connect them again. */
  | { t: 'disconnected'; o: number }
  /** queue topic: waiting conversations of the website changed (positions to recompute). */
  | { t: 'queue'; w: number }
  /** visitor topic: one tab of the visitor started conversation `c`; the visitor's other tabs take it up. */
  | { t: 'visitor_started'; c: number; v: number }
  /** events topic: events committed on node `n`, for the `every_node` reactions of the others. */
  | { t: 'events'; n: string; e: readonly CommittedEvent[] };

/** The fan-out payload of a stored history row. */
export function entryPayload(
  row: Pick<
    ConversationMessageRow,
    'seq' | 'kind' | 'body' | 'operator_id' | 'created_at' | 'data' | 'client_message_id'
  >,
): EntryPayload {
  return {
    seq: Number(row.seq),
    kind: row.kind,
    text: row.body,
    operatorId: row.operator_id,
    at: row.created_at,
    data: row.data,
    clientMessageId: row.client_message_id,
  };
}
