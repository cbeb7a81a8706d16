// API key material: generation, argon2id hashing of the secret half, and verification.
import { hash as digest, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** Every Causerie-issued key starts with this, so leaked keys are easy to recognise and scan for. */
export const KEY_PREFIX = 'csk';

export interface NewKeyMaterial {
  publicId: string;
  secretHash: string;
  /** Shown to the caller once; never stored. */
  plaintext: string;
}

/** `csk_<public id>_<secret>`: the public id finds the row, the secret is checked against its hash. */
export async function generateKeyMaterial(): Promise<NewKeyMaterial> {
  const publicId = randomBytes(8).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  const secretHash = await hashSecret(secret);
  return { publicId, secretHash, plaintext: `${KEY_PREFIX}_${publicId}_${secret}` };
}

/** Splits a presented key; undefined when it is not of Causerie's form. */
export function splitKey(presented: string): { publicId: string; secret: string } | undefined {
  const match = /^csk_([0-9a-f]{16})_([A-Za-z0-9_-]{32})$/.exec(presented);
  return match ? { publicId: match[1] as string, secret: match[2] as string } : undefined;
}

/** Argon2id hash (the library's default algorithm: `Algorithm` is a const enum, so it cannot be named here). */
export function hashSecret(secret: string): Promise<string> {
  return hash(secret);
}

export async function verifySecret(secretHash: string, secret: string): Promise<boolean> {
  try {
    return await verify(secretHash, secret);
  } catch {
    return false;
  }
}

/** A hash of a secret nobody knows, made once: what an unknown account or key id is verified against. */
let dummyHash: Promise<string> | undefined;

/**
 * Spends the time of one verification and answers false: a login for an email that does not exist, or a key whose id
 * is unknown, then takes as long as a wrong password or secret for one that does, so timing does not tell them apart.
 */
export async function verifyNothing(secret: string): Promise<false> {
  dummyHash ??= hashSecret(randomToken(32));
  await verifySecret(await dummyHash, secret);
  return false;
}

/** A fingerprint for in-memory caches, so plaintext keys are never kept as map keys. */
export function fingerprint(value: string): Buffer {
  // The one-shot digest: no Hash object per call (this runs on every authenticated request).
  return digest('sha256', value, 'buffer');
}

/** Constant-time comparison of two fingerprints. */
export function sameFingerprint(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A random URL-safe token (SSO keys, secrets). */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
