// The visitor side of the protocol: hello (identity, resume), start, message, typing, read, navigate, close, satisfaction.
import type { Kysely, Transaction } from 'kysely';
import { type Database, MESSAGE_KIND } from '../db/schema.js';
import { NAVIGATION_PROBLEM, navigationUrl } from '../domain/conversations/history.js';
import { closeLiveConversation, startLiveConversation } from '../domain/routing/commands.js';
import { queueStatus } from '../domain/routing/queue.js';
import { recordSatisfaction } from '../domain/satisfaction/commands.js';
import { startingRule } from '../domain/targeting/store.js';
import { fieldInvalid, fieldMissing, realtimeErrors, unknownResource } from '../errors.js';
import { topics } from './bus.js';
import { markRead } from './commands.js';
import type { VisitorConnection } from './connection.js';
import { type FrameReader, visitorConversationView } from './frames.js';
import type { Gateway } from './gateway.js';
import {
  findSite,
  lookupVisitor,
  originAllowed,
  persistVisitor,
  resolveVisitor,
  type SiteRef,
  type VisitorRef,
  verifyIdentity,
} from './identity.js';
import type { ConversationState } from './messages.js';
import { activeVisitorConversation, conversationState, visitorOwnsConversation } from './store.js';
import { storeVisitorEmail } from './visitor-email.js';

type Reply = (frame: object) => void;

/** Reads the optional identity block of a hello. */
function readIdentity(reader: FrameReader): { external_id: string; email?: string; hash: string } | undefined {
  const identity = reader.object('identity');
  if (identity === undefined) return undefined;
  const email = identity.text('email');
  return {
    external_id: identity.text('external_id', { required: true }),
    ...(email !== undefined && { email }),
    hash: identity.text('hash', { required: true }),
  };
}

/** The conversation a frame is about: the one it names (which must be the visitor's) or the socket's current one. */
async function targetConversation(
  db: Kysely<Database>,
  connection: VisitorConnection & { site: SiteRef },
  reader: FrameReader,
): Promise<number> {
  const named = reader.id('conversation_id');
  if (connection.visitorId === 0)
    throw named === undefined
      ? realtimeErrors.noConversation()
      : unknownResource('conversation', named, 'conversation_id');
  if (named === undefined || named === connection.conversationId) {
    if (connection.conversationId === null) throw realtimeErrors.noConversation();
    return connection.conversationId;
  }
  if (!(await visitorOwnsConversation(db, named, connection.visitorId, connection.site.id)))
    throw unknownResource('conversation', named, 'conversation_id');
  return named;
}

function identified(connection: VisitorConnection): connection is VisitorConnection & { site: SiteRef } {
  return connection.site !== null;
}

/** Follows the visitor's conversation from `afterSeq` and sends what came after, its queue place, then live entries. */
async function followConversation(
  gateway: Gateway,
  connection: VisitorConnection,
  conversationId: number,
  afterSeq: number,
): Promise<void> {
  await connection.outboundDone(async () => {
    const rows = await gateway.follow(connection, conversationId, afterSeq);
    gateway.presentRows(connection, conversationId, rows);
    const state = await conversationState(gateway.db, conversationId);
    if (state === undefined) return;
    if (state.status === 'closed') {
      gateway.unfollow(connection, conversationId);
      return;
    }
    if (state.status !== 'waiting') return;
    await gateway.join(connection, topics.queue(state.websiteId));
    const place = await queueStatus(gateway.db, conversationId);
    if (place === null) return;
    connection.queuePosition = place.position;
    connection.queueEstimate = place.estimatedWaitSeconds;
    connection.send({
      type: 'queue',
      conversation_id: conversationId,
      position: place.position,
      estimated_wait_seconds: place.estimatedWaitSeconds,
    });
  });
}

/**
 * hello: the website, the visitor (`vuid`, minted when absent), an optional signed identity, and optionally the
 * conversation to resume with the last seq the client has: the answer is `welcome`, then exactly the missed entries.
 */
async function hello(
  gateway: Gateway,
  connection: VisitorConnection,
  reader: FrameReader,
  reply: Reply,
): Promise<void> {
  if (connection.site !== null) throw realtimeErrors.alreadyIdentified();
  const websiteId = reader.id('website_id', { required: true });
  const vuid = reader.text('vuid');
  const identity = readIdentity(reader);
  const resumeId = reader.id('conversation_id');
  const lastSeq = reader.seq('last_seq', { required: false }) ?? 0;
  const site = await findSite(gateway.db, websiteId);
  if (site === undefined) throw fieldInvalid('website_id', `Unknown 'website' with 'id' ${websiteId}.`);
  if (!originAllowed(connection.origin, site.url, gateway.publicUrl))
    throw realtimeErrors.originRefused(connection.origin, site.url);
  let visitor: VisitorRef;
  if (identity !== undefined) {
    await verifyIdentity(gateway.db, site, identity);
    visitor = await resolveVisitor(gateway.db, site, vuid, { externalId: identity.external_id, email: identity.email });
  } else {
    visitor = await lookupVisitor(gateway.db, site, vuid);
  }
  let conversationId: number | null = null;
  if (resumeId !== undefined) {
    if (visitor.id === 0 || !(await visitorOwnsConversation(gateway.db, resumeId, visitor.id, site.id)))
      throw unknownResource('conversation', resumeId, 'conversation_id');
    conversationId = resumeId;
  } else if (visitor.id !== 0) {
    conversationId = (await activeVisitorConversation(gateway.db, visitor.id, site.id)) ?? null;
  }
  connection.site = site;
  connection.visitorId = visitor.id;
  connection.vuid = visitor.vuid;
  connection.origin = undefined;
  connection.conversationId = conversationId;
  // The visitor's other tabs: a conversation started in one shows up in all (see takeUpConversation).
  await gateway.join(connection, topics.visitor(site.id, visitor.vuid));
  const state = conversationId === null ? undefined : await conversationState(gateway.db, conversationId);
  reply({
    type: 'welcome',
    vuid: visitor.vuid,
    identity: visitor.verifiedExternalId === null ? null : { external_id: visitor.verifiedExternalId, verified: true },
    conversation: state === undefined ? null : visitorConversationView(state),
  });
  if (conversationId !== null) await followConversation(gateway, connection, conversationId, lastSeq);
}

/** A conversation of this visitor holding a message with this client id (a start resent after a lost answer). */
async function startedWith(
  db: Kysely<Database>,
  connection: VisitorConnection & { site: SiteRef },
  clientMessageId: string,
) {
  return db
    .selectFrom('conversation_message')
    .innerJoin('conversation', 'conversation.id', 'conversation_message.conversation_id')
    .select(['conversation.id', 'conversation_message.seq'])
    .where('conversation.visitor_id', '=', connection.visitorId)
    .where('conversation.website_id', '=', connection.site.id)
    .where('conversation_message.client_message_id', '=', clientMessageId)
    .executeTakeFirst();
}

/** start: a live chat conversation, routed at once (assigned, queued with its place, or offline with the message kept). */
async function start(
  gateway: Gateway,
  connection: VisitorConnection & { site: SiteRef },
  reader: FrameReader,
  reply: Reply,
): Promise<void> {
  const text = reader.text('text');
  const pageType = reader.text('page_type');
  const skillId = reader.id('skill_id');
  const ruleId = reader.id('rule_id');
  const contactType = reader.text('contact_type');
  const clientMessageId = reader.text('client_message_id');
  if (clientMessageId !== undefined && text === undefined) throw fieldMissing('text');
  // The offline form's email, stored on the visitor (its schema checked it before anything is written).
  const email = reader.text('email');
  if (connection.visitorId === 0) {
    // The first thing worth keeping: the visitor row is created now (see lookupVisitor).
    const visitor = await persistVisitor(gateway.db, connection.site, connection.vuid);
    connection.visitorId = visitor.id;
    connection.vuid = visitor.vuid;
  }
  if (clientMessageId !== undefined) {
    const earlier = await startedWith(gateway.db, connection, clientMessageId);
    if (earlier !== undefined) {
      const state = await conversationState(gateway.db, earlier.id);
      connection.conversationId = earlier.id;
      reply({
        type: 'started',
        conversation_id: earlier.id,
        outcome: startOutcome(state),
        conversation: state === undefined ? null : visitorConversationView(state),
        duplicate: true,
      });
      reply({ type: 'ack', conversation_id: earlier.id, client_message_id: clientMessageId, seq: Number(earlier.seq) });
      await followConversation(gateway, connection, earlier.id, connection.lastSeq(earlier.id) ?? 0);
      return;
    }
  }
  const active = await activeVisitorConversation(gateway.db, connection.visitorId, connection.site.id);
  if (active !== undefined) throw realtimeErrors.conversationOpen(active);
  const rule = await startingRule(gateway.db, connection.site.id, ruleId, contactType);
  const started = await startLiveConversation(gateway.db, {
    websiteId: connection.site.id,
    visitor: { id: connection.visitorId, uniqueId: connection.vuid },
    channel: 'chat',
    skillId: skillId ?? null,
    ruleId: rule.ruleId,
    contactType: rule.contactType,
    pageType: pageType ?? null,
    userAgent: connection.userAgent ?? null,
    text: text ?? null,
    clientMessageId: clientMessageId ?? null,
    // The offline form's email goes on the visitor in the start's transaction.
    ...(email !== undefined && {
      alsoInTransaction: (trx: Transaction<Database>) =>
        storeVisitorEmail(trx, connection.site, { id: connection.visitorId, vuid: connection.vuid }, email),
    }),
  });
  connection.conversationId = started.conversationId;
  const state = await conversationState(gateway.db, started.conversationId);
  reply({
    type: 'started',
    conversation_id: started.conversationId,
    outcome: started.kind,
    conversation: state === undefined ? null : visitorConversationView(state),
    ...(started.kind === 'queued' && {
      position: started.position,
      estimated_wait_seconds: started.estimatedWaitSeconds,
    }),
  });
  const first = started.entries.find((entry) => entry.kind === MESSAGE_KIND.visitor);
  if (first !== undefined)
    reply({
      type: 'ack',
      conversation_id: started.conversationId,
      ...(clientMessageId !== undefined && { client_message_id: clientMessageId }),
      seq: Number(first.seq),
    });
  gateway.bus.publish(topics.visitor(connection.site.id, connection.vuid), {
    t: 'visitor_started',
    c: started.conversationId,
    v: connection.visitorId,
  });
  await followConversation(gateway, connection, started.conversationId, 0);
}

/** How a started conversation went, in a `started` frame's words. */
function startOutcome(state: ConversationState | undefined): 'assigned' | 'queued' | 'offline' {
  return state?.status === 'waiting' ? 'queued' : state?.outcome === 'missed_offline' ? 'offline' : 'assigned';
}

/**
 * Another tab of this visitor started a conversation: this socket, which is on none (or on one that ended), takes it up — a `started` frame
 * with `elsewhere: true`, then the conversation's entries from the beginning and its queue place, like the tab that
 * started it (without its `ack`).
 */
export async function takeUpConversation(
  gateway: Gateway,
  connection: VisitorConnection,
  conversationId: number,
  visitorId: number,
): Promise<void> {
  if (connection.gone || connection.conversationId === conversationId) return;
  // Still following its current conversation: that one is open, so this tab stays on it.
  if (connection.conversationId !== null && connection.lastSeq(connection.conversationId) !== undefined) return;
  connection.conversationId = conversationId;
  connection.visitorId = visitorId;
  const state = await conversationState(gateway.db, conversationId);
  connection.send({
    type: 'started',
    conversation_id: conversationId,
    outcome: startOutcome(state),
    conversation: state === undefined ? null : visitorConversationView(state),
    elsewhere: true,
  });
  await followConversation(gateway, connection, conversationId, 0);
}

/** message (and navigate): stored once per client_message_id, acknowledged with its seq, then fanned out. */
async function send(
  gateway: Gateway,
  connection: VisitorConnection & { site: SiteRef },
  reader: FrameReader,
  reply: Reply,
  kind: 'message' | 'navigate',
): Promise<void> {
  let text: string;
  if (kind === 'navigate') {
    const url = navigationUrl(reader.text('url', { required: true }));
    if (url === undefined) throw fieldInvalid('url', NAVIGATION_PROBLEM);
    text = url;
  } else {
    text = reader.text('text', { required: true });
  }
  const clientMessageId = reader.text('client_message_id');
  const conversationId = await targetConversation(gateway.db, connection, reader);
  const sent = await gateway.writer.send({
    conversationId,
    kind: kind === 'navigate' ? MESSAGE_KIND.navigation : MESSAGE_KIND.visitor,
    text,
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

/** Handles one frame of an identified or unidentified visitor socket. */
export async function handleVisitorFrame(
  gateway: Gateway,
  connection: VisitorConnection,
  type: string,
  reader: FrameReader,
  reply: Reply,
): Promise<void> {
  if (type === 'hello') return hello(gateway, connection, reader, reply);
  if (type === 'ping') return reply({ type: 'pong' });
  // The frame passed its schema (frame-catalogue.ts): its type is one a visitor sends.
  if (!identified(connection)) throw realtimeErrors.helloRequired();
  switch (type) {
    case 'start':
      return start(gateway, connection, reader, reply);
    case 'message':
    case 'navigate':
      return send(gateway, connection, reader, reply, type);
    case 'typing': {
      const on = reader.bool('on', { required: true }) ?? false;
      const conversationId = await targetConversation(gateway.db, connection, reader);
      gateway.bus.publish(topics.conversation(conversationId), { t: 'typing', c: conversationId, by: 'visitor', on });
      return;
    }
    case 'read': {
      const seq = reader.seq('seq', { required: true }) ?? 0;
      const conversationId = await targetConversation(gateway.db, connection, reader);
      const moved = await markRead(gateway.db, conversationId, 'visitor', seq);
      if (moved !== null)
        gateway.bus.publish(topics.conversation(conversationId), {
          t: 'read',
          c: conversationId,
          by: 'visitor',
          seq: moved,
        });
      return;
    }
    case 'close': {
      const conversationId = await targetConversation(gateway.db, connection, reader);
      const closed = await closeLiveConversation(gateway.db, conversationId, { by: 'visitor' });
      reply({ type: 'closed', conversation_id: conversationId, outcome: closed.outcome });
      return;
    }
    case 'satisfaction': {
      // The survey the widget shows at close: the same command as POST /api/2/satisfaction, for the visitor's own conversation.
      const notes = {
        note_welcome: reader.seq('note_welcome', { required: true }) ?? 0,
        note_delay: reader.seq('note_delay', { required: true }) ?? 0,
        note_resolution: reader.seq('note_resolution', { required: true }) ?? 0,
      };
      const comment = reader.text('comment');
      const conversationId = await targetConversation(gateway.db, connection, reader);
      const satisfactionId = await recordSatisfaction(gateway.db, connection.site.clientId, {
        conversation_id: conversationId,
        ...notes,
        comment: comment ?? null,
      });
      reply({ type: 'satisfaction_recorded', conversation_id: conversationId, satisfaction_id: satisfactionId });
      return;
    }
  }
}
