// An owner's messaging callback (issue 19 `/system/callback`): register (one per owner, a new URL replaces the old),
// read, remove, its delivery log and replays. Deliveries themselves are the webhook worker's (webhooks/callbacks.ts).
import type { Kysely } from 'kysely';
import type { Database, MessagingCallbackRow, WebhookDeliveryRow } from '../../db/schema.js';
import { fieldInvalid, unknownResource } from '../../errors.js';
import { type Tx, transact } from '../../events/transact.js';
import { type OutboundGuard, registeredUrlRefusal } from '../../http/outbound.js';
import { nowInstant } from '../../time.js';
import { queueCallbackTest, sealCallbackSecret } from '../../webhooks/callbacks.js';
import { replayDelivery } from '../../webhooks/dispatch.js';
import { newSecret } from '../../webhooks/signing.js';
import { newestFirst } from './listing.js';

export interface CallbackOwner {
  kind: 'partner' | 'client';
  id: number;
}

/** After a new registration, the previous secret still signs for this long (receivers switch without losing events). */
export const PREVIOUS_SECRET_OVERLAP_MS = 24 * 3_600_000;

/** The URL as stored: absolute, https (http only for allow-listed hosts), no credentials, not a private address. */
function readCallbackUrl(raw: string, outbound: OutboundGuard): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw fieldInvalid('url', "Expected an absolute https:// URL, such as 'https://partner.example.com/causerie'.");
  }
  const refusal = registeredUrlRefusal(url, outbound.allowlist);
  if (refusal !== undefined) throw fieldInvalid('url', refusal);
  return url.toString();
}

/** The owner's callback, if it registered one. */
export async function findCallback(
  db: Kysely<Database> | Tx,
  owner: CallbackOwner,
): Promise<MessagingCallbackRow | undefined> {
  return db
    .selectFrom('messaging_callback')
    .selectAll()
    .where('owner_kind', '=', owner.kind)
    .where('owner_id', '=', owner.id)
    .executeTakeFirst();
}

/**
 * Registers the owner's callback URL with a new signing secret (returned once) and queues the `TEST` event to it, in
 * one transaction. A second registration replaces the URL of the same callback (deliveries still due go to the new
 * URL) and its secret; the previous secret keeps signing alongside for a day.
 */
export async function registerCallback(
  db: Kysely<Database>,
  outbound: OutboundGuard,
  secretsKey: Buffer,
  owner: CallbackOwner,
  rawUrl: string,
): Promise<{ callback: MessagingCallbackRow; secret: string }> {
  const url = readCallbackUrl(rawUrl, outbound);
  const secret = newSecret();
  const at = nowInstant();
  const callback = await transact(db, async (trx) => {
    const existing = await findCallback(trx, owner);
    let id: number;
    if (existing === undefined) {
      ({ id } = await trx
        .insertInto('messaging_callback')
        .values({ owner_kind: owner.kind, owner_id: owner.id, url, secret: '', created_at: at, updated_at: at })
        .returning('id')
        .executeTakeFirstOrThrow());
      await trx
        .updateTable('messaging_callback')
        .set({ secret: sealCallbackSecret(secretsKey, id, secret) })
        .where('id', '=', id)
        .execute();
    } else {
      id = existing.id;
      await trx
        .updateTable('messaging_callback')
        .set({
          url,
          secret: sealCallbackSecret(secretsKey, id, secret),
          previous_secret: existing.secret,
          previous_secret_expires_at: new Date(Date.parse(at) + PREVIOUS_SECRET_OVERLAP_MS).toISOString(),
          updated_at: at,
        })
        .where('id', '=', id)
        .execute();
    }
    const row = await trx.selectFrom('messaging_callback').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    await queueCallbackTest(trx, row, at);
    return row;
  });
  return { callback, secret };
}

/** Removes the owner's callback; deliveries still due to it are logged as failed. 404 when there is none. */
export async function removeCallback(db: Kysely<Database>, owner: CallbackOwner): Promise<MessagingCallbackRow> {
  return transact(db, async (trx) => {
    const existing = await findCallback(trx, owner);
    if (existing === undefined) throw unknownResource('system/callback', 'current');
    const at = nowInstant();
    await trx
      .updateTable('webhook_delivery')
      .set({ status: 'failed', error: 'The callback was removed.', completed_at: at })
      .where('callback_id', '=', existing.id)
      .where('status', '=', 'pending')
      .execute();
    await trx.deleteFrom('messaging_callback').where('id', '=', existing.id).execute();
    return existing;
  });
}

/** The callback's delivery attempts, newest first. */
export async function listCallbackDeliveries(
  db: Kysely<Database>,
  callbackId: number,
  filter: { page: number; limit: number; status?: string },
): Promise<{ items: WebhookDeliveryRow[]; count: number }> {
  let query = db.selectFrom('webhook_delivery').where('callback_id', '=', callbackId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  return newestFirst(query, filter);
}

/** Sends one logged delivery again (same webhook-id, so the receiver can tell it already had it). */
export async function replayCallbackDelivery(
  db: Kysely<Database>,
  callbackId: number,
  deliveryId: number,
): Promise<number> {
  const delivery = await db
    .selectFrom('webhook_delivery')
    .selectAll()
    .where('id', '=', deliveryId)
    .where('callback_id', '=', callbackId)
    .executeTakeFirst();
  if (delivery === undefined) throw unknownResource('delivery', deliveryId);
  return replayDelivery(db, delivery, nowInstant());
}
