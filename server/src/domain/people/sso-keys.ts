// SSO keys (seed 003's Single Sign-On): made here, shown once, kept only as a SHA-256 hash and compared in constant time.
import { fingerprint, randomToken, sameFingerprint } from '../tenancy/keys.js';

/**
 * 32 random bytes (256 bits). A key this long cannot be guessed, so a fast hash is enough: the stored hash finds the
 * row by index, as API key fingerprints do, and a leaked table gives no usable key. Passwords, which people choose,
 * take argon2id instead.
 */
const SSO_KEY_BYTES = 32;

export interface NewSsoKey {
  /** For the caller's answer only (the create or rotate answer); never stored, never logged. */
  plaintext: string;
  /** What the `operator.sso_key_hash` column keeps. */
  hash: string;
}

export function newSsoKey(): NewSsoKey {
  const plaintext = randomToken(SSO_KEY_BYTES);
  return { plaintext, hash: ssoKeyHash(plaintext) };
}

/** The stored form of a key: hex SHA-256 of the key as given (surrounding spaces removed, as a pasted link may carry). */
export function ssoKeyHash(key: string): string {
  return fingerprint(key.trim()).toString('hex');
}

/** Constant-time comparison of a stored hash with the hash of a presented key. */
export function sameSsoKeyHash(stored: string, presentedHash: string): boolean {
  return sameFingerprint(Buffer.from(stored, 'hex'), Buffer.from(presentedHash, 'hex'));
}
