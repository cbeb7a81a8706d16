// State changes of the tenancy resources; each commits its rows and its events in one transaction.
import type { Kysely } from 'kysely';
import type { ApiKeyScope, Database, RoutingStrategy } from '../../db/schema.js';
import { fieldInvalid, unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { generateKeyMaterial, randomToken } from './keys.js';
import { readCurrency, readTimeZone } from './locale.js';
import { canSeeClient, type Principal, targetClient } from './policy.js';

export async function createPartner(db: Kysely<Database>, input: { name: string }): Promise<number> {
  const at = nowInstant();
  return transact(db, async (trx) => {
    const { id } = await trx
      .insertInto('partner')
      .values({ name: input.name.trim(), created_at: at, updated_at: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'partner.created',
      partnerId: id,
      clientId: null,
      subject: { type: 'partner', id },
      payload: { name: input.name },
      at,
    });
    return id;
  });
}

/** Creates a client (a tenant). A partner key's clients belong to that partner. */
export async function createClient(
  db: Kysely<Database>,
  principal: Principal,
  input: { name: string; lang?: string; timezone?: string; partner_id?: number },
): Promise<number> {
  const timezone = readTimeZone(input.timezone ?? 'UTC');
  let partnerId: number | null = null;
  if (principal.scope === 'partner') {
    if (input.partner_id !== undefined && input.partner_id !== principal.partnerId)
      throw unknownResource('partner', input.partner_id);
    partnerId = principal.partnerId;
  } else if (input.partner_id !== undefined) {
    const partner = await db.selectFrom('partner').select('id').where('id', '=', input.partner_id).executeTakeFirst();
    if (!partner) throw fieldInvalid('partner_id', `Unknown 'partner' with 'id' ${input.partner_id}.`);
    partnerId = input.partner_id;
  }
  const at = nowInstant();
  const lang = (input.lang ?? 'en').toLowerCase();
  return transact(db, async (trx) => {
    const { id } = await trx
      .insertInto('client')
      .values({ partner_id: partnerId, name: input.name.trim(), lang, timezone, created_at: at, updated_at: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'client.created',
      partnerId,
      clientId: id,
      subject: { type: 'client', id },
      payload: { name: input.name, lang },
      at,
    });
    return id;
  });
}

export async function updateClient(
  db: Kysely<Database>,
  principal: Principal,
  id: number,
  input: { name?: string; lang?: string; timezone?: string },
): Promise<void> {
  if (!(await canSeeClient(db, principal, id))) throw unknownResource('client', id);
  const changes = {
    ...(input.name !== undefined && { name: input.name.trim() }),
    ...(input.lang !== undefined && { lang: input.lang.toLowerCase() }),
    ...(input.timezone !== undefined && { timezone: readTimeZone(input.timezone) }),
  };
  const at = nowInstant();
  await transact(db, async (trx) => {
    await trx
      .updateTable('client')
      .set({ ...changes, updated_at: at })
      .where('id', '=', id)
      .execute();
    await appendEvent(trx, {
      type: 'client.updated',
      clientId: id,
      subject: { type: 'client', id },
      payload: { changed: Object.keys(changes) },
      at,
    });
  });
}

export interface CreatedKey {
  id: number;
  plaintext: string;
}

/** Mints an API key. The plaintext is returned once; only an argon2id hash of its secret is stored. */
export async function createApiKey(
  db: Kysely<Database>,
  owner: { scope: ApiKeyScope; partnerId?: number | null; clientId?: number | null },
  name: string,
): Promise<CreatedKey> {
  const material = await generateKeyMaterial();
  const at = nowInstant();
  return transact(db, async (trx) => {
    const { id } = await trx
      .insertInto('api_key')
      .values({
        public_id: material.publicId,
        secret_hash: material.secretHash,
        scope: owner.scope,
        partner_id: owner.partnerId ?? null,
        client_id: owner.clientId ?? null,
        name,
        created_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'api_key.created',
      partnerId: owner.partnerId ?? null,
      clientId: owner.clientId ?? null,
      subject: { type: 'api_key', id },
      payload: { scope: owner.scope, name },
      at,
    });
    return { id, plaintext: material.plaintext };
  });
}

/** Creates a client-scoped key for a client the principal can see. */
export async function createClientKey(
  db: Kysely<Database>,
  principal: Principal,
  clientId: number,
  name: string | undefined,
): Promise<CreatedKey> {
  const client = await db
    .selectFrom('client')
    .select(['id', 'partner_id'])
    .where('id', '=', clientId)
    .executeTakeFirst();
  if (!client || !(await canSeeClient(db, principal, clientId))) throw unknownResource('client', clientId);
  return createApiKey(db, { scope: 'client', clientId, partnerId: null }, name?.trim() || 'API key');
}

export async function createPartnerKey(
  db: Kysely<Database>,
  partnerId: number,
  name: string | undefined,
): Promise<CreatedKey> {
  const partner = await db.selectFrom('partner').select('id').where('id', '=', partnerId).executeTakeFirst();
  if (!partner) throw unknownResource('partner', partnerId);
  return createApiKey(db, { scope: 'partner', partnerId }, name?.trim() || 'Partner API key');
}

/** Revokes a key; revoking twice is harmless. */
export async function revokeApiKey(
  db: Kysely<Database>,
  keyId: number,
  owner: { partnerId: number | null; clientId: number | null },
): Promise<void> {
  const at = nowInstant();
  await transact(db, async (trx) => {
    const updated = await trx
      .updateTable('api_key')
      .set({ revoked_at: at })
      .where('id', '=', keyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) {
      await appendEvent(trx, {
        type: 'api_key.revoked',
        partnerId: owner.partnerId,
        clientId: owner.clientId,
        subject: { type: 'api_key', id: keyId },
        at,
      });
    }
  });
}

/** Checks a website URL and returns it normalised; the label defaults to its host name. */
function readWebsiteUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim()) ? raw.trim() : `https://${raw.trim()}`);
  } catch {
    throw fieldInvalid('url', "Expected a web address, such as 'https://shop.example'.");
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw fieldInvalid('url', "Expected an http:// or https:// address, such as 'https://shop.example'.");
  }
  return url;
}

export async function createWebsite(
  db: Kysely<Database>,
  principal: Principal,
  input: { url: string; label?: string; routing_strategy?: RoutingStrategy; currency?: string; client_id?: number },
): Promise<number> {
  const url = readWebsiteUrl(input.url);
  const currency = readCurrency(input.currency ?? 'EUR');
  const clientId = await targetClient(db, principal, input.client_id);
  const label = input.label?.trim() || url.hostname;
  const at = nowInstant();
  return transact(db, async (trx) => {
    const { id } = await trx
      .insertInto('website')
      .values({
        client_id: clientId,
        url: url.href.replace(/\/$/, ''),
        label,
        created_at: at,
        updated_at: at,
        routing_strategy: input.routing_strategy ?? 'least_loaded',
        identity_secret: randomToken(32),
        currency,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'website.created',
      clientId,
      subject: { type: 'website', id },
      payload: { url: url.href, label },
      at,
    });
    return id;
  });
}

export async function updateWebsite(
  db: Kysely<Database>,
  clientId: number,
  id: number,
  input: { url?: string; label?: string; routing_strategy?: RoutingStrategy; currency?: string },
): Promise<void> {
  const changes = {
    ...(input.url !== undefined && { url: readWebsiteUrl(input.url).href.replace(/\/$/, '') }),
    ...(input.label !== undefined && { label: input.label.trim() }),
    ...(input.routing_strategy !== undefined && { routing_strategy: input.routing_strategy }),
    ...(input.currency !== undefined && { currency: readCurrency(input.currency) }),
  };
  const at = nowInstant();
  await transact(db, async (trx) => {
    await trx
      .updateTable('website')
      .set({ ...changes, updated_at: at })
      .where('id', '=', id)
      .execute();
    await appendEvent(trx, {
      type: 'website.updated',
      clientId,
      subject: { type: 'website', id },
      payload: { changed: Object.keys(changes) },
      at,
    });
  });
}
