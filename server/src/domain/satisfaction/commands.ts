// Recording a satisfaction survey answer: one per conversation, with its `satisfaction.filled` event, in one transaction.
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/dialect.js';
import type { Database } from '../../db/schema.js';
import { conflict, fieldInvalid, fieldMissing } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { noteFraction } from './present.js';
import { COMMENT_MAX, NOTE_MAX, NOTE_MIN } from './schema.js';

export interface SatisfactionInput {
  conversation_id: number;
  note_welcome: number;
  /** Required, unless given as its alias `node_delay` (seed 003's spelling). */
  note_delay?: number;
  node_delay?: number;
  note_resolution: number;
  comment?: string | null;
}

function readNote(field: string, value: number): number {
  if (!Number.isInteger(value) || value < NOTE_MIN || value > NOTE_MAX)
    throw fieldInvalid(field, 'Expected a whole number from 1 to 3 (3 is the most satisfied).');
  return value;
}

/** `note_delay`, or its alias `node_delay`; both at once must agree. */
function readDelay(input: SatisfactionInput): number {
  const { note_delay: delay, node_delay: alias } = input;
  if (delay !== undefined && alias !== undefined && delay !== alias)
    throw fieldInvalid('node_delay', 'It is another name for note_delay; send one of them.');
  const value = delay ?? alias;
  if (value === undefined) throw fieldMissing('note_delay');
  return readNote(delay !== undefined ? 'note_delay' : 'node_delay', value);
}

const alreadyAnswered = (conversationId: number) =>
  conflict(`Conversation ${conversationId} already has a satisfaction answer.`);

/**
 * Records the visitor's answer to the satisfaction survey of a conversation of this client
 * (`satisfaction.filled`). Website and operator come from the conversation; a conversation is
 * answered once (409 afterwards). Used by the API and by the widget.
 */
export async function recordSatisfaction(
  db: Kysely<Database>,
  clientId: number,
  input: SatisfactionInput,
): Promise<number> {
  const notes = {
    welcome: readNote('note_welcome', input.note_welcome),
    delay: readDelay(input),
    resolution: readNote('note_resolution', input.note_resolution),
  };
  const comment = input.comment?.trim() ?? '';
  if (comment.length > COMMENT_MAX) throw fieldInvalid('comment', `It must be at most ${COMMENT_MAX} characters long.`);
  const at = nowInstant();
  try {
    return await transact(db, async (trx) => {
      const conversation = await trx
        .selectFrom('conversation')
        .leftJoin('visitor', 'visitor.id', 'conversation.visitor_id')
        .select([
          'conversation.id',
          'conversation.website_id',
          'conversation.operator_id',
          'conversation.visitor_id',
          'visitor.unique_id',
          'visitor.deleted_at',
        ])
        .where('conversation.id', '=', input.conversation_id)
        .where('conversation.client_id', '=', clientId)
        .executeTakeFirst();
      if (!conversation)
        throw fieldInvalid('conversation_id', `Unknown 'conversation' with 'id' ${input.conversation_id}.`);
      const answered = await trx
        .selectFrom('satisfaction')
        .select('id')
        .where('conversation_id', '=', conversation.id)
        .executeTakeFirst();
      if (answered) throw alreadyAnswered(conversation.id);
      const { id } = await trx
        .insertInto('satisfaction')
        .values({
          client_id: clientId,
          website_id: conversation.website_id,
          conversation_id: conversation.id,
          operator_id: conversation.operator_id,
          note_welcome: notes.welcome,
          note_delay: notes.delay,
          note_resolution: notes.resolution,
          comment,
          created_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendEvent(trx, {
        type: 'satisfaction.filled',
        clientId,
        subject: { type: 'satisfaction', id },
        payload: {
          satisfactionId: id,
          conversationId: conversation.id,
          websiteId: conversation.website_id,
          operatorId: conversation.operator_id,
          visitorId: conversation.visitor_id,
          // The webhook's `visitorId` is the unique id; an erased visitor has none to give.
          visitorUid: conversation.deleted_at === null ? conversation.unique_id : null,
          notes,
          score: noteFraction((notes.welcome + notes.delay + notes.resolution) / 3),
        },
        at,
      });
      return id;
    });
  } catch (error) {
    // Two answers for one conversation at once: the unique index keeps the first.
    if (isUniqueViolation(error)) throw alreadyAnswered(input.conversation_id);
    throw error;
  }
}
