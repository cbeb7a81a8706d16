// Google OAuth 2.0 for service accounts (RFC 7523 JWT bearer grant): checks a service-account JSON key, mints access
// tokens through the OutboundGuard and caches them per process, per channel and service account.
import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { isEmailAddress } from '../email.js';
import { OutboundFailed, OutboundRefused, type OutboundResponse } from '../http/outbound.js';
import type { ProviderError, SendContext } from './adapter.js';
import { field, readJson, text } from './http-util.js';

/** The scope of RBM calls. */
export const RBM_SCOPE = 'https://www.googleapis.com/auth/rcsbusinessmessaging';
/** The scope of the RBM Management API (brands, agents, launches, testers: domain/messaging/rbm-management.ts). */
export const BUSINESS_COMMUNICATIONS_SCOPE = 'https://www.googleapis.com/auth/businesscommunications';
/** Where Google mints tokens when the key names no `token_uri`. */
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
/** The grant type of a signed JWT exchanged for an access token. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Lifetime asked for the assertion: Google refuses more than one hour. */
const ASSERTION_SECONDS = 3600;
/** A cached token is replaced this long before it expires, so no call leaves with a token about to lapse. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** The fields of a service-account JSON key that minting a token needs (what is stored of it). */
export interface ServiceAccountKey {
  type: 'service_account';
  client_email: string;
  private_key: string;
  private_key_id: string;
  token_uri: string;
}

/** Why a service-account key is refused: the field inside the key (empty for the key itself), and the reason (none: it is missing). */
export interface ServiceAccountProblem {
  field: string;
  problem?: string;
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,256}$/;

/**
 * Checks a service-account JSON key (the object Google's console downloads, or its text): `type`
 * "service_account", `client_email`, `private_key` (a PEM RSA private key, as RS256 needs), `private_key_id` and an
 * optional http(s) `token_uri`. Answers the fields to store, or what is wrong.
 */
export function checkServiceAccount(
  value: unknown,
): { ok: true; key: ServiceAccountKey } | ({ ok: false } & ServiceAccountProblem) {
  const parsed = typeof value === 'string' ? readJson(value) : value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return {
      ok: false,
      field: '',
      problem:
        "Expected the service account's JSON key: an object with type, client_email, private_key and private_key_id.",
    };
  }
  const refuse = (name: string, problem?: string) => ({ ok: false as const, field: name, problem });
  const type = field(parsed, 'type');
  if (type === undefined) return refuse('type');
  if (type !== 'service_account')
    return refuse('type', "Expected 'service_account': this must be a service account's key.");
  const clientEmail = field(parsed, 'client_email');
  if (clientEmail === undefined) return refuse('client_email');
  if (typeof clientEmail !== 'string' || !isEmailAddress(clientEmail))
    return refuse('client_email', "Expected the service account's e-mail address.");
  const keyId = field(parsed, 'private_key_id');
  if (keyId === undefined) return refuse('private_key_id');
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId))
    return refuse('private_key_id', "Expected the key's id (letters, digits, _ . -).");
  const privateKey = field(parsed, 'private_key');
  if (privateKey === undefined) return refuse('private_key');
  const problem = typeof privateKey === 'string' ? privateKeyProblem(privateKey) : 'Expected a PEM private key.';
  if (problem !== undefined) return refuse('private_key', problem);
  const tokenUri = field(parsed, 'token_uri') ?? GOOGLE_TOKEN_URI;
  if (typeof tokenUri !== 'string' || !isHttpUrl(tokenUri))
    return refuse('token_uri', `Expected an http(s) URL such as '${GOOGLE_TOKEN_URI}'.`);
  return {
    ok: true,
    key: {
      type: 'service_account',
      client_email: clientEmail,
      private_key: String(privateKey),
      private_key_id: keyId,
      token_uri: tokenUri,
    },
  };
}

function privateKeyProblem(pem: string): string | undefined {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return 'It is not a valid PEM private key (-----BEGIN PRIVATE KEY----- …).';
  }
  return key.asymmetricKeyType === 'rsa'
    ? undefined
    : `Expected an RSA private key (RS256); this is a ${key.asymmetricKeyType ?? 'different'} key.`;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * The stored key of a channel (the JSON text credentialText wrote after checkServiceAccount), or undefined when
 * unreadable. Read on every call, so the PEM is not parsed again here: it was on write, and signing reports a bad one.
 */
export function storedServiceAccount(stored: string): ServiceAccountKey | undefined {
  const value = readJson(stored);
  const [clientEmail, privateKey, privateKeyId, tokenUri] = [
    'client_email',
    'private_key',
    'private_key_id',
    'token_uri',
  ].map((name) => field(value, name));
  if (
    field(value, 'type') !== 'service_account' ||
    typeof clientEmail !== 'string' ||
    typeof privateKey !== 'string' ||
    typeof privateKeyId !== 'string' ||
    typeof tokenUri !== 'string'
  )
    return undefined;
  return {
    type: 'service_account',
    client_email: clientEmail,
    private_key: privateKey,
    private_key_id: privateKeyId,
    token_uri: tokenUri,
  };
}

/** A token, or why there is none: `retry` for a transient failure (network, 5xx, 429), final otherwise. */
export type TokenOutcome =
  | { ok: true; token: string }
  | { ok: false; retry: boolean; retryAfterMs?: number; error: ProviderError };

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** The signed JWT (RS256) a service account presents to the token endpoint. */
export function serviceAccountAssertion(
  key: ServiceAccountKey,
  nowSeconds = Math.floor(Date.now() / 1000),
  scope = RBM_SCOPE,
): string {
  const header = { alg: 'RS256', typ: 'JWT', kid: key.private_key_id };
  const claims = {
    iss: key.client_email,
    scope,
    aud: key.token_uri,
    iat: nowSeconds,
    exp: nowSeconds + ASSERTION_SECONDS,
  };
  const signed = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  return `${signed}.${sign('sha256', Buffer.from(signed, 'utf8'), createPrivateKey(key.private_key)).toString('base64url')}`;
}

/** One exchange of a fresh assertion for an access token. */
async function mintToken(
  http: SendContext<unknown>['http'],
  key: ServiceAccountKey,
  scope: string,
): Promise<{ ok: true; token: string; expiresInMs: number } | Extract<TokenOutcome, { ok: false }>> {
  let assertion: string;
  try {
    assertion = serviceAccountAssertion(key, undefined, scope);
  } catch (error) {
    return {
      ok: false,
      retry: false,
      error: {
        code: 'invalid_service_account',
        message: `The service account's private key cannot sign: ${error instanceof Error ? error.message : 'unknown error'}.`,
      },
    };
  }
  let response: OutboundResponse;
  try {
    response = await http.request({
      method: 'POST',
      url: key.token_uri,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString(),
    });
  } catch (error) {
    if (error instanceof OutboundRefused)
      return {
        ok: false,
        retry: false,
        error: { code: 'outbound_refused', message: `The token endpoint URL was refused: ${error.reason}.` },
      };
    if (error instanceof OutboundFailed)
      return {
        ok: false,
        retry: true,
        retryAfterMs: 2000,
        error: { code: 'network', message: `Google's token endpoint could not be reached: ${error.reason}.` },
      };
    throw error;
  }
  const body = readJson(response.body.toString('utf8'));
  if (response.status === 200) {
    const token = text(field(body, 'access_token'));
    const tokenType = text(field(body, 'token_type')) ?? 'Bearer';
    if (token === undefined || token === '' || tokenType.toLowerCase() !== 'bearer') {
      return {
        ok: false,
        retry: true,
        retryAfterMs: 2000,
        error: { code: 'token_response', message: 'The token endpoint answered without a bearer access_token.' },
      };
    }
    const expiresIn = Number(field(body, 'expires_in'));
    return { ok: true, token, expiresInMs: (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600) * 1000 };
  }
  const code = text(field(body, 'error'));
  const description = text(field(body, 'error_description'));
  // Google's outages and throttling pass; a refused key, account or request (invalid_grant, invalid_client…) stays refused.
  const retry = response.status >= 500 || response.status === 429;
  const message = `The service account could not get an access token: ${description ?? code ?? `HTTP ${response.status}`}`;
  return {
    ok: false,
    retry,
    retryAfterMs: retry ? 2000 : undefined,
    error: { code: code ?? `http_${response.status}`, message: message.endsWith('.') ? message : `${message}.` },
  };
}

interface CachedToken {
  token: string;
  /** Replaced from then on. */
  refreshAt: number;
  /** Still usable until then when a refresh fails. */
  expiresAt: number;
}

/** Tokens by channel and service account (per process: each node mints its own; Google allows many). */
const cache = new Map<string, CachedToken>();
/** The token request under way per entry: concurrent callers share it. */
const inflight = new Map<string, Promise<TokenOutcome>>();

/**
 * An access token of the channel's service account: the cached one while more than five minutes remain, else a fresh
 * one (one request at a time per channel and account, shared by concurrent callers). `refused`: a token the API
 * answered 401 with (expired early or revoked): it is dropped, unless another caller already replaced it.
 */
export function serviceAccountToken(
  http: SendContext<unknown>['http'],
  channelId: number,
  key: ServiceAccountKey,
  options: { refused?: string; scope?: string } = {},
): Promise<TokenOutcome> {
  const scope = options.scope ?? RBM_SCOPE;
  // The key id and token URL are part of the entry: a replaced key mints its own token at once.
  const id = JSON.stringify([channelId, key.client_email, key.private_key_id, key.token_uri, scope]);
  const cached = cache.get(id);
  if (cached !== undefined && options.refused !== undefined && cached.token === options.refused) cache.delete(id);
  const current = cache.get(id);
  if (current !== undefined && Date.now() < current.refreshAt)
    return Promise.resolve({ ok: true, token: current.token });
  let pending = inflight.get(id);
  if (pending === undefined) {
    pending = mintToken(http, key, scope)
      .then((minted): TokenOutcome => {
        if (minted.ok) {
          const now = Date.now();
          // A token shorter-lived than twice the margin is still used for half its life rather than never.
          cache.set(id, {
            token: minted.token,
            expiresAt: now + minted.expiresInMs,
            refreshAt: now + Math.max(minted.expiresInMs - REFRESH_MARGIN_MS, minted.expiresInMs / 2),
          });
          return { ok: true, token: minted.token };
        }
        // The refresh failed but the token in hand has not expired: it serves until the next attempt.
        const fallback = cache.get(id);
        return fallback !== undefined && Date.now() < fallback.expiresAt ? { ok: true, token: fallback.token } : minted;
      })
      .finally(() => inflight.delete(id));
    inflight.set(id, pending);
  }
  return pending;
}

/** Forgets every cached token (tests). */
export function forgetServiceAccountTokens(): void {
  cache.clear();
}
