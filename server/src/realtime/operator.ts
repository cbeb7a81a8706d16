// The operator side of the protocol: snapshot on connect, availability, reply, note, transfer, close, read, typing, resume.
import { MESSAGE_KIND } from '../db/schema.js';
import { changeOperatorLive } from '../domain/people/presence.js';
import { closeLiveConversation } from '../domain/routing/commands.js';
import { type TransferTarget, transferConversation } from '../domain/routing/transfer.js';
import { conflict, fieldInvalid, fieldMissing, notPermitted, unknownResource } from '../errors.js';
import { topics } from './bus.js';
import { markRead } from './commands.js';
import type { OperatorConnection } from './connection.js';
import { type FrameReader, operatorConversationView } from './frames.js';
import type { Gateway } from './gateway.js';
import {
  conversationState,
  operatorConversationIds,
  operatorLiveFlags,
  operatorWebsiteIds,
  waitingCounts,
} from './store.js';

type Reply = (frame: object) => void;

async function liveFlags(gateway: Gateway, connection: OperatorConnection) {
  const flags = await operatorLiveFlags(gateway.db, connection.operatorId);
  return {
    connected: flags?.connected === 1,
    chat: flags?.chat_available === 1,
    call: flags?.call_available === 1,
    video: flags?.video_available === 1,
  };
}

/**
 * On connect: the operator's room, presence (connected on the first socket), the queues of their websites, and one
 * `snapshot` frame with their open conversations (state, visitor, history) and the waiting queue sizes.
 */
export async function openOperator(gateway: Gateway, connection: OperatorConnection): Promise<void> {
  // Counted at once, before anything is awaited, so the socket's close (whenever it comes) is always balanced.
  const presence = gateway.presence.opened(connection.operatorId, connection.clientId);
  // Its failure is reported when awaited below; this handler only keeps it from counting as unhandled meanwhile.
  presence.catch(() => undefined);
  await connection.outboundDone(async () => {
    await gateway.join(connection, topics.operator(connection.operatorId));
    await presence;
    const websiteIds = await operatorWebsiteIds(gateway.db, connection.operatorId);
    await Promise.all(websiteIds.map((websiteId) => gateway.join(connection, topics.queue(websiteId))));
    const waiting = await waitingCounts(gateway.db, websiteIds);
    for (const [websiteId, count] of waiting) connection.waiting.set(websiteId, count);
    const conversations = [];
    for (const conversationId of await operatorConversationIds(gateway.db, connection.operatorId)) {
      const state = await conversationState(gateway.db, conversationId);
      if (state === undefined || state.operatorId !== connection.operatorId || state.status === 'closed') continue;
      const { conversation, history } = await gateway.assignedFrame(connection, state);
      conversations.push({ conversation, history });
    }
    connection.send({
      type: 'snapshot',
      operator: { id: connection.operatorId, ...(await liveFlags(gateway, connection)) },
      conversations,
      queues: [...waiting].map(([websiteId, count]) => ({ website_id: websiteId, waiting: count })),
    });
  });
}

/** The conversation a frame names, which must be this operator's (`closed` allowed only where said). */
async function ownConversation(
  gateway: Gateway,
  connection: OperatorConnection,
  reader: FrameReader,
  options: { allowClosed?: boolean } = {},
): Promise<number> {
  const conversationId = reader.id('conversation_id', { required: true });
  const row = await gateway.db
    .selectFrom('conversation')
    .select(['operator_id', 'status'])
    .where('id', '=', conversationId)
    .where('client_id', '=', connection.clientId)
    .executeTakeFirst();
  if (row === undefined) throw unknownResource('conversation', conversationId, 'conversation_id');
  if (row.operator_id !== connection.operatorId)
    throw notPermitted(`Conversation ${conversationId} is not assigned to you.`, 'conversation_id');
  if (row.status === 'closed' && !options.allowClosed)
    throw conflict(`Conversation ${conversationId} is closed.`, 'conversation_id');
  return conversationId;
}

/** reply / note: stored once per client_message_id, acknowledged with its seq, then fanned out (notes to operators only). */
async function write(
  gateway: Gateway,
  connection: OperatorConnection,
  reader: FrameReader,
  reply: Reply,
  kind: 'reply' | 'note',
): Promise<void> {
  const text = reader.text('text', { required: true });
  const clientMessageId = reader.text('client_message_id');
  const conversationId = await ownConversation(gateway, connection, reader);
  const sent = await gateway.writer.send({
    conversationId,
    kind: kind === 'note' ? MESSAGE_KIND.note : MESSAGE_KIND.operator,
    text,
    operatorId: connection.operatorId,
    clientMessageId: clientMessageId ?? null,
  });
  reply({
    type: 'ack',
    conversation_id: conversationId,
    ...(clientMessageId !== undefined && { client_message_id: clientMessageId }),
    seq: Number(sent.row.seq),
    ...(sent.duplicate && { duplicate: true }),
  });
}

function readTransferTarget(reader: FrameReader): TransferTarget {
  const operatorId = reader.id('operator_id');
  const groupId = reader.id('group_id');
  const skillId = reader.id('skill_id');
  const given = [operatorId, groupId, skillId].filter((value) => value !== undefined).length;
  if (given === 0) throw fieldMissing('operator_id');
  if (given > 1) throw fieldInvalid('operator_id', 'Give exactly one of operator_id, group_id and skill_id.');
  if (operatorId !== undefined) return { operatorId };
  if (groupId !== undefined) return { groupId };
  return { skillId: skillId ?? 0 };
}

/** Handles one frame of an operator socket. */
export async function handleOperatorFrame(
  gateway: Gateway,
  connection: OperatorConnection,
  type: string,
  reader: FrameReader,
  reply: Reply,
): Promise<void> {
  // The frame passed its schema (frame-catalogue.ts): its type is one an operator sends.
  switch (type) {
    case 'ping':
      return reply({ type: 'pong' });
    case 'availability': {
      const change = {
        chat: reader.bool('chat', { required: false }),
        call: reader.bool('call', { required: false }),
        video: reader.bool('video', { required: false }),
      };
      if (change.chat === undefined && change.call === undefined && change.video === undefined)
        throw fieldMissing('chat');
      await changeOperatorLive(gateway.db, connection.clientId, connection.operatorId, change);
      reply({ type: 'availability', ...(await liveFlags(gateway, connection)) });
      return;
    }
    case 'reply':
    case 'note':
      return write(gateway, connection, reader, reply, type);
    case 'transfer': {
      const target = readTransferTarget(reader);
      const conversationId = await ownConversation(gateway, connection, reader);
      const transfer = await transferConversation(gateway.db, conversationId, target, connection.operatorId);
      reply({
        type: 'transferred',
        conversation_id: conversationId,
        operator_id: transfer.toOperatorId,
        ...(transfer.queued !== null && {
          position: transfer.queued.position,
          estimated_wait_seconds: transfer.queued.estimatedWaitSeconds,
        }),
      });
      return;
    }
    case 'close': {
      const conversationId = await ownConversation(gateway, connection, reader);
      const closed = await closeLiveConversation(gateway.db, conversationId, {
        by: 'operator',
        operatorId: connection.operatorId,
      });
      reply({ type: 'closed', conversation_id: conversationId, outcome: closed.outcome });
      return;
    }
    case 'read': {
      const seq = reader.seq('seq', { required: true }) ?? 0;
      const conversationId = await ownConversation(gateway, connection, reader, { allowClosed: true });
      const moved = await markRead(gateway.db, conversationId, 'operator', seq);
      if (moved !== null)
        gateway.bus.publish(topics.conversation(conversationId), {
          t: 'read',
          c: conversationId,
          by: 'operator',
          seq: moved,
        });
      return;
    }
    case 'typing': {
      const on = reader.bool('on', { required: true }) ?? false;
      const conversationId = reader.id('conversation_id', { required: true });
      // The socket follows exactly the conversations assigned to its operator: no database read for a keystroke.
      if (connection.lastSeq(conversationId) === undefined)
        throw notPermitted(`Conversation ${conversationId} is not assigned to you.`, 'conversation_id');
      gateway.bus.publish(topics.conversation(conversationId), { t: 'typing', c: conversationId, by: 'operator', on });
      return;
    }
    case 'resume': {
      const lastSeq = reader.seq('last_seq', { required: true }) ?? 0;
      const conversationId = await ownConversation(gateway, connection, reader, { allowClosed: true });
      await connection.outboundDone(async () => {
        const rows = await gateway.follow(connection, conversationId, lastSeq);
        gateway.presentRows(connection, conversationId, rows);
        const state = await conversationState(gateway.db, conversationId);
        if (state === undefined) return;
        // Replies sent before the cut may have moved on (delivered, read) while the socket was away.
        await gateway.presentDeliveries(connection, conversationId, 0);
        reply({ type: 'conversation', conversation: operatorConversationView(state) });
        if (state.status === 'closed') gateway.unfollow(connection, conversationId);
      });
      return;
    }
  }
}
