// Secrets at rest (channel credentials, webhook signing secrets): AES-256-GCM with a key from CAUSERIE_SECRET_KEY (or
// derived/generated, see channelKey), each sealed value bound to its row.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';

const VERSION = 'v1';
const INFO = 'causerie channel credentials v1';

/** Where a generated key is kept when neither CAUSERIE_SECRET_KEY nor an admin key is configured. */
export function generatedKeyFile(config: Config): string {
  const dir =
    config.database.dialect === 'sqlite' && config.database.location !== ':memory:'
      ? path.dirname(config.database.location)
      : path.resolve('data');
  return path.join(dir, 'channel-secret.key');
}

/** The sealing key and where it came from (for the start-up log). */
export interface SealingKey {
  key: Buffer;
  origin: 'secret_key' | 'admin_key' | 'generated';
}

const keys = new WeakMap<Config, SealingKey>();

/**
 * The 32-byte sealing key, in order of preference: HKDF of CAUSERIE_SECRET_KEY; HKDF of CAUSERIE_ADMIN_KEY (already a
 * secret every deployment sets; rotating it then needs the credentials re-entered); a random key generated once and
 * kept (mode 0600) beside the SQLite file or in ./data. Returns where it came from, for the start-up log. Worked out once per configuration.
 */
export function channelKey(config: Config): SealingKey {
  let found = keys.get(config);
  if (found === undefined) {
    found = findKey(config);
    keys.set(config, found);
  }
  return found;
}

function findKey(config: Config): SealingKey {
  if (config.secretKey !== undefined) return { key: derive(config.secretKey), origin: 'secret_key' };
  if (config.adminKey !== undefined) return { key: derive(config.adminKey), origin: 'admin_key' };
  const file = generatedKeyFile(config);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process wrote it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return { key: derive(fs.readFileSync(file, 'utf8').trim()), origin: 'generated' };
}

function derive(material: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(material, 'utf8'), Buffer.alloc(0), INFO, 32));
}

/** The sealing key of a configuration (channelKey, worked out once per configuration: it may read a file). */
export function secretsKey(config: Config): Buffer {
  return channelKey(config).key;
}

/** Seals a text: `v1.<iv>.<tag>.<ciphertext>` (base64url), authenticated with `binding` (e.g. `channel:12`). */
export function sealText(key: Buffer, binding: string, text: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  // Bound to its row: a sealed value copied onto another row does not open.
  cipher.setAAD(Buffer.from(binding, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return [
    VERSION,
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    ciphertext.toString('base64url'),
  ].join('.');
}

/**
 * Texts opened lately, per key: every provider call and Shopify step opens its credentials, and a decipher costs
 * 10–20 µs, about 1 % of a busy flows node. A sealed value carries its own random IV and tag, so the same key, binding
 * and sealed text always open to the same text; a changed secret is a new sealed value, never a stale hit.
 */
const opened = new WeakMap<Buffer, Map<string, string>>();
const OPENED_KEPT = 1_024;

/** Opens what sealText sealed; throws when the key or the binding differ. */
export function openText(key: Buffer, binding: string, sealed: string): string {
  let texts = opened.get(key);
  if (texts === undefined) {
    texts = new Map();
    opened.set(key, texts);
  }
  const id = `${binding}\n${sealed}`;
  const known = texts.get(id);
  if (known !== undefined) return known;
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined)
    throw new Error('Unreadable sealed secret.');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(binding, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  const text = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
    'utf8',
  );
  if (texts.size >= OPENED_KEPT) texts.clear();
  texts.set(id, text);
  return text;
}

/** Seals a credentials object, authenticated with the channel id. */
export function sealCredentials(
  key: Buffer,
  channelBinding: string,
  credentials: Record<string, string | undefined>,
): string {
  return sealText(key, channelBinding, JSON.stringify(credentials));
}

/** Opens what sealCredentials sealed; throws when the key or the binding differ. */
export function openCredentials(key: Buffer, channelBinding: string, sealed: string): Record<string, string> {
  const value: unknown = JSON.parse(openText(key, channelBinding, sealed));
  if (typeof value !== 'object' || value === null) throw new Error('Unreadable sealed credentials.');
  const result: Record<string, string> = {};
  for (const [name, field] of Object.entries(value)) if (typeof field === 'string') result[name] = field;
  return result;
}
