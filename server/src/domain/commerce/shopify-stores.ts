// A client's Shopify stores: rows, the sealing of their access token and webhook secret (never answered), and the
// commands that create, change and delete them (each with its event, in one transaction).
import type { Kysely } from 'kysely';
import { openText, sealText } from '../../channels/secrets.js';
import { isUniqueViolation } from '../../db/dialect.js';
import { preparedQuery } from '../../db/prepared.js';
import type { Database, ShopifyStoreRow } from '../../db/schema.js';
import { conflict, unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { formatDateTime, nowInstant } from '../../time.js';

/** What a sealed secret of a store is bound to: a value copied onto another row or field does not open. */
const binding = (storeId: number, part: 'access_token' | 'webhook_secret') => `shopify_store:${storeId}:${part}`;

export interface ShopifyStoreSecrets {
  accessToken: string;
  webhookSecret: string;
}

/** Opens a store's sealed token and webhook secret. */
export function openStoreSecrets(key: Buffer, row: ShopifyStoreRow): ShopifyStoreSecrets {
  return {
    accessToken: openText(key, binding(row.id, 'access_token'), row.access_token),
    webhookSecret: openText(key, binding(row.id, 'webhook_secret'), row.webhook_secret),
  };
}

/** The client's store with this id_store (another client's is not found). */
export function findStore(
  db: Kysely<Database>,
  clientId: number,
  idStore: string,
): Promise<ShopifyStoreRow | undefined> {
  return storeRow.first(db, { clientId, idStore });
}

/** Prepared: every order webhook and every Shopify step reads its store. */
const storeRow = preparedQuery((db, p: { clientId: number; idStore: string }) =>
  db.selectFrom('shopify_store').selectAll().where('client_id', '=', p.clientId).where('id_store', '=', p.idStore),
);

export function listStores(db: Kysely<Database>, clientId: number): Promise<ShopifyStoreRow[]> {
  return db.selectFrom('shopify_store').selectAll().where('client_id', '=', clientId).orderBy('id').execute();
}

/** A store as the API answers it: whether each secret is set, never the secrets. */
export function presentStore(row: ShopifyStoreRow, publicUrl: string) {
  return {
    id: row.id,
    id_store: row.id_store,
    store_name: row.store_name,
    access_token_set: row.access_token !== '',
    webhook_secret_set: row.webhook_secret !== '',
    webhook_url: `${publicUrl}/api/commerce/webhook/shopify/?api_key={your_api_key}&action=creation&id_store=${encodeURIComponent(row.id_store)}`,
    client_id: row.client_id,
    created_at: formatDateTime(row.created_at),
    updated_at: formatDateTime(row.updated_at),
  };
}

export interface StoreInput {
  id_store?: string | undefined;
  store_name: string;
  access_token: string;
  webhook_secret: string;
}

function duplicate(idStore: string) {
  return conflict(
    `Value of field 'id_store' is not valid. A store with the id_store '${idStore}' already exists; change that one or pick another id_store.`,
    'id_store',
  );
}

/** Creates a store (id_store defaults to the store name) with its secrets sealed to its row. */
export async function createStore(
  db: Kysely<Database>,
  key: Buffer,
  clientId: number,
  input: StoreInput,
): Promise<ShopifyStoreRow> {
  const idStore = input.id_store ?? input.store_name;
  const at = nowInstant();
  try {
    return await transact(db, async (trx) => {
      const { id } = await trx
        .insertInto('shopify_store')
        .values({
          client_id: clientId,
          id_store: idStore,
          store_name: input.store_name,
          access_token: '',
          webhook_secret: '',
          created_at: at,
          updated_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      // Sealed once the row has its id: the id is part of what the secrets are bound to.
      const row = await trx
        .updateTable('shopify_store')
        .set({
          access_token: sealText(key, binding(id, 'access_token'), input.access_token),
          webhook_secret: sealText(key, binding(id, 'webhook_secret'), input.webhook_secret),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendEvent(trx, {
        type: 'shopify_store.created',
        clientId,
        subject: { type: 'shopify_store', id },
        payload: { storeId: id, idStore },
        at,
      });
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate(idStore);
    throw error;
  }
}

/** Changes a store's name or secrets (fields left out are kept). */
export async function updateStore(
  db: Kysely<Database>,
  key: Buffer,
  clientId: number,
  idStore: string,
  input: Partial<Omit<StoreInput, 'id_store'>>,
): Promise<ShopifyStoreRow> {
  const at = nowInstant();
  return transact(db, async (trx) => {
    const existing = await trx
      .selectFrom('shopify_store')
      .select('id')
      .where('client_id', '=', clientId)
      .where('id_store', '=', idStore)
      .executeTakeFirst();
    if (existing === undefined) throw unknownResource('shopify_store', idStore, 'id_store');
    const changed = Object.keys(input).filter((name) => input[name as keyof typeof input] !== undefined) as Array<
      keyof typeof input
    >;
    const row = await trx
      .updateTable('shopify_store')
      .set({
        updated_at: at,
        ...(input.store_name !== undefined && { store_name: input.store_name }),
        ...(input.access_token !== undefined && {
          access_token: sealText(key, binding(existing.id, 'access_token'), input.access_token),
        }),
        ...(input.webhook_secret !== undefined && {
          webhook_secret: sealText(key, binding(existing.id, 'webhook_secret'), input.webhook_secret),
        }),
      })
      .where('id', '=', existing.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'shopify_store.updated',
      clientId,
      subject: { type: 'shopify_store', id: existing.id },
      payload: { storeId: existing.id, idStore, changed },
      at,
    });
    return row;
  });
}

/** Deletes a store; its orders stay (they name the store by its id_store). */
export async function deleteStore(db: Kysely<Database>, clientId: number, idStore: string): Promise<void> {
  const at = nowInstant();
  await transact(db, async (trx) => {
    const existing = await trx
      .deleteFrom('shopify_store')
      .where('client_id', '=', clientId)
      .where('id_store', '=', idStore)
      .returning('id')
      .executeTakeFirst();
    if (existing === undefined) throw unknownResource('shopify_store', idStore, 'id_store');
    await appendEvent(trx, {
      type: 'shopify_store.deleted',
      clientId,
      subject: { type: 'shopify_store', id: existing.id },
      payload: { storeId: existing.id, idStore },
      at,
    });
  });
}
