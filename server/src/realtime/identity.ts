// Who a visitor socket speaks for: the website, the visitor behind a `vuid`, and identities signed by the site's server.
//
// The site's server signs the visitor's external id with the website's identity secret:
//   hash = hex(HMAC-SHA256(key = website.identity_secret, message = external_id))
// A valid signature makes `external_id` (and the email sent with it) trustworthy: the visitor with that external id
// is found in the client (on any browser), or the browser's visitor takes it, or a new visitor is made for it.
import type { Kysely, Transaction } from 'kysely';
import { isUniqueViolation } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import { findOrCreateVisitor, newVisitorUid } from '../domain/visitors/identity.js';
import { identitySignatureValid, signIdentity, websiteIdentitySecret } from '../domain/visitors/identity-signing.js';

export { identitySignatureValid, signIdentity, websiteIdentitySecret };

import { ApiError } from '../errors.js';
import { appendEvent } from '../events/append.js';
import { transact } from '../events/transact.js';
import { nowInstant } from '../time.js';

type Tx = Transaction<Database>;

/** The website a visitor socket is on. */
export interface SiteRef {
  id: number;
  clientId: number;
  url: string;
}

/** The visitor a socket speaks for. */
export interface VisitorRef {
  id: number;
  vuid: string;
  /** The external id proved by a valid signature in this hello, else null. */
  verifiedExternalId: string | null;
}

export interface IdentityClaim {
  external_id: string;
  email?: string;
  hash: string;
}

/** The website a visitor names, or undefined. */
export async function findSite(db: Kysely<Database>, websiteId: number): Promise<SiteRef | undefined> {
  const row = await db
    .selectFrom('website')
    .select(['id', 'client_id', 'url'])
    .where('id', '=', websiteId)
    .executeTakeFirst();
  return row === undefined ? undefined : { id: row.id, clientId: row.client_id, url: row.url };
}

/** The refusal of an identity whose signature does not match. */
export function identityRefused(): ApiError {
  return new ApiError(
    'identity_refused',
    400,
    "Value of field 'identity.hash' is not valid. It must be the hex HMAC-SHA256 of identity.external_id keyed with the website's identity secret, computed by the site's server.",
    'fail',
    { field: 'identity.hash' },
  );
}

/**
 * Checks a claimed identity against the website's secret; throws identityRefused when it does not match
 * (a website without a secret yet gets one now, which the claim cannot match).
 */
export async function verifyIdentity(db: Kysely<Database>, site: SiteRef, claim: IdentityClaim): Promise<void> {
  const secret = await websiteIdentitySecret(db, site.id);
  if (secret === null || !identitySignatureValid(secret, claim.external_id, claim.hash)) throw identityRefused();
}

const VISITOR_FIELDS = ['id', 'unique_id', 'external_id', 'email', 'deleted_at', 'merged_into_id'] as const;

/**
 * The client's visitor with this unique id or external id; for a visitor merged into another, the one it was merged
 * into (one hop: merges repoint), as a merged browser's conversations and sales find it: a signed sign-in or a browser
 * of a merged contact speaks for the contact that survived, never for the row that left the API.
 */
async function liveVisitor(trx: Tx, clientId: number, column: 'unique_id' | 'external_id', value: string) {
  const found = await trx
    .selectFrom('visitor')
    .select(VISITOR_FIELDS)
    .where('client_id', '=', clientId)
    .where(column, '=', value)
    .orderBy('id')
    .executeTakeFirst();
  if (found?.merged_into_id == null) return found;
  return trx.selectFrom('visitor').select(VISITOR_FIELDS).where('id', '=', found.merged_into_id).executeTakeFirst();
}

async function linkWebsite(trx: Tx, visitorId: number, websiteId: number): Promise<void> {
  const linked = await trx
    .selectFrom('visitor_website')
    .select('visitor_id')
    .where('visitor_id', '=', visitorId)
    .where('website_id', '=', websiteId)
    .executeTakeFirst();
  if (!linked)
    await trx.insertInto('visitor_website').values({ visitor_id: visitorId, website_id: websiteId }).execute();
}

/**
 * The visitor behind a hello, in one transaction. Without a verified identity: the visitor of `vuid` (created when
 * unknown; a new `vuid` is minted when none is given or its visitor was erased). With one: the client's visitor that
 * has this external id, else the browser's visitor when it has none yet (it takes the external id and email, with
 * `visitor.updated`), else a new visitor.
 */
export async function resolveVisitor(
  db: Kysely<Database>,
  site: SiteRef,
  vuid: string | undefined,
  verified: { externalId: string; email: string | undefined } | null,
): Promise<VisitorRef> {
  const at = nowInstant();
  return transact(db, async (trx) => {
    if (verified !== null) {
      const known = await liveVisitor(trx, site.clientId, 'external_id', verified.externalId);
      if (known !== undefined && known.deleted_at === null) {
        await linkWebsite(trx, known.id, site.id);
        return { id: known.id, vuid: known.unique_id, verifiedExternalId: verified.externalId };
      }
    }
    const browser = vuid === undefined ? undefined : await liveVisitor(trx, site.clientId, 'unique_id', vuid);
    const reuse =
      browser !== undefined &&
      browser.deleted_at === null &&
      (verified === null || browser.external_id === null || browser.external_id === verified.externalId);
    // An erased visitor's id, or a browser that belongs to someone else now: a fresh id.
    const uniqueId = browser === undefined ? vuid : reuse ? browser.unique_id : undefined;
    const initial = verified === null ? undefined : { external_id: verified.externalId, email: verified.email ?? null };
    const visitor = await findOrCreateVisitor(trx, {
      clientId: site.clientId,
      websiteId: site.id,
      uniqueId,
      initial,
      at,
    });
    if (verified !== null && !visitor.created && browser !== undefined && browser.external_id === null) {
      const changed = [
        'external_id',
        ...(verified.email !== undefined && verified.email !== browser.email ? ['email'] : []),
      ];
      await trx
        .updateTable('visitor')
        .set({
          external_id: verified.externalId,
          ...(verified.email !== undefined && { email: verified.email }),
          updated_at: at,
        })
        .where('id', '=', visitor.id)
        .execute();
      await appendEvent(trx, {
        type: 'visitor.updated',
        clientId: site.clientId,
        subject: { type: 'visitor', id: visitor.id },
        payload: { visitorId: visitor.id, unique_id: visitor.uniqueId, changed, websiteIds: [site.id] },
        at,
      });
    }
    return { id: visitor.id, vuid: visitor.uniqueId, verifiedExternalId: verified?.externalId ?? null };
  });
}

/**
 * The visitor of a hello without identity, read only: a page view must not write to the database, so the visitor
 * row is created by the first thing worth keeping (a conversation). Answers the stored visitor of `vuid`, or id 0
 * with `vuid` as given, or id 0 with a fresh `vuid` when none is given or its visitor was erased.
 */
export async function lookupVisitor(
  db: Kysely<Database>,
  site: SiteRef,
  vuid: string | undefined,
): Promise<VisitorRef> {
  if (vuid === undefined) return { id: 0, vuid: newVisitorUid(), verifiedExternalId: null };
  const row = await db
    .selectFrom('visitor')
    .select(['id', 'deleted_at', 'merged_into_id'])
    .where('client_id', '=', site.clientId)
    .where('unique_id', '=', vuid)
    .executeTakeFirst();
  if (row === undefined) return { id: 0, vuid, verifiedExternalId: null };
  if (row.deleted_at !== null) return { id: 0, vuid: newVisitorUid(), verifiedExternalId: null };
  // A merged browser keeps its id and speaks for the contact it was merged into (its conversations moved there).
  return { id: row.merged_into_id ?? row.id, vuid, verifiedExternalId: null };
}

/** resolveVisitor, once more if a concurrent first use (another tab of the browser) created the same vuid meanwhile. */
export async function persistVisitor(db: Kysely<Database>, site: SiteRef, vuid: string): Promise<VisitorRef> {
  try {
    return await resolveVisitor(db, site, vuid, null);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return resolveVisitor(db, site, vuid, null);
  }
}

/**
 * Whether a browser's Origin may open a visitor socket of this website: the website's host or one of its subdomains
 * (www.shop.example for shop.example, and shop.example for www.shop.example), or Causerie's own public host (the
 * widget's iframe). No Origin at all (a non-browser client) passes; the opaque origin `null` does not.
 */
export function originAllowed(origin: string | undefined, websiteUrl: string, publicUrl: string): boolean {
  if (origin === undefined || origin === '') return true;
  const host = (url: string): string | undefined => {
    try {
      return new URL(url.includes('://') ? url : `https://${url}`).hostname.toLowerCase();
    } catch {
      return undefined;
    }
  };
  const originHost = origin === 'null' ? undefined : host(origin);
  const siteHost = host(websiteUrl);
  if (originHost === undefined) return false;
  if (originHost === host(publicUrl)) return true;
  if (siteHost === undefined) return false;
  return originHost === siteHost || originHost.endsWith(`.${siteHost}`) || siteHost === `www.${originHost}`;
}
