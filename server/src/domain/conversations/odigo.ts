// The Odigo telephony call-backs (seed 003 "Callback Odigo"): a picked-up call opens a call conversation, a hang-up closes it.
import type { Kysely, Transaction } from 'kysely';
import type { CallMeetingRow, CallMeetingStatus, Database } from '../../db/schema.js';
import { ApiError, fieldInvalid } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { isIdText } from '../../ids.js';
import { nowInstant } from '../../time.js';
import { type Principal, visibleWebsite } from '../tenancy/policy.js';
import { findOrCreateVisitor } from '../visitors/identity.js';
import { closeConversation, openConversation } from './commands.js';

type Tx = Transaction<Database>;

export interface OdigoCall {
  operator_external_id: string;
  website_id: number;
  phone_number: string;
}

/** Seed 003's pick-up answer. */
export interface PickedUpCall {
  targeting_rule_id: number | null;
  website_id: number;
  conversation_id: number;
  skill_id: number | null;
  visitor_phone_number: string;
  visitor_uid: string;
}

interface CallParties {
  clientId: number;
  websiteId: number;
  operatorId: number;
  phone: string;
}

/** The website (visible to the key: it decides the client) and the client's operator with this external id. */
async function callParties(trx: Tx, principal: Principal, input: OdigoCall): Promise<CallParties> {
  const website = await visibleWebsite(trx, principal, input.website_id);
  const externalId = input.operator_external_id.trim();
  // External ids are the client's own and not enforced unique: the oldest operator carrying it answers, on pick-up and hang-up alike.
  const operator = await trx
    .selectFrom('operator')
    .select('id')
    .where('client_id', '=', website.client_id)
    .where('external_id', '=', externalId)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .executeTakeFirst();
  if (!operator) throw fieldInvalid('operator_external_id', `No operator has the external id '${externalId}'.`);
  return {
    clientId: website.client_id,
    websiteId: website.id,
    operatorId: operator.id,
    phone: input.phone_number.trim(),
  };
}

/** The operator's open call with this phone number on this website, newest first. */
function openCall(trx: Tx, parties: CallParties) {
  return trx
    .selectFrom('conversation')
    .innerJoin('visitor', 'visitor.id', 'conversation.visitor_id')
    .select(['conversation.id', 'conversation.rule_id', 'conversation.skill_id', 'visitor.unique_id'])
    .where('conversation.client_id', '=', parties.clientId)
    .where('conversation.website_id', '=', parties.websiteId)
    .where('conversation.operator_id', '=', parties.operatorId)
    .where('conversation.phone_number', '=', parties.phone)
    .where('conversation.channel', '=', 'call')
    .where('conversation.status', '!=', 'closed')
    .orderBy('conversation.id', 'desc')
    .executeTakeFirst();
}

/** Call meetings keep ids as text; the answer and the conversation want numbers (anything else reads as none). */
function numericId(text: string | null): number | null {
  return text !== null && isIdText(text.trim()) ? Number(text.trim()) : null;
}

async function moveMeeting(
  trx: Tx,
  meeting: CallMeetingRow,
  status: CallMeetingStatus,
  conversationId: number,
): Promise<void> {
  const at = nowInstant();
  await trx.updateTable('call_meeting').set({ status, updated_at: at }).where('id', '=', meeting.id).execute();
  await appendEvent(trx, {
    type: 'call_meeting.updated',
    clientId: meeting.client_id,
    subject: { type: 'call_meeting', id: meeting.id },
    payload: {
      callMeetingId: meeting.id,
      websiteId: meeting.website_id,
      status,
      previousStatus: meeting.status,
      startAt: meeting.start_at,
      changed: ['status'],
      conversationId,
    },
    at,
  });
}

/**
 * A picked-up call: the visitor is the meeting's (when a pending call meeting names one), else the client's
 * visitor with this phone number, else a new one; the pending meeting (oldest start first) gives its rule and
 * skill and moves to `progress`. A retried pick-up answers the call it already opened.
 */
export async function pickupCall(db: Kysely<Database>, principal: Principal, input: OdigoCall): Promise<PickedUpCall> {
  return transact(db, async (trx) => {
    const parties = await callParties(trx, principal, input);
    const answer = (
      conversationId: number,
      ruleId: number | null,
      skillId: number | null,
      visitorUid: string,
    ): PickedUpCall => ({
      targeting_rule_id: ruleId,
      website_id: parties.websiteId,
      conversation_id: conversationId,
      skill_id: skillId,
      visitor_phone_number: parties.phone,
      visitor_uid: visitorUid,
    });
    const already = await openCall(trx, parties);
    if (already) return answer(already.id, already.rule_id, already.skill_id, already.unique_id);

    const meeting = await trx
      .selectFrom('call_meeting')
      .selectAll()
      .where('client_id', '=', parties.clientId)
      .where('website_id', '=', parties.websiteId)
      .where('phone_number', '=', parties.phone)
      .where('status', '=', 'pending')
      .orderBy('start_at')
      .orderBy('id')
      .executeTakeFirst();
    const ruleId = meeting ? numericId(meeting.targeting_rule_id) : null;
    let skillId = meeting ? numericId(meeting.skill_id) : null;
    if (skillId !== null) {
      // A skill deleted since the meeting was booked cannot be referenced.
      const skill = await trx
        .selectFrom('skill')
        .select('id')
        .where('id', '=', skillId)
        .where('client_id', '=', parties.clientId)
        .executeTakeFirst();
      if (!skill) skillId = null;
    }
    const at = nowInstant();
    let visitorUid = meeting?.visitor_uid?.trim() || undefined;
    if (visitorUid === undefined) {
      const known = await trx
        .selectFrom('visitor')
        .select('unique_id')
        .where('client_id', '=', parties.clientId)
        .where('phone', '=', parties.phone)
        .where('deleted_at', 'is', null)
        .orderBy('id', 'desc')
        .executeTakeFirst();
      visitorUid = known?.unique_id;
    }
    const visitor = await findOrCreateVisitor(trx, {
      clientId: parties.clientId,
      websiteId: parties.websiteId,
      uniqueId: visitorUid,
      initial: { phone: parties.phone },
      at,
    });
    const conversationId = await openConversation(trx, {
      clientId: parties.clientId,
      websiteId: parties.websiteId,
      channel: 'call',
      source: 'odigo',
      // A call-back: the operator dials the visitor.
      contactType: 'outbound',
      visitor,
      operatorId: parties.operatorId,
      skillId,
      ruleId,
      phoneNumber: parties.phone,
      status: 'open',
      answered: true,
      createdAt: at,
    });
    if (meeting) await moveMeeting(trx, meeting, 'progress', conversationId);
    return answer(conversationId, ruleId, skillId, visitor.uniqueId);
  });
}

/** A hang-up: closes the operator's open call with this number (closed by the operator); the meeting in progress becomes `done`. */
export async function hangupCall(db: Kysely<Database>, principal: Principal, input: OdigoCall): Promise<void> {
  await transact(db, async (trx) => {
    const parties = await callParties(trx, principal, input);
    const call = await openCall(trx, parties);
    if (!call) {
      throw new ApiError(
        'not_found',
        404,
        `No open call with the phone number '${parties.phone}' for the operator with the external id '${input.operator_external_id.trim()}' on website ${parties.websiteId}.`,
      );
    }
    await closeConversation(trx, call.id, { operatorClosed: true, at: nowInstant() });
    const meeting = await trx
      .selectFrom('call_meeting')
      .selectAll()
      .where('client_id', '=', parties.clientId)
      .where('website_id', '=', parties.websiteId)
      .where('phone_number', '=', parties.phone)
      .where('status', '=', 'progress')
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (meeting) await moveMeeting(trx, meeting, 'done', call.id);
  });
}
