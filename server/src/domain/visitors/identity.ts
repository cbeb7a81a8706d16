// Finding or creating the visitor behind a conversation, sale or call: by unique id (`vuid`) within a client.
import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import { preparedQuery } from '../../db/prepared.js';
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
  const existing = await visitorByUid.first(trx, { clientId: identity.clientId, uniqueId });
  let id: number;
  let created = false;
  if (existing) {
    // A merged visitor's browser or phone number is the contact it was merged into (one hop: merges repoint).
    id = existing.merged_into_id ?? existing.id;
  } else {
    const inserted = await insertVisitor.first(trx, {
      clientId: identity.clientId,
      uniqueId,
      externalId: identity.initial?.external_id ?? null,
      firstname: identity.initial?.firstname ?? null,
      phone: identity.initial?.phone ?? null,
      email: identity.initial?.email ?? null,
      browser: identity.initial?.browser ?? null,
      at: identity.at,
    });
    if (inserted === undefined) throw new Error(`Visitor ${uniqueId} was not stored.`);
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
  await linkVisitor(trx, { visitorId: id, websiteId: identity.websiteId });
  return { id, uniqueId, created };
}

// Prepared (db/prepared.ts): every new conversation of every channel finds or creates its visitor.
const visitorByUid = preparedQuery((db, p: { clientId: number; uniqueId: string }) =>
  db
    .selectFrom('visitor')
    .select(['id', 'unique_id', 'merged_into_id'])
    .where('client_id', '=', p.clientId)
    .where('unique_id', '=', p.uniqueId),
);

const insertVisitor = preparedQuery(
  (
    db,
    p: {
      clientId: number;
      uniqueId: string;
      externalId: string | null;
      firstname: string | null;
      phone: string | null;
      email: string | null;
      browser: string | null;
      at: string;
    },
  ) =>
    db
      .insertInto('visitor')
      .values({
        client_id: p.clientId,
        unique_id: p.uniqueId,
        external_id: p.externalId,
        lastname: null,
        firstname: p.firstname,
        address: null,
        city: null,
        zip: null,
        country: null,
        phone: p.phone,
        email: p.email,
        browser: p.browser,
        created_at: p.at,
        updated_at: p.at,
        deleted_at: null,
      })
      .returning('id'),
);

// One statement whether or not the link exists; on PostgreSQL two transactions linking the same visitor at once no
// longer race from a read that found nothing to an insert that fails on the primary key.
const linkVisitor = preparedQuery((db, p: { visitorId: number; websiteId: number }) =>
  db
    .insertInto('visitor_website')
    .values({ visitor_id: p.visitorId, website_id: p.websiteId })
    .onConflict((conflict) => conflict.columns(['visitor_id', 'website_id']).doNothing()),
);
