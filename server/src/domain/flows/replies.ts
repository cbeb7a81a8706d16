// A customer's reply to a run, read the same way whether it arrives while the run waits (the event feed resumes the
// run) or came before the run reached its wait_reply step (the step takes it at once): the reply is the customer's
// first message after the last one this run sent or took in the conversation, so none is lost and none is taken twice.
import type { Transaction } from 'kysely';
import { dialectOf } from '../../db/dialect.js';
import { type Database, MESSAGE_KIND } from '../../db/schema.js';
import type { StepOf } from './definition.js';

type Tx = Transaction<Database>;

export interface CustomerReply {
  seq: number;
  text: string;
  /** A button's payload when the customer pressed one, else the text. */
  payload: string;
}

const REPLY_COLUMNS = ['seq', 'body', 'data', 'kind'] as const;

function replyOf(row: { seq: number; body: string; data: string | null; kind: number }): CustomerReply | undefined {
  if (row.kind !== MESSAGE_KIND.visitor) return undefined;
  const data = row.data === null ? {} : (JSON.parse(row.data) as Record<string, unknown>);
  const payload = typeof data.reply_id === 'string' && data.reply_id !== '' ? data.reply_id : row.body;
  return { seq: Number(row.seq), text: row.body, payload };
}

/** The customer's message at `seq` in the conversation, when it is one. */
export async function replyAt(trx: Tx, conversationId: number, seq: number): Promise<CustomerReply | undefined> {
  const row = await trx
    .selectFrom('conversation_message')
    .select(REPLY_COLUMNS)
    .where('conversation_id', '=', conversationId)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return row === undefined ? undefined : replyOf(row);
}

/** The customer's first message after `afterSeq`, if one came already. */
export async function firstReplyAfter(
  trx: Tx,
  conversationId: number,
  afterSeq: number,
): Promise<CustomerReply | undefined> {
  const row = await trx
    .selectFrom('conversation_message')
    .select(REPLY_COLUMNS)
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', afterSeq)
    .where('kind', '=', MESSAGE_KIND.visitor)
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : replyOf(row);
}

/**
 * The seq after which a reply counts for this run: the last message it sent or reply it took in the conversation
 * (read from its step rows), else the conversation's last seq. The conversation's row is locked on PostgreSQL so an
 * inbound message commits either before this (and is seen) or after the run waits (and the feed resumes it).
 */
export async function replyCursor(trx: Tx, runId: number, conversationId: number): Promise<number> {
  let conversation = trx.selectFrom('conversation').select('last_seq').where('id', '=', conversationId);
  if (dialectOf(trx) === 'postgres') conversation = conversation.forUpdate();
  const { last_seq: lastSeq } = await conversation.executeTakeFirstOrThrow();
  const steps = await trx
    .selectFrom('flow_run_step')
    .select(['type', 'output'])
    .where('run_id', '=', runId)
    .where('type', 'in', ['send_message', 'send_template', 'wait_reply'])
    .where('output', 'is not', null)
    .execute();
  let cursor: number | undefined;
  for (const step of steps) {
    const output = JSON.parse(step.output ?? '{}') as { seq?: unknown; conversation_id?: unknown };
    if (typeof output.seq !== 'number') continue;
    // Replies taken before conversation ids were written in their output were taken in the run's conversation.
    const inConversation =
      output.conversation_id === conversationId || (step.type === 'wait_reply' && output.conversation_id === undefined);
    if (inConversation) cursor = Math.max(cursor ?? 0, output.seq);
  }
  return cursor ?? Number(lastSeq);
}

/** The variables a reply sets: `<save_as>` its text and `<save_as>_payload` its payload (`reply` by default). */
export function replyVariables(step: StepOf<'wait_reply'>, reply: CustomerReply): Record<string, string> {
  const name = step.save_as ?? 'reply';
  return { [name]: reply.text, [`${name}_payload`]: reply.payload };
}

/** What the wait_reply step's row shows once answered. */
export function replyOutput(reply: CustomerReply, conversationId: number): Record<string, unknown> {
  return { text: reply.text, payload: reply.payload, seq: reply.seq, conversation_id: conversationId };
}
