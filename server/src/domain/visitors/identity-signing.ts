// Signed visitor identities: the site's server signs a visitor's external id with the website's identity secret,
//   hash = hex(HMAC-SHA256(key = website.identity_secret, message = external_id))
// and the widget's hello presents it (realtime/identity.ts checks it). Chat tokens' pages sign the same way.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { randomToken } from '../tenancy/keys.js';

/** The signature the site's server computes: hex HMAC-SHA256 of the external id with the website's secret. */
export function signIdentity(secret: string, externalId: string): string {
  return createHmac('sha256', secret).update(externalId, 'utf8').digest('hex');
}

/** Constant-time check of a presented signature (hex, any case). */
export function identitySignatureValid(secret: string, externalId: string, presented: string): boolean {
  const expected = Buffer.from(signIdentity(secret, externalId), 'hex');
  if (!/^[0-9a-fA-F]{64}$/.test(presented)) return false;
  return timingSafeEqual(expected, Buffer.from(presented, 'hex'));
}

/** The website's identity secret, created on first use (a concurrent first use keeps whichever was written first). */
export async function websiteIdentitySecret(db: Kysely<Database>, websiteId: number): Promise<string | null> {
  await db
    .updateTable('website')
    .set({ identity_secret: randomToken(32) })
    .where('id', '=', websiteId)
    .where('identity_secret', 'is', null)
    .execute();
  const row = await db.selectFrom('website').select('identity_secret').where('id', '=', websiteId).executeTakeFirst();
  return row?.identity_secret ?? null;
}
