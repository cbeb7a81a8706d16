// Reads and validates the process configuration from environment variables.
import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { parseOutboundAllowlist } from './http/outbound.js';

/** Where the platform stores its data and how it is reached. */
export interface DatabaseConfig {
  dialect: 'sqlite' | 'postgres';
  /** SQLite: absolute file path (or ':memory:'); PostgreSQL: the connection URL. */
  location: string;
}

export interface Config {
  port: number;
  host: string;
  database: DatabaseConfig;
  redisUrl: string | undefined;
  publicUrl: string;
  adminKey: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * How long an operator whose last realtime socket closed stays connected, waiting for a reconnect
   * (CAUSERIE_PRESENCE_GRACE_MS). Optional so configurations written before it existed stay valid:
   * absent means DEFAULT_PRESENCE_GRACE_MS.
   */
  presenceGraceMs?: number;
  /**
   * Key material sealing channel credentials at rest (CAUSERIE_SECRET_KEY, at least 32 characters). Absent: derived
   * from the admin key, else generated once into the data directory (channels/secrets.ts).
   */
  secretKey?: string;
  /**
   * Hosts and CIDR ranges outbound calls (webhooks, channel providers) may reach although private or loopback
   * (CAUSERIE_OUTBOUND_ALLOWLIST, comma-separated; '' = none). Optional for configurations written before it.
   */
  outboundAllowlist?: string;
  /**
   * Webhook delivery timing (CAUSERIE_WEBHOOK_TIME_SCALE, default 1): multiplies retry delays, Retry-After and the
   * disable window, so process-level tests can run the whole schedule in seconds. Not for production.
   */
  webhookTimeScale?: number;
  /** How long a receiver has to answer (CAUSERIE_WEBHOOK_TIMEOUT_MS, default 10000). */
  webhookTimeoutMs?: number;
  /**
   * Which proxies' X-Forwarded-For to believe (CAUSERIE_TRUST_PROXY): a number of hops, or a comma-separated list of
   * addresses, CIDR ranges and `loopback` / `linklocal` / `uniquelocal`. Unset: none, the client is the TCP peer.
   * Per-address limits count by this address, so behind a proxy it must be set or every visitor shares the proxy's.
   */
  trustProxy?: number | string;
  /**
   * How long a GET's answer may be served again while no event changed the reader's data (CAUSERIE_READ_CACHE_MS,
   * default 1000; 0 turns the read cache off).
   */
  readCacheMs?: number;
  /**
   * Base URL of Shopify's Admin API (CAUSERIE_SHOPIFY_ADMIN_URL, default DEFAULT_SHOPIFY_ADMIN_URL): `{store}` is
   * replaced by the store's SHOPIFY_STORE_NAME, and `/admin/api/<version>/graphql.json` appended. Tests point it at a fake.
   */
  shopifyAdminUrl?: string;
  /** The Meta app's secret (CAUSERIE_META_APP_SECRET): signs the platform WhatsApp webhook `/webhook/facebook/`. */
  metaAppSecret?: string;
  /** The verify token entered in Meta's webhook settings (CAUSERIE_META_VERIFY_TOKEN) for `/webhook/facebook/`. */
  metaVerifyToken?: string;
  /**
   * Base URL of Google's RBM Management API (CAUSERIE_RBM_MANAGEMENT_URL, default DEFAULT_RBM_MANAGEMENT_URL), where
   * chat environments are registered (brands, agents, launches, testers). Tests point it at the fake RBM server.
   */
  rbmManagementUrl?: string;
  /**
   * The platform's RBM partner service-account key (CAUSERIE_RBM_SERVICE_ACCOUNT: the JSON text, or the path of the
   * JSON file), minting businesscommunications tokens. Without it, chat environments wait with a `last_error`.
   */
  rbmServiceAccount?: string;
  /**
   * Partner API (issue 19): companies and accounts are verified as soon as submitted, without a platform decision
   * (CAUSERIE_MESSAGING_AUTO_VERIFY = `true` / `false`, default false).
   */
  messagingAutoVerify?: boolean;
  /**
   * The SMTP server that mails account activation links (SMTP_URL: `smtp://user:pass@host:587`, `smtps://…`). Unset:
   * the link is written to the log and into the ACCOUNT_STATUS callback's data.
   */
  smtpUrl?: string;
  /** The From address of those mails (SMTP_FROM, default `Causerie <no-reply@HOST of PUBLIC_URL>`). */
  smtpFrom?: string;
  /**
   * Whether a node compiles the route schemas not used yet in the background once it listens
   * (CAUSERIE_COMPILE_SCHEMAS_AHEAD = `true` / `false`, default true): a few seconds of one core, after which no first
   * request pays for its route's compilation. `false` compiles each on its first use only: the tests' short-lived
   * nodes, which call a handful of routes.
   */
  compileSchemasAhead?: boolean;
}

/** A configuration value that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Grace period of operator presence when CAUSERIE_PRESENCE_GRACE_MS is not set: long enough for a page reload or a network change. */
export const DEFAULT_PRESENCE_GRACE_MS = 30_000;

/** Shopify's Admin API of a store when CAUSERIE_SHOPIFY_ADMIN_URL is not set. */
export const DEFAULT_SHOPIFY_ADMIN_URL = 'https://{store}.myshopify.com';

/** The SQLite file used when DATABASE_URL is not set. */
export const DEFAULT_SQLITE_FILE = 'data/causerie.db';

/** Builds the configuration from an environment; throws ConfigError on the first bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const port = parsePort(env.PORT);
  const host = env.HOST?.trim() || '0.0.0.0';
  const database = parseDatabaseUrl(env.DATABASE_URL, cwd);
  const redisUrl = parseRedisUrl(env.REDIS_URL);
  const publicUrl = parsePublicUrl(env.PUBLIC_URL, port);
  const adminKey = parseAdminKey(env.CAUSERIE_ADMIN_KEY);
  const logLevel = parseLogLevel(env.LOG_LEVEL);
  const presenceGraceMs = parsePresenceGrace(env.CAUSERIE_PRESENCE_GRACE_MS);
  const secretKey = parseSecretKey(env.CAUSERIE_SECRET_KEY);
  const outboundAllowlist = parseAllowlist(env.CAUSERIE_OUTBOUND_ALLOWLIST);
  const webhookTimeScale = parseTimeScale(env.CAUSERIE_WEBHOOK_TIME_SCALE);
  const webhookTimeoutMs = parseWebhookTimeout(env.CAUSERIE_WEBHOOK_TIMEOUT_MS);
  const trustProxy = parseTrustProxy(env.CAUSERIE_TRUST_PROXY);
  const readCacheMs = parseReadCache(env.CAUSERIE_READ_CACHE_MS);
  const shopifyAdminUrl = parseShopifyAdminUrl(env.CAUSERIE_SHOPIFY_ADMIN_URL);
  const metaAppSecret = parseMetaSecret('CAUSERIE_META_APP_SECRET', env.CAUSERIE_META_APP_SECRET);
  const metaVerifyToken = parseMetaSecret('CAUSERIE_META_VERIFY_TOKEN', env.CAUSERIE_META_VERIFY_TOKEN);
  const rbmManagementUrl = parseHttpBaseUrl('CAUSERIE_RBM_MANAGEMENT_URL', env.CAUSERIE_RBM_MANAGEMENT_URL);
  const rbmServiceAccount = parseServiceAccount('CAUSERIE_RBM_SERVICE_ACCOUNT', env.CAUSERIE_RBM_SERVICE_ACCOUNT, cwd);
  const messagingAutoVerify = parseFlag('CAUSERIE_MESSAGING_AUTO_VERIFY', env.CAUSERIE_MESSAGING_AUTO_VERIFY);
  const smtpUrl = parseSmtpUrl(env.SMTP_URL);
  const smtpFrom = env.SMTP_FROM?.trim() || undefined;
  const compileSchemasAhead = parseFlag('CAUSERIE_COMPILE_SCHEMAS_AHEAD', env.CAUSERIE_COMPILE_SCHEMAS_AHEAD);
  return {
    port,
    host,
    database,
    redisUrl,
    publicUrl,
    adminKey,
    logLevel,
    presenceGraceMs,
    outboundAllowlist,
    ...(secretKey !== undefined && { secretKey }),
    ...(webhookTimeScale !== undefined && { webhookTimeScale }),
    ...(webhookTimeoutMs !== undefined && { webhookTimeoutMs }),
    ...(trustProxy !== undefined && { trustProxy }),
    ...(readCacheMs !== undefined && { readCacheMs }),
    ...(shopifyAdminUrl !== undefined && { shopifyAdminUrl }),
    ...(metaAppSecret !== undefined && { metaAppSecret }),
    ...(metaVerifyToken !== undefined && { metaVerifyToken }),
    ...(rbmManagementUrl !== undefined && { rbmManagementUrl }),
    ...(rbmServiceAccount !== undefined && { rbmServiceAccount }),
    ...(messagingAutoVerify !== undefined && { messagingAutoVerify }),
    ...(smtpUrl !== undefined && { smtpUrl }),
    ...(smtpFrom !== undefined && { smtpFrom }),
    ...(compileSchemasAhead !== undefined && { compileSchemasAhead }),
  };
}

/** Google's RBM Management API when CAUSERIE_RBM_MANAGEMENT_URL is not set. */
export const DEFAULT_RBM_MANAGEMENT_URL = 'https://businesscommunications.googleapis.com';

/** An http(s) base URL without its trailing slashes; unset → undefined (the default). */
function parseHttpBaseUrl(variable: string, raw: string | undefined): string | undefined {
  const value = raw?.trim() ?? '';
  if (value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(variable, `is not a valid URL, got '${value}'.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(variable, `must be an http:// or https:// URL, got '${value}'.`);
  return value.replace(/\/+$/, '');
}

/** `true` / `false` (also 1 / 0, yes / no); unset is undefined. */
function parseFlag(variable: string, raw: string | undefined): boolean | undefined {
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '') return undefined;
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new ConfigError(variable, `must be true or false, got '${raw}'.`);
}

/** An SMTP server's URL: smtp:// or smtps://, with a host. */
function parseSmtpUrl(raw: string | undefined): string | undefined {
  const value = raw?.trim() ?? '';
  if (value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('SMTP_URL', 'is not a valid URL.');
  }
  if ((url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || url.hostname === '')
    throw new ConfigError('SMTP_URL', `must be an smtp:// or smtps:// URL with a host, got '${url.protocol}'.`);
  return value;
}

/** A service-account JSON key given as its text or as the path of its file; checked when used (its fields named). */
function parseServiceAccount(variable: string, raw: string | undefined, cwd: string): string | undefined {
  const value = raw?.trim() ?? '';
  if (value === '') return undefined;
  let text = value;
  if (!value.startsWith('{')) {
    try {
      text = fs.readFileSync(path.resolve(cwd, value), 'utf8');
    } catch {
      throw new ConfigError(variable, `is neither a JSON key nor a readable file, got '${value}'.`);
    }
  }
  try {
    JSON.parse(text);
  } catch {
    throw new ConfigError(variable, 'is not valid JSON: give the JSON key Google Cloud downloaded, or its path.');
  }
  return text;
}

/** An http(s) URL, `{store}` standing for the store name; unset → undefined (DEFAULT_SHOPIFY_ADMIN_URL). */
function parseShopifyAdminUrl(raw: string | undefined): string | undefined {
  const value = raw?.trim() ?? '';
  if (value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value.replaceAll('{store}', 'store'));
  } catch {
    throw new ConfigError(
      'CAUSERIE_SHOPIFY_ADMIN_URL',
      `is not a valid URL (such as ${DEFAULT_SHOPIFY_ADMIN_URL}), got '${value}'.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError('CAUSERIE_SHOPIFY_ADMIN_URL', `must be an http:// or https:// URL, got '${value}'.`);
  return value.replace(/\/+$/, '');
}

/** A secret of the Meta app: printable ASCII without spaces, 8 to 256 characters; unset → undefined. */
function parseMetaSecret(variable: string, raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^[\x21-\x7e]{8,256}$/.test(raw))
    throw new ConfigError(variable, 'must be 8 to 256 printable ASCII characters, without spaces.');
  return raw;
}

/** Milliseconds from 0 (off) to 60000; unset → undefined (1000). */
function parseReadCache(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = raw.trim();
  if (!/^\d+$/.test(value) || Number(value) > 60_000)
    throw new ConfigError(
      'CAUSERIE_READ_CACHE_MS',
      `must be a whole number of milliseconds from 0 (off) to 60000, got '${raw}'.`,
    );
  return Number(value);
}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Hops (1 to 10) or a list of proxies; `true` (believe anyone) is refused: any client could then pick its address. */
function parseTrustProxy(raw: string | undefined): number | string | undefined {
  const value = raw?.trim() ?? '';
  if (value === '') return undefined;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops < 1 || hops > 10)
      throw new ConfigError('CAUSERIE_TRUST_PROXY', `a number of proxy hops must be from 1 to 10, got '${raw}'.`);
    return hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const prefixOk =
      prefix === undefined ||
      (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32) && extra === undefined);
    if (!PROXY_KEYWORDS.has(entry) && (family === 0 || !prefixOk))
      throw new ConfigError(
        'CAUSERIE_TRUST_PROXY',
        `'${entry}' is not an IP address, a CIDR range (10.0.0.0/8) or one of loopback, linklocal, uniquelocal; give a comma-separated list of them, or a number of hops.`,
      );
  }
  return entries.join(',');
}

function parseSecretKey(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 32)
    throw new ConfigError(
      'CAUSERIE_SECRET_KEY',
      'must be at least 32 characters long (for example `openssl rand -base64 32`).',
    );
  return raw;
}

/** A factor from 0.000001 to 1; unset → undefined (1). */
function parseTimeScale(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw.trim());
  if (!Number.isFinite(value) || value < 0.000001 || value > 1)
    throw new ConfigError('CAUSERIE_WEBHOOK_TIME_SCALE', `must be a number from 0.000001 to 1, got '${raw}'.`);
  return value;
}

/** Milliseconds from 100 to 60000; unset → undefined (10000). */
function parseWebhookTimeout(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = raw.trim();
  if (!/^\d+$/.test(value) || Number(value) < 100 || Number(value) > 60_000) {
    throw new ConfigError(
      'CAUSERIE_WEBHOOK_TIMEOUT_MS',
      `must be a whole number of milliseconds from 100 to 60000, got '${raw}'.`,
    );
  }
  return Number(value);
}

/** Comma-separated host names and CIDR ranges; a malformed range stops the start rather than allowing nothing. Unset → undefined (none). */
function parseAllowlist(raw: string | undefined): string | undefined {
  const value = raw?.trim() ?? '';
  try {
    parseOutboundAllowlist(value);
  } catch (error) {
    throw new ConfigError('CAUSERIE_OUTBOUND_ALLOWLIST', (error as Error).message);
  }
  return value === '' ? undefined : value;
}

/** Milliseconds, from 0 (disconnect at once) to one day. */
function parsePresenceGrace(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_PRESENCE_GRACE_MS;
  const value = raw.trim();
  if (!/^\d+$/.test(value) || Number(value) > 86_400_000) {
    throw new ConfigError(
      'CAUSERIE_PRESENCE_GRACE_MS',
      `must be a whole number of milliseconds from 0 to 86400000, got '${raw}'.`,
    );
  }
  return Number(value);
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 8080;
  const value = raw.trim();
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
    throw new ConfigError('PORT', `must be a whole number from 1 to 65535, got '${raw}'.`);
  }
  return Number(value);
}

/** `sqlite:PATH` (relative to the working directory), `postgres://…` or `postgresql://…`. */
export function parseDatabaseUrl(raw: string | undefined, cwd: string): DatabaseConfig {
  if (raw === undefined || raw.trim() === '') {
    return { dialect: 'sqlite', location: path.resolve(cwd, DEFAULT_SQLITE_FILE) };
  }
  const value = raw.trim();
  if (value.startsWith('postgres://') || value.startsWith('postgresql://')) {
    try {
      const url = new URL(value);
      if (!url.hostname) throw new Error('no host');
    } catch {
      throw new ConfigError(
        'DATABASE_URL',
        `is not a valid PostgreSQL URL (expected postgres://user:password@host:5432/database).`,
      );
    }
    return { dialect: 'postgres', location: value };
  }
  if (value.startsWith('sqlite:')) {
    const file = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '')
      throw new ConfigError('DATABASE_URL', `names no file; use sqlite:PATH, for example sqlite:./data/causerie.db.`);
    return { dialect: 'sqlite', location: file === ':memory:' ? file : path.resolve(cwd, file) };
  }
  throw new ConfigError('DATABASE_URL', `must start with sqlite: or postgres://, got '${redact(value)}'.`);
}

function parseRedisUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = raw.trim();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('REDIS_URL', `is not a valid URL (expected redis://host:6379).`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError('REDIS_URL', `must start with redis:// or rediss://, got '${redact(value)}'.`);
  }
  return value;
}

function parsePublicUrl(raw: string | undefined, port: number): string {
  if (raw === undefined || raw.trim() === '') return `http://localhost:${port}`;
  const value = raw.trim();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('PUBLIC_URL', `is not a valid URL, got '${value}'.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('PUBLIC_URL', `must be an http:// or https:// URL, got '${value}'.`);
  }
  return value.replace(/\/+$/, '');
}

function parseAdminKey(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 16) throw new ConfigError('CAUSERIE_ADMIN_KEY', 'must be at least 16 characters long.');
  if (!/^[\x21-\x7e]+$/.test(raw)) {
    throw new ConfigError('CAUSERIE_ADMIN_KEY', 'must contain only printable ASCII characters, without spaces.');
  }
  return raw;
}

function parseLogLevel(raw: string | undefined): Config['logLevel'] {
  if (raw === undefined || raw.trim() === '') return 'info';
  const value = raw.trim().toLowerCase();
  const level = LOG_LEVELS.find((candidate) => candidate === value);
  if (!level) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got '${raw}'.`);
  return level;
}

/** Hides a password in a URL before it is echoed in an error. */
function redact(value: string): string {
  return value.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
