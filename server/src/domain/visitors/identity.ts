// Finding or creating the visitor behind a conversation, sale or call: by unique id (`vuid`) within a client.
import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { appendEvent } from '../../events/append.js';

/** A new visitor unique id: 45 lowercase hex characters, the shape of seed 003's `visitor_uid` examples. */
export function newVisitorUid(): string {
  return randomBytes(23).toString('hex').slice(0, 45);
}

export interface VisitorIdentity {
  clientId: number;
  websiteId: number;
  /** Known unique id, or undefined to mint one. */
  uniqueId?: string | undefined;
  /** Fields to fill when the visitor is created (never overwrite an existing visitor's data). */
  initial?: {
    phone?: string | null;
    email?: string | null;
    browser?: string | null;
    external_id?: string | null;
    firstname?: string | null;
  };
  at: string;
}

/**
 * The visitor with this unique id in the client, created (with a `visitor.created` event) when absent,
 * and linked to the website. Must run inside the caller's transaction.
 */
export async function findOrCreateVisitor(
  trx: Transaction<Database>,
  identity: VisitorIdentity,
): Promise<{ id: number; uniqueId: string; created: boolean }> {
  const uniqueId = identity.uniqueId ?? newVisitorUid();
  const existing = await trx
    .selectFrom('visitor')
    .select(['id', 'unique_id', 'merged_into_id'])
    .where('client_id', '=', identity.clientId)
    .where('unique_id', '=', uniqueId)
    .executeTakeFirst();
  let id: number;
  let created = false;
  if (existing) {
    // A merged visitor's browser or phone number is the contact it was merged into (one hop: merges repoint).
    id = existing.merged_into_id ?? existing.id;
  } else {
    const inserted = await trx
      .insertInto('visitor')
      .values({
        client_id: identity.clientId,
        unique_id: uniqueId,
        external_id: identity.initial?.external_id ?? null,
        lastname: null,
        firstname: identity.initial?.firstname ?? null,
        address: null,
        city: null,
        zip: null,
        country: null,
        phone: identity.initial?.phone ?? null,
        email: identity.initial?.email ?? null,
        browser: identity.initial?.browser ?? null,
        created_at: identity.at,
        updated_at: identity.at,
        deleted_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    id = inserted.id;
    created = true;
    await appendEvent(trx, {
      type: 'visitor.created',
      clientId: identity.clientId,
      subject: { type: 'visitor', id },
      payload: { visitorId: id, unique_id: uniqueId, websiteIds: [identity.websiteId] },
      at: identity.at,
    });
  }
  const linked = await trx
    .selectFrom('visitor_website')
    .select('visitor_id')
    .where('visitor_id', '=', id)
    .where('website_id', '=', identity.websiteId)
    .executeTakeFirst();
  if (!linked)
    await trx.insertInto('visitor_website').values({ visitor_id: id, website_id: identity.websiteId }).execute();
  return { id, uniqueId, created };
}
