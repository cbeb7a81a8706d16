// The messenger's feed reactions: what the event log tells the messenger worker (messenger-worker.ts) after its sends
// left. A delivery change of a send's conversation entry becomes the send's state (and its report); a customer's
// message on a provider channel is a stop word for the opt-out list, or a reply (MESSENGER_INBOUND).

import { appendEvent } from '../../events/append.js';
import type { FedEvent } from '../../events/cursor-feed.js';
import type { Tx } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { conversationAddress } from '../conversations/store.js';
import { addOptouts, moveMessage, stopWordOf } from './messages.js';

const PROVIDER_SOURCES: ReadonlySet<string> = new Set(['whatsapp', 'sms', 'rcs']);

/** The feed's events: delivery changes of the sends' entries, and customers' messages on provider channels. */
export async function applyMessengerEvents(trx: Tx, events: readonly FedEvent[]): Promise<void> {
  const read = events.map((event) => ({ event, payload: JSON.parse(event.payload) as Record<string, unknown> }));
  const ours = await messengerEntries(
    trx,
    read.filter(({ event }) => event.type === 'message.status_changed').map(({ payload }) => payload),
  );
  for (const { event, payload } of read) {
    if (event.type === 'message.status_changed') {
      if (ours.has(entryKey(payload.conversationId, payload.seq))) await deliveryChanged(trx, payload);
    } else if (event.type === 'message.created' && payload.type === 'visitor' && event.client_id !== null)
      await customerWrote(trx, event.client_id, payload);
  }
}

/**
 * Which of the statuses' messages the messenger sent (`conversation:seq`), in one statement for the batch: most
 * statuses on a busy node are of other messages (agents', flows'), which need nothing more.
 */
async function messengerEntries(trx: Tx, statuses: readonly Record<string, unknown>[]): Promise<Set<string>> {
  if (statuses.length === 0) return new Set();
  const rows = await trx
    .selectFrom('messenger_message')
    .select(['conversation_id', 'seq'])
    .where((eb) =>
      eb(
        eb.refTuple('conversation_id', 'seq'),
        'in',
        statuses.map((payload) => eb.tuple(Number(payload.conversationId), Number(payload.seq))),
      ),
    )
    .execute();
  return new Set(rows.map((row) => entryKey(row.conversation_id, row.seq)));
}

async function deliveryChanged(trx: Tx, payload: Record<string, unknown>): Promise<void> {
  const conversationId = Number(payload.conversationId);
  const seq = Number(payload.seq);
  const message = await trx
    .selectFrom('messenger_message')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('seq', '=', seq)
    .executeTakeFirst();
  if (message === undefined) return;
  const at = nowInstant();
  const state = String(payload.state);
  if (state === 'sent') await moveMessage(trx, message, 'sent', ['queued'], { at });
  else if (state === 'delivered')
    await moveMessage(trx, message, 'delivered', ['queued', 'sent'], { at, set: { work: null, due_at: null } });
  else if (state === 'read')
    await moveMessage(trx, message, 'read', ['queued', 'sent', 'delivered'], {
      at,
      set: { work: null, due_at: null },
    });
  else if (state === 'failed') {
    const error = (payload.error as { code: string; message: string } | null) ?? {
      code: 'provider_failed',
      message: 'The provider could not deliver the message.',
    };
    // A first channel that failed falls back at once when the send has a rule.
    if (message.fallback !== null && message.fallback_from === null && message.work === 'fallback') {
      await trx
        .updateTable('messenger_message')
        .set({ due_at: at, error_code: error.code, error_message: error.message, updated_at: at })
        .where('id', '=', message.id)
        .execute();
      return;
    }
    await moveMessage(trx, message, 'failed', ['queued', 'sent'], { at, error });
  }
}

/** A customer's message: a stop word puts the number on the opt-out list; a reply to a send is MESSENGER_INBOUND. */
async function customerWrote(trx: Tx, clientId: number, payload: Record<string, unknown>): Promise<void> {
  const conversationId = Number(payload.conversationId);
  const seq = Number(payload.seq);
  const conversation = await conversationAddress.first(trx, { id: conversationId });
  if (conversation === undefined || !PROVIDER_SOURCES.has(conversation.source)) return;
  const entry = await trx
    .selectFrom('conversation_message')
    .select(['body'])
    .where('conversation_id', '=', conversationId)
    .where('seq', '=', seq)
    .executeTakeFirst();
  if (entry === undefined) return;
  const contact = await trx
    .selectFrom('channel_contact')
    .select('address')
    .where('conversation_id', '=', conversationId)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  const from = contact?.address ?? conversation.phone_number;
  if (from === null || from === undefined) return;
  const at = nowInstant();
  const stop = stopWordOf(entry.body);
  if (stop !== undefined) await addOptouts(trx, clientId, [from], 'keyword', stop, at);
  const repliedTo = await trx
    .selectFrom('messenger_message')
    .select(['id', 'reference', 'broadcast_id', 'channel'])
    .where('client_id', '=', clientId)
    .where('to', '=', from)
    .where('conversation_id', '=', conversationId)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (repliedTo === undefined && stop === undefined) return;
  await appendEvent(trx, {
    type: 'messaging.messenger_inbound',
    clientId,
    subject: { type: 'conversation', id: conversationId },
    payload: {
      owner: { kind: 'client', id: clientId },
      resourceId: conversationId,
      state: stop === undefined ? 'received' : 'opted_out',
      previousState: null,
      reason: stop === undefined ? null : `The customer sent ${stop}.`,
      data: {
        from,
        channel: conversation.source,
        text: entry.body,
        conversation_id: conversationId,
        in_reply_to: repliedTo?.id ?? null,
        reference: repliedTo?.reference ?? null,
        broadcast_id: repliedTo?.broadcast_id ?? null,
        opted_out: stop !== undefined,
        at,
      },
    },
    at,
  });
}

/** A conversation entry as a key (`conversation:seq`), from an event's payload or a row alike. */
function entryKey(conversationId: unknown, seq: unknown): string {
  return `${Number(conversationId)}:${Number(seq)}`;
}
