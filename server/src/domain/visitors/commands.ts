// State changes of visitors and call meetings; each commits its rows and its events in one transaction.
import type { Kysely, Updateable } from 'kysely';
import { isUniqueViolation } from '../../db/dialect.js';
import {
  type CallMeetingRow,
  type CallMeetingStatus,
  type CallMeetingTable,
  type Database,
  VISITOR_PROFILE_FIELDS,
  type VisitorTable,
} from '../../db/schema.js';
import { isEmailAddress } from '../../email.js';
import { conflict, fieldInvalid } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { isIdText } from '../../ids.js';
import { nowInstant, parseApiDate } from '../../time.js';
import { assertOwned, type Principal, targetClient, visibleWebsite } from '../tenancy/policy.js';
import { applyAttributes, normalisePhone, readStoredAttributes, sameAttributes } from './contacts.js';
import { newVisitorUid } from './identity.js';
import type { VisitorRecord } from './store.js';

type VisitorUpdate = Updateable<VisitorTable>;
type CallMeetingUpdate = Updateable<CallMeetingTable>;

/** The personal fields of a visitor: written by the API, erased when the visitor is deleted. */
export const PERSONAL_FIELDS = [...VISITOR_PROFILE_FIELDS, 'browser'] as const;
type PersonalField = (typeof PERSONAL_FIELDS)[number];

export type VisitorInput = Partial<Record<PersonalField, string | null>> & {
  website_id?: number[];
  custom_attributes?: Record<string, string | null>;
};

/** Trims text; an empty value means "none", so it is stored as null. */
function cleanText(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const text = value.trim();
  return text === '' ? null : text;
}

/** The personal fields given, trimmed, with the email checked. */
function personalValues(input: VisitorInput): Partial<Record<PersonalField, string | null>> {
  const values: Partial<Record<PersonalField, string | null>> = {};
  for (const field of PERSONAL_FIELDS) {
    const value = cleanText(input[field]);
    if (value !== undefined) values[field] = value;
  }
  if (typeof values.email === 'string' && !isEmailAddress(values.email))
    throw fieldInvalid('email', "Expected an email address, such as 'julie@shop.example'.");
  if (typeof values.phone === 'string') values.phone = normalisePhone(values.phone);
  return values;
}

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];

const uniqueIdTaken = (uniqueId: string) =>
  conflict(`Value of field 'unique_id' is not valid. A visitor with the unique_id '${uniqueId}' already exists.`);

/** Creates a visitor (`visitor.created`); the unique id is minted when not given and must be free within the client. */
export async function createVisitor(
  db: Kysely<Database>,
  principal: Principal,
  input: VisitorInput & { unique_id?: string; client_id?: number },
): Promise<number> {
  const clientId = await targetClient(db, principal, input.client_id);
  const uniqueId = input.unique_id?.trim() || newVisitorUid();
  const values = personalValues(input);
  const websiteIds = unique(input.website_id ?? []).sort((a, b) => a - b);
  const attributes = applyAttributes({}, input.custom_attributes);
  const at = nowInstant();
  try {
    return await transact(db, async (trx) => {
      const taken = await trx
        .selectFrom('visitor')
        .select('id')
        .where('client_id', '=', clientId)
        .where('unique_id', '=', uniqueId)
        .executeTakeFirst();
      if (taken) throw uniqueIdTaken(uniqueId);
      await assertOwned(trx, 'website', websiteIds, clientId, 'website_id');
      const { id } = await trx
        .insertInto('visitor')
        .values({
          client_id: clientId,
          unique_id: uniqueId,
          external_id: values.external_id ?? null,
          lastname: values.lastname ?? null,
          firstname: values.firstname ?? null,
          address: values.address ?? null,
          city: values.city ?? null,
          zip: values.zip ?? null,
          country: values.country ?? null,
          phone: values.phone ?? null,
          email: values.email ?? null,
          browser: values.browser ?? null,
          custom_attributes: JSON.stringify(attributes),
          created_at: at,
          updated_at: at,
          deleted_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (websiteIds.length > 0)
        await trx
          .insertInto('visitor_website')
          .values(websiteIds.map((website_id) => ({ visitor_id: id, website_id })))
          .execute();
      await appendEvent(trx, {
        type: 'visitor.created',
        clientId,
        subject: { type: 'visitor', id },
        payload: { visitorId: id, unique_id: uniqueId, websiteIds },
        at,
      });
      return id;
    });
  } catch (error) {
    // Two creates with one unique id at once: the index decides, the loser gets the same 409 as the check.
    if (isUniqueViolation(error)) throw uniqueIdTaken(uniqueId);
    throw error;
  }
}

/**
 * Changes the fields given (`website_id` replaces the list). Writes `visitor.updated` with the names of
 * the fields whose value actually changed; a request that changes nothing writes nothing.
 */
export async function updateVisitor(
  db: Kysely<Database>,
  existing: VisitorRecord,
  input: VisitorInput & { unique_id?: unknown; created_at?: unknown },
): Promise<void> {
  if (input.unique_id !== undefined)
    throw fieldInvalid('unique_id', 'A visitor keeps its unique_id; create another visitor for another identifier.');
  if (input.created_at !== undefined)
    throw fieldInvalid('created_at', 'It is set when the visitor is created and cannot be changed.');
  const values = personalValues(input);
  const changes: VisitorUpdate = {};
  for (const field of PERSONAL_FIELDS) {
    const value = values[field];
    if (value !== undefined && value !== existing[field]) changes[field] = value;
  }
  const currentAttributes = readStoredAttributes(existing.custom_attributes);
  const attributes = applyAttributes(currentAttributes, input.custom_attributes);
  if (!sameAttributes(attributes, currentAttributes)) changes.custom_attributes = JSON.stringify(attributes);
  const websiteIds = input.website_id === undefined ? undefined : unique(input.website_id).sort((a, b) => a - b);
  const websitesChanged = websiteIds !== undefined && websiteIds.join(',') !== existing.website_id.join(',');
  const changed = [...Object.keys(changes), ...(websitesChanged ? ['website_id'] : [])];
  // An unchanged website list is the one already linked, so it needs no check.
  if (changed.length === 0) return;
  const at = nowInstant();
  await transact(db, async (trx) => {
    if (websitesChanged && websiteIds !== undefined)
      await assertOwned(trx, 'website', websiteIds, existing.client_id, 'website_id');
    await trx
      .updateTable('visitor')
      .set({ ...changes, updated_at: at })
      .where('id', '=', existing.id)
      .execute();
    if (websitesChanged && websiteIds !== undefined) {
      await trx.deleteFrom('visitor_website').where('visitor_id', '=', existing.id).execute();
      if (websiteIds.length > 0)
        await trx
          .insertInto('visitor_website')
          .values(websiteIds.map((website_id) => ({ visitor_id: existing.id, website_id })))
          .execute();
    }
    await appendEvent(trx, {
      type: 'visitor.updated',
      clientId: existing.client_id,
      subject: { type: 'visitor', id: existing.id },
      payload: {
        visitorId: existing.id,
        unique_id: existing.unique_id,
        changed,
        websiteIds: websiteIds ?? existing.website_id,
      },
      at,
    });
  });
}

/**
 * Deletes a visitor as a privacy erase: every personal field is cleared and the unique id is replaced by
 * a tombstone (`deleted:<id>`), so the same browser coming back starts a new visitor. The row stays so
 * the visitor's conversations, satisfaction answers and sales keep their statistics; the sales reported
 * for this visitor lose their visitor email and unique id.
 */
export async function deleteVisitor(db: Kysely<Database>, existing: VisitorRecord): Promise<void> {
  const at = nowInstant();
  await transact(db, async (trx) => {
    const erased: VisitorUpdate = {
      unique_id: `deleted:${existing.id}`,
      deleted_at: at,
      updated_at: at,
      custom_attributes: '{}',
    };
    for (const field of PERSONAL_FIELDS) erased[field] = null;
    await trx.updateTable('visitor').set(erased).where('id', '=', existing.id).execute();
    // The visitors merged into it are the same person: erased too, each with its own tombstone.
    const merged = await trx.selectFrom('visitor').select('id').where('merged_into_id', '=', existing.id).execute();
    for (const { id } of merged)
      await trx
        .updateTable('visitor')
        .set({ ...erased, unique_id: `deleted:${id}` })
        .where('id', '=', id)
        .execute();
    await trx.deleteFrom('visitor_website').where('visitor_id', '=', existing.id).execute();
    await trx
      .updateTable('sale')
      .set({ visitor_email: null, visitor_uid: null })
      .where('client_id', '=', existing.client_id)
      .where((eb) => eb.or([eb('visitor_id', '=', existing.id), eb('visitor_uid', '=', existing.unique_id)]))
      .execute();
    // The former unique id lets receivers erase the visitor on their side too; no other personal data is kept.
    await appendEvent(trx, {
      type: 'visitor.deleted',
      clientId: existing.client_id,
      subject: { type: 'visitor', id: existing.id },
      payload: { visitorId: existing.id, unique_id: existing.unique_id },
      at,
    });
  });
}

export interface CallMeetingInput {
  website_id: number;
  phone_number: string;
  start_at: string;
  visitor_uid?: string | null;
  targeting_rule_id?: string | null;
  skill_id?: string | null;
  status?: CallMeetingStatus;
}

/** `2026-11-21 14:30:00` → the stored instant; the schema has already checked the shape, this checks the date exists. */
function readStartAt(value: string): string {
  const parsed = parseApiDate(value);
  if (parsed === null)
    throw fieldInvalid(
      'start_at',
      "Expected a real date and time written YYYY-MM-DD HH:MM:SS, such as '2026-11-21 14:30:00'.",
    );
  return parsed.start.toISOString();
}

/** Creates a call meeting (`call_meeting.created`) on one of the caller's websites; it belongs to that website's client. */
export async function createCallMeeting(
  db: Kysely<Database>,
  principal: Principal,
  input: CallMeetingInput,
): Promise<number> {
  const startAt = readStartAt(input.start_at);
  const at = nowInstant();
  return transact(db, async (trx) => {
    const website = await visibleWebsite(trx, principal, input.website_id);
    const skillId = cleanText(input.skill_id) ?? null;
    if (skillId !== null) {
      if (!isIdText(skillId)) throw fieldInvalid('skill_id', 'Expected a whole number identifier.');
      const skill = await trx
        .selectFrom('skill')
        .select('id')
        .where('id', '=', Number(skillId))
        .where('client_id', '=', website.client_id)
        .executeTakeFirst();
      if (!skill) throw fieldInvalid('skill_id', `Unknown 'skill' with 'id' ${skillId}.`);
    }
    const status = input.status ?? 'pending';
    const { id } = await trx
      .insertInto('call_meeting')
      .values({
        client_id: website.client_id,
        website_id: website.id,
        phone_number: input.phone_number.trim(),
        visitor_uid: cleanText(input.visitor_uid) ?? null,
        status,
        start_at: startAt,
        targeting_rule_id: cleanText(input.targeting_rule_id) ?? null,
        skill_id: skillId === null ? null : String(Number(skillId)),
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'call_meeting.created',
      clientId: website.client_id,
      subject: { type: 'call_meeting', id },
      payload: { callMeetingId: id, websiteId: website.id, status, startAt },
      at,
    });
    return id;
  });
}

/** Changes status, start_at or phone_number (`call_meeting.updated` naming the fields that changed; nothing changed, nothing written). */
export async function updateCallMeeting(
  db: Kysely<Database>,
  existing: CallMeetingRow,
  input: { status?: CallMeetingStatus; start_at?: string; phone_number?: string },
): Promise<void> {
  const changes: CallMeetingUpdate = {};
  if (input.status !== undefined && input.status !== existing.status) changes.status = input.status;
  if (input.start_at !== undefined) {
    const startAt = readStartAt(input.start_at);
    if (startAt !== existing.start_at) changes.start_at = startAt;
  }
  if (input.phone_number !== undefined && input.phone_number.trim() !== existing.phone_number)
    changes.phone_number = input.phone_number.trim();
  const changed = Object.keys(changes);
  if (changed.length === 0) return;
  const at = nowInstant();
  await transact(db, async (trx) => {
    await trx
      .updateTable('call_meeting')
      .set({ ...changes, updated_at: at })
      .where('id', '=', existing.id)
      .execute();
    await appendEvent(trx, {
      type: 'call_meeting.updated',
      clientId: existing.client_id,
      subject: { type: 'call_meeting', id: existing.id },
      payload: {
        callMeetingId: existing.id,
        websiteId: existing.website_id,
        status: changes.status ?? existing.status,
        startAt: changes.start_at ?? existing.start_at,
        changed,
      },
      at,
    });
  });
}
