// loadConfig: defaults, database URLs, and a ConfigError naming the variable for every bad value; and the CLI refusing to start on one.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const CWD = '/srv/causerie';
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env, CWD);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('defaults', () => {
  it('listens on 8080 on every interface and keeps data in an SQLite file under ./data', () => {
    expect(loadConfig({}, CWD)).toEqual({
      port: 8080,
      host: '0.0.0.0',
      database: { dialect: 'sqlite', location: path.join(CWD, 'data', 'causerie.db') },
      redisUrl: undefined,
      publicUrl: 'http://localhost:8080',
      adminKey: undefined,
      logLevel: 'info',
      presenceGraceMs: 30_000,
    });
  });

  it('treats empty values as unset', () => {
    expect(
      loadConfig(
        {
          PORT: '',
          DATABASE_URL: ' ',
          REDIS_URL: '',
          PUBLIC_URL: '',
          CAUSERIE_ADMIN_KEY: '',
          LOG_LEVEL: '',
          CAUSERIE_PRESENCE_GRACE_MS: '',
        },
        CWD,
      ),
    ).toEqual(loadConfig({}, CWD));
  });

  it('derives the public URL from the port, and keeps values given', () => {
    const config = loadConfig(
      {
        PORT: '9000',
        HOST: '127.0.0.1',
        REDIS_URL: 'redis://cache:6379',
        PUBLIC_URL: 'https://chat.example/',
        CAUSERIE_ADMIN_KEY: 'a-long-enough-admin-key',
        LOG_LEVEL: 'WARN',
      },
      CWD,
    );
    expect(config).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      redisUrl: 'redis://cache:6379',
      publicUrl: 'https://chat.example',
      adminKey: 'a-long-enough-admin-key',
      logLevel: 'warn',
    });
    expect(loadConfig({ PORT: '9000' }, CWD).publicUrl).toBe('http://localhost:9000');
  });

  it('reads the presence grace period in milliseconds; 0 disconnects at once', () => {
    expect(loadConfig({ CAUSERIE_PRESENCE_GRACE_MS: '5000' }, CWD).presenceGraceMs).toBe(5000);
    expect(loadConfig({ CAUSERIE_PRESENCE_GRACE_MS: '0' }, CWD).presenceGraceMs).toBe(0);
  });
});

describe('CAUSERIE_READ_CACHE_MS', () => {
  it('is unset by default (a second), and 0 turns the read cache off', () => {
    expect(loadConfig({}, CWD).readCacheMs).toBeUndefined();
    expect(loadConfig({ CAUSERIE_READ_CACHE_MS: '0' }, CWD).readCacheMs).toBe(0);
    expect(loadConfig({ CAUSERIE_READ_CACHE_MS: '250' }, CWD).readCacheMs).toBe(250);
  });
});

describe('CAUSERIE_COMPILE_SCHEMAS_AHEAD', () => {
  it('is unset by default (compile ahead), and reads true or false', () => {
    expect(loadConfig({}, CWD).compileSchemasAhead).toBeUndefined();
    expect(loadConfig({ CAUSERIE_COMPILE_SCHEMAS_AHEAD: 'false' }, CWD).compileSchemasAhead).toBe(false);
    expect(loadConfig({ CAUSERIE_COMPILE_SCHEMAS_AHEAD: 'true' }, CWD).compileSchemasAhead).toBe(true);
  });
});

describe('Shopify and the Meta app (commerce)', () => {
  it('are unset by default; the Shopify base keeps its {store} and loses a final slash', () => {
    const defaults = loadConfig({}, CWD);
    expect([defaults.shopifyAdminUrl, defaults.metaAppSecret, defaults.metaVerifyToken]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    const set = loadConfig(
      {
        CAUSERIE_SHOPIFY_ADMIN_URL: 'https://{store}.myshopify.com/',
        CAUSERIE_META_APP_SECRET: '0123456789abcdef0123456789abcdef',
        CAUSERIE_META_VERIFY_TOKEN: 'abcd1234',
      },
      CWD,
    );
    expect(set).toMatchObject({
      shopifyAdminUrl: 'https://{store}.myshopify.com',
      metaAppSecret: '0123456789abcdef0123456789abcdef',
      metaVerifyToken: 'abcd1234',
    });
  });
});

describe('CAUSERIE_TRUST_PROXY', () => {
  it('is unset by default (the client is the TCP peer), and takes hops or a list of proxies', () => {
    expect(loadConfig({}, CWD).trustProxy).toBeUndefined();
    expect(loadConfig({ CAUSERIE_TRUST_PROXY: '2' }, CWD).trustProxy).toBe(2);
    expect(loadConfig({ CAUSERIE_TRUST_PROXY: ' 127.0.0.1, 10.0.0.0/8 ,loopback,::1' }, CWD).trustProxy).toBe(
      '127.0.0.1,10.0.0.0/8,loopback,::1',
    );
  });
});

describe('DATABASE_URL', () => {
  it.each([
    ['sqlite:./var/app.db', path.join(CWD, 'var', 'app.db')],
    ['sqlite:var/app.db', path.join(CWD, 'var', 'app.db')],
    ['sqlite:/data/app.db', '/data/app.db'],
    ['sqlite:///data/app.db', '/data/app.db'],
    ['sqlite::memory:', ':memory:'],
  ])('%s is the SQLite file %s', (url, location) => {
    expect(loadConfig({ DATABASE_URL: url }, CWD).database).toEqual({ dialect: 'sqlite', location });
  });

  it.each(['postgres://causerie:secret@db:5432/causerie', 'postgresql://db/causerie'])(
    '%s is PostgreSQL, kept as given',
    (url) => {
      expect(loadConfig({ DATABASE_URL: url }, CWD).database).toEqual({ dialect: 'postgres', location: url });
    },
  );
});

describe('bad values throw a ConfigError naming the variable', () => {
  it.each<[string, string]>([
    ['PORT', 'abc'],
    ['PORT', '0'],
    ['PORT', '65536'],
    ['PORT', '80.5'],
    ['PORT', '-1'],
    ['DATABASE_URL', 'mysql://root@db/causerie'],
    ['DATABASE_URL', 'sqlite:'],
    ['DATABASE_URL', 'postgres://'],
    ['DATABASE_URL', './data/causerie.db'],
    ['REDIS_URL', 'not a url'],
    ['REDIS_URL', 'http://cache:6379'],
    ['PUBLIC_URL', 'chat.example'],
    ['PUBLIC_URL', 'ftp://chat.example'],
    ['CAUSERIE_ADMIN_KEY', 'short-key'],
    ['CAUSERIE_PRESENCE_GRACE_MS', '30s'],
    ['CAUSERIE_PRESENCE_GRACE_MS', '-1'],
    ['CAUSERIE_PRESENCE_GRACE_MS', '86400001'],
    ['CAUSERIE_ADMIN_KEY', 'long enough but has spaces'],
    ['LOG_LEVEL', 'verbose'],
    ['CAUSERIE_TRUST_PROXY', 'true'],
    ['CAUSERIE_TRUST_PROXY', '0'],
    ['CAUSERIE_TRUST_PROXY', '11'],
    ['CAUSERIE_TRUST_PROXY', '10.0.0.0/33'],
    ['CAUSERIE_TRUST_PROXY', 'proxy.internal'],
    ['CAUSERIE_READ_CACHE_MS', '1s'],
    ['CAUSERIE_READ_CACHE_MS', '60001'],
    ['CAUSERIE_SHOPIFY_ADMIN_URL', 'myshopify.com'],
    ['CAUSERIE_SHOPIFY_ADMIN_URL', 'ftp://{store}.myshopify.com'],
    ['CAUSERIE_META_APP_SECRET', 'short'],
    ['CAUSERIE_META_VERIFY_TOKEN', 'has a space'],
    ['CAUSERIE_COMPILE_SCHEMAS_AHEAD', 'later'],
  ])('%s=%s', (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
    expect(error.message.length).toBeGreaterThan(variable.length + 10);
  });

  it('names the short admin key without echoing it', () => {
    const error = configError({ CAUSERIE_ADMIN_KEY: 'tiny-secret' });
    expect(error.message).toContain('16');
    expect(error.message).not.toContain('tiny-secret');
  });

  it('never echoes a database password', () => {
    const error = configError({ DATABASE_URL: 'mysql://root:hunter2@db/causerie' });
    expect(error.variable).toBe('DATABASE_URL');
    expect(error.message).not.toContain('hunter2');
    expect(error.message).toContain('root');
  });
});

describe('the CLI', () => {
  it('refuses to start with PORT=abc: non-zero exit and stderr names PORT', () => {
    expect(fs.existsSync(MAIN)).toBe(true);
    const run = spawnSync(process.execPath, [MAIN, 'start'], {
      env: { PATH: process.env.PATH ?? '', PORT: 'abc', DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.error).toBeUndefined();
    expect(run.signal).toBeNull();
    expect(run.status).not.toBe(0);
    expect(run.status).not.toBeNull();
    expect(run.stderr).toContain('PORT');
    expect(run.stderr).toContain("'abc'");
  });
});
