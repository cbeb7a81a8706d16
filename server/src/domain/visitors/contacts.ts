// Contacts (issue 22): phone numbers checked and normalised, custom attributes, and merging two visitors into one.
import type { Kysely, Updateable } from 'kysely';
import { type Database, VISITOR_PROFILE_FIELDS, type VisitorTable } from '../../db/schema.js';
import { fieldInvalid } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { type Tx, transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { CUSTOM_ATTRIBUTE_KEY, CUSTOM_ATTRIBUTE_LIMITS } from './schema.js';
import type { VisitorRecord } from './store.js';

/**
 * A phone number without its separators. With a leading `+` it must be E.164 (a country code that does not start
 * with 0, 8 to 15 digits in all); without, seed 003's national digits (such as `0614037735`) are kept as given.
 */
export function normalisePhone(value: string): string {
  const compact = value.replace(/[\s().-]/g, '');
  if (/^\+[1-9][0-9]{7,14}$/.test(compact) || /^[0-9]{4,15}$/.test(compact)) return compact;
  throw fieldInvalid(
    'phone',
    "Expected a phone number in international format, '+' then the country code and the number, such as '+33612345678'.",
  );
}

export type CustomAttributes = Record<string, string>;

/** The stored JSON of a visitor's custom attributes (anything unreadable counts as none). */
export function readStoredAttributes(json: string | null | undefined): CustomAttributes {
  try {
    const parsed: unknown = JSON.parse(json ?? '{}');
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  } catch {
    return {};
  }
}

const KEY = new RegExp(CUSTOM_ATTRIBUTE_KEY);

/**
 * Applies the attributes given to the current ones: a text sets the key (trimmed; empty removes it), null removes
 * it, keys not given stay. Checks keys, lengths and the number of keys, naming the field.
 */
export function applyAttributes(
  current: CustomAttributes,
  given: Record<string, string | null> | undefined,
): CustomAttributes {
  if (given === undefined) return current;
  const next: CustomAttributes = { ...current };
  for (const [key, value] of Object.entries(given)) {
    const field = `custom_attributes.${key}`;
    if (!KEY.test(key))
      throw fieldInvalid(field, 'A key is a letter, then letters, digits, _, - or . (64 characters at most).');
    if (value !== null && typeof value !== 'string') throw fieldInvalid(field, 'Expected text, or null to remove it.');
    const text = value?.trim() ?? '';
    if (text.length > CUSTOM_ATTRIBUTE_LIMITS.valueLength)
      throw fieldInvalid(field, `Expected at most ${CUSTOM_ATTRIBUTE_LIMITS.valueLength} characters.`);
    if (text === '') delete next[key];
    else next[key] = text;
  }
  if (Object.keys(next).length > CUSTOM_ATTRIBUTE_LIMITS.keys)
    throw fieldInvalid('custom_attributes', `A contact has at most ${CUSTOM_ATTRIBUTE_LIMITS.keys} custom attributes.`);
  return next;
}

const sameAttributes = (a: CustomAttributes, b: CustomAttributes) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

export { sameAttributes };

/**
 * Merges `source` into `target` (`POST /visitor/{id}/merge`), in one transaction: the target's fields win and the
 * source's fill its blanks (custom attributes key by key), the websites add up, and the source's conversations,
 * messaging contacts, sales and the visitors merged into it before move to the target. The source keeps its row and
 * unique id with `merged_into_id`, so its browser or phone number finds the target from now on, and it leaves the
 * API (404). Events: `visitor.updated` of the target (changed: the fields filled, `identities`, `conversations` when
 * some moved, `website_id` when it grew) and `visitor.deleted` of the source (it is gone from the API).
 */
export async function mergeVisitors(db: Kysely<Database>, target: VisitorRecord, source: VisitorRecord): Promise<void> {
  if (source.id === target.id) throw fieldInvalid('from_id', 'A visitor cannot be merged into itself.');
  if (source.client_id !== target.client_id)
    throw fieldInvalid('from_id', 'Both visitors must belong to the same client.');
  const at = nowInstant();
  const filled: Partial<Record<(typeof VISITOR_PROFILE_FIELDS)[number] | 'browser', string>> = {};
  for (const field of [...VISITOR_PROFILE_FIELDS, 'browser'] as const) {
    const mine = target[field];
    const theirs = source[field];
    if ((mine === null || mine === '') && theirs !== null && theirs !== '') filled[field] = theirs;
  }
  const targetAttributes = readStoredAttributes(target.custom_attributes);
  const attributes = { ...readStoredAttributes(source.custom_attributes), ...targetAttributes };
  const attributesChanged = !sameAttributes(attributes, targetAttributes);
  const websites = [...new Set([...target.website_id, ...source.website_id])].sort((a, b) => a - b);
  const addedWebsites = websites.filter((id) => !target.website_id.includes(id));
  await transact(db, async (trx) => {
    const changes: Updateable<VisitorTable> = { ...filled, updated_at: at };
    if (attributesChanged) changes.custom_attributes = JSON.stringify(attributes);
    await trx.updateTable('visitor').set(changes).where('id', '=', target.id).execute();
    if (addedWebsites.length > 0)
      await trx
        .insertInto('visitor_website')
        .values(addedWebsites.map((website_id) => ({ visitor_id: target.id, website_id })))
        .execute();
    await trx.deleteFrom('visitor_website').where('visitor_id', '=', source.id).execute();
    await trx.updateTable('conversation').set({ visitor_id: target.id }).where('visitor_id', '=', source.id).execute();
    await trx
      .updateTable('channel_contact')
      .set({ visitor_id: target.id })
      .where('visitor_id', '=', source.id)
      .execute();
    // Sales follow: those of the source, and those reported with its unique id that found no visitor then.
    await trx
      .updateTable('sale')
      .set({ visitor_id: target.id })
      .where('client_id', '=', source.client_id)
      .where((eb) =>
        eb.or([
          eb('visitor_id', '=', source.id),
          eb.and([eb('visitor_id', 'is', null), eb('visitor_uid', '=', source.unique_id)]),
        ]),
      )
      .execute();
    const externalIdMoved = await moveExternalId(trx, target, source);
    // One hop only: what was merged into the source now points at the target directly.
    await trx
      .updateTable('visitor')
      .set({ merged_into_id: target.id, updated_at: at })
      .where((eb) => eb.or([eb('id', '=', source.id), eb('merged_into_id', '=', source.id)]))
      .execute();
    const changed = [
      ...Object.keys(filled),
      ...(externalIdMoved ? ['external_id'] : []),
      ...(attributesChanged ? ['custom_attributes'] : []),
      ...(addedWebsites.length > 0 ? ['website_id'] : []),
      'identities',
      ...(source.conversation_id.length > 0 ? ['conversations'] : []),
    ];
    await appendEvent(trx, {
      type: 'visitor.updated',
      clientId: target.client_id,
      subject: { type: 'visitor', id: target.id },
      payload: { visitorId: target.id, unique_id: target.unique_id, changed, websiteIds: websites },
      at,
    });
    await appendEvent(trx, {
      type: 'visitor.deleted',
      clientId: source.client_id,
      subject: { type: 'visitor', id: source.id },
      payload: { visitorId: source.id, unique_id: source.unique_id },
      at,
    });
  });
}

/**
 * The source's external id (the site's own account id, or the `contact:+33…` a chat token gave it) goes to a target
 * that has none, so the signed identity of a widget or chat link finds the target; when the target has its own, the
 * chat tokens naming the source's now name the target's, so opening one continues the target's history. True when
 * the target took the source's external id.
 */
async function moveExternalId(trx: Tx, target: VisitorRecord, source: VisitorRecord): Promise<boolean> {
  const from = source.external_id;
  if (from === null || from === target.external_id) return false;
  if (target.external_id === null) {
    await trx.updateTable('visitor').set({ external_id: null }).where('id', '=', source.id).execute();
    await trx.updateTable('visitor').set({ external_id: from }).where('id', '=', target.id).execute();
    return true;
  }
  const to = target.external_id;
  // The recipient is JSON text: LIKE narrows the rows (its `_` and `%` may match more), the parse decides.
  const candidates = await trx
    .selectFrom('chat_token')
    .select(['id', 'recipient'])
    .where('client_id', '=', source.client_id)
    .where('recipient', 'like', `%${from}%`)
    .execute();
  for (const token of candidates) {
    const recipient = JSON.parse(token.recipient) as Record<string, unknown>;
    if (recipient.external_id !== from) continue;
    await trx
      .updateTable('chat_token')
      .set({ recipient: JSON.stringify({ ...recipient, external_id: to }) })
      .where('id', '=', token.id)
      .execute();
  }
  return false;
}
