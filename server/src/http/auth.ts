// Authenticates API calls as seed 003 allows: `X-API-Key` header, `key` query parameter, or HTTP Basic username.
import type { IncomingHttpHeaders } from 'node:http';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { authenticateDeveloperToken, DEVELOPER_SESSION_PREFIX } from '../domain/apps/developers.js';
import { accountNotActive } from '../domain/messaging/account-states.js';
import { authenticateOperatorToken } from '../domain/people/sessions.js';
import { fingerprint, sameFingerprint, splitKey, verifyNothing, verifySecret } from '../domain/tenancy/keys.js';
import type { Principal } from '../domain/tenancy/policy.js';
import { forbidden } from '../errors.js';
import type { CredentialThrottle } from '../limits/credentials.js';
import { nowInstant } from '../time.js';
import { bearerToken } from './bearer.js';

/** How long a verified key is trusted without checking the database again (revocation on another node takes at most this long). */
const CACHE_TTL_MS = 30_000;
const CACHE_MAX_ENTRIES = 10_000;
const SESSION_PREFIX = 'cos_';

/** The roles stored as a JSON list; anything unreadable counts as no role (the narrowest rights). */
function parseRoles(stored: string): string[] {
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed) ? parsed.filter((role): role is string => typeof role === 'string') : [];
  } catch {
    return [];
  }
}

interface CachedPrincipal {
  principal: Principal;
  expiresAt: number;
}

/** The key a request presents, from the first of the three places seed 003 lists that carries one. */
export function presentedKey(request: {
  readonly headers: IncomingHttpHeaders;
  readonly url: string;
}): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const search = request.url.indexOf('?');
  if (search !== -1) {
    const fromQuery = new URLSearchParams(request.url.slice(search + 1)).get('key');
    if (fromQuery) return fromQuery;
  }
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && /^basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon === -1 ? decoded : decoded.slice(0, colon);
    if (user !== '') return user;
  }
  // Last: a console session (`Bearer cos_…`), accepted only where `authenticate` is told to (the REST v2 API).
  const bearer = typeof authorization === 'string' ? bearerToken(authorization) : undefined;
  return bearer?.startsWith(SESSION_PREFIX) || bearer?.startsWith(DEVELOPER_SESSION_PREFIX) ? bearer : undefined;
}

/**
 * Resolves presented keys to principals. Argon2id verification is deliberately slow, so a
 * verified key is remembered (by fingerprint, never in plaintext) for a short time.
 */
export class KeyVerifier {
  private readonly adminFingerprint: Buffer | undefined;
  private readonly cache = new Map<string, CachedPrincipal>();

  constructor(
    private readonly db: Kysely<Database>,
    adminKey: string | undefined,
    /** Counts wrong keys per address and refuses an address that tried too many (limits/credentials.ts). */
    private readonly throttle?: CredentialThrottle,
  ) {
    this.adminFingerprint = adminKey === undefined ? undefined : fingerprint(adminKey);
  }

  /**
   * The principal for a key, or a 403 error. With `sessions`, a console session token also authenticates: as its
   * operator's client, narrowed by the operator's roles (see `authorize`). Sessions are checked on every request,
   * never cached, so a logout or a deleted operator takes effect at once. With `address`, the caller's wrong keys are
   * counted, and an address that tried too many is answered 429 until its block ends (a key it already proved stays
   * good: the check runs only where the database would be asked).
   */
  async authenticate(
    presented: string | undefined,
    options: { sessions?: boolean; address?: string } = {},
  ): Promise<Principal> {
    if (presented === undefined || presented.length > 256) throw forbidden();
    const print = fingerprint(presented);
    if (this.adminFingerprint && sameFingerprint(print, this.adminFingerprint))
      return { scope: 'platform', keyId: null };
    if (options.sessions === true && presented.startsWith(SESSION_PREFIX)) return this.sessionPrincipal(presented);
    if (options.sessions === true && presented.startsWith(DEVELOPER_SESSION_PREFIX)) {
      const developerId = await authenticateDeveloperToken(this.db, presented);
      if (developerId === undefined) throw forbidden();
      return { scope: 'developer', developerId, keyId: 0 };
    }
    const cacheKey = print.toString('hex');
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expiresAt > Date.now()) return cached.principal;
    if (cached) this.cache.delete(cacheKey);
    const { address } = options;
    const principal =
      address === undefined || this.throttle === undefined
        ? await this.lookUp(presented)
        : await this.throttle.attempt('api_key', { address }, () => this.lookUp(presented));
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    this.cache.set(cacheKey, { principal, expiresAt: Date.now() + CACHE_TTL_MS });
    return principal;
  }

  /**
   * The principal for a key when it is known without asking the database: the platform key, or an API key verified
   * less than the cache's time ago (never a session, checked on every request). Lets the hottest path, a cached read,
   * answer without a promise; anything else goes through `authenticate`.
   */
  known(presented: string | undefined): Principal | undefined {
    if (
      presented === undefined ||
      presented.length > 256 ||
      presented.startsWith(SESSION_PREFIX) ||
      presented.startsWith(DEVELOPER_SESSION_PREFIX)
    )
      return undefined;
    const print = fingerprint(presented);
    if (this.adminFingerprint && sameFingerprint(print, this.adminFingerprint))
      return { scope: 'platform', keyId: null };
    const cached = this.cache.get(print.toString('hex'));
    return cached !== undefined && cached.expiresAt > Date.now() ? cached.principal : undefined;
  }

  /** Forgets cached principals of a client's keys on this node (its partner-API account changed state). */
  forgetClient(clientId: number): void {
    for (const [cacheKey, entry] of this.cache)
      if (entry.principal.scope === 'client' && entry.principal.clientId === clientId) this.cache.delete(cacheKey);
  }

  /** Forgets cached principals of a revoked key on this node at once. */
  forgetKey(keyId: number): void {
    for (const [cacheKey, entry] of this.cache) if (entry.principal.keyId === keyId) this.cache.delete(cacheKey);
  }

  private async sessionPrincipal(token: string): Promise<Principal> {
    const identity = await authenticateOperatorToken(this.db, token);
    if (!identity) throw forbidden();
    const row = await this.db
      .selectFrom('operator')
      .innerJoin('client', 'client.id', 'operator.client_id')
      .select(['operator.roles', 'client.partner_id', 'client.account_state'])
      .where('operator.id', '=', identity.operatorId)
      .executeTakeFirst();
    if (!row) throw forbidden();
    if (row.account_state !== null && row.account_state !== 'active') throw accountNotActive(row.account_state);
    return {
      scope: 'client',
      clientId: identity.clientId,
      partnerId: row.partner_id,
      keyId: 0,
      session: { operatorId: identity.operatorId, roles: parseRoles(row.roles) },
    };
  }

  private async lookUp(presented: string): Promise<Principal> {
    const parts = splitKey(presented);
    if (!parts) throw forbidden();
    const row = await this.db
      .selectFrom('api_key')
      .leftJoin('client', 'client.id', 'api_key.client_id')
      .select([
        'api_key.id',
        'api_key.secret_hash',
        'api_key.scope',
        'api_key.partner_id',
        'api_key.client_id',
        'api_key.revoked_at',
        'client.partner_id as client_partner_id',
        'client.account_state',
      ])
      .where('api_key.public_id', '=', parts.publicId)
      .executeTakeFirst();
    // An unknown key id costs the same Argon2id verification as a known one: timing does not tell which ids exist.
    if (!row) {
      await verifyNothing(parts.secret);
      throw forbidden();
    }
    const verified = await verifySecret(row.secret_hash, parts.secret);
    if (!verified || row.revoked_at !== null) throw forbidden();
    await this.db.updateTable('api_key').set({ last_used_at: nowInstant() }).where('id', '=', row.id).execute();
    switch (row.scope) {
      case 'platform':
        return { scope: 'platform', keyId: row.id };
      case 'partner':
        if (row.partner_id === null) throw forbidden();
        return { scope: 'partner', partnerId: row.partner_id, keyId: row.id };
      case 'client':
        if (row.client_id === null) throw forbidden();
        // An account made through the partner API works once active (refusals are not cached: activation is at once).
        if (row.account_state !== null && row.account_state !== 'active') throw accountNotActive(row.account_state);
        return { scope: 'client', clientId: row.client_id, partnerId: row.client_partner_id, keyId: row.id };
    }
  }
}
