// How a broadcast's recipients become sends: one messenger_message each, carrying the broadcast's id, content and
// channel and the recipient's variables. They are `queued` at once but the messenger worker claims a broadcast's
// rows only while it runs; their first report is the broadcast's own BROADCAST_STATUS (a queued report per
// recipient would double the callbacks of a million-line file for nothing the caller does not already know).
import type { MessengerBroadcastRow } from '../../db/schema.js';
import type { Tx } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import type { Recipient } from './broadcast-recipients.js';
import type { BroadcastSending } from './broadcasts.js';
import { readContent } from './messages.js';
import { requiredVariables } from './messenger-content.js';
import { notifyMessengerWork } from './messenger-signal.js';

/** Rows per INSERT: well under SQLite's bound on parameters of one statement. */
const INSERT_CHUNK = 200;

export const broadcastSending: BroadcastSending = {
  requiredVariables: (db, clientId, content) => requiredVariables(db, clientId, readContent(content, 'content')),
  async queue(trx: Tx, broadcast: MessengerBroadcastRow, recipients: readonly Recipient[]): Promise<void> {
    const at = nowInstant();
    for (let start = 0; start < recipients.length; start += INSERT_CHUNK) {
      await trx
        .insertInto('messenger_message')
        .values(
          recipients.slice(start, start + INSERT_CHUNK).map((recipient) => ({
            client_id: broadcast.client_id,
            agent_id: broadcast.agent_id,
            broadcast_id: broadcast.id,
            to: recipient.to,
            requested_channel: broadcast.channel as 'auto' | 'rcs' | 'whatsapp' | 'sms',
            channel: null,
            channel_id: null,
            content: broadcast.content,
            variables: JSON.stringify(recipient.variables),
            reference: null,
            fallback: broadcast.fallback,
            fallback_from: null,
            state: 'queued' as const,
            error_code: null,
            error_message: null,
            send_at: broadcast.send_at,
            work: 'send' as const,
            due_at: at,
            lease_owner: null,
            lease_until: null,
            conversation_id: null,
            seq: null,
            created_at: at,
            updated_at: at,
          })),
        )
        .execute();
    }
  },
  poke: notifyMessengerWork,
};
