// Reads and validates the process configuration from environment variables.
import path from 'node:path';

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
  return { port, host, database, redisUrl, publicUrl, adminKey, logLevel, presenceGraceMs };
}

/** Milliseconds, from 0 (disconnect at once) to one day. */
function parsePresenceGrace(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_PRESENCE_GRACE_MS;
  const value = raw.trim();
  if (!/^\d+$/.test(value) || Number(value) > 86_400_000) {
    throw new ConfigError('CAUSERIE_PRESENCE_GRACE_MS', `must be a whole number of milliseconds from 0 to 86400000, got '${raw}'.`);
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
      throw new ConfigError('DATABASE_URL', `is not a valid PostgreSQL URL (expected postgres://user:password@host:5432/database).`);
    }
    return { dialect: 'postgres', location: value };
  }
  if (value.startsWith('sqlite:')) {
    const file = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '') throw new ConfigError('DATABASE_URL', `names no file; use sqlite:PATH, for example sqlite:./data/causerie.db.`);
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
