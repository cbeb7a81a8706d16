// Test harness: a real app on a real database (an SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL is set).
import { copyTestDatabase, type TestDatabase } from '@causerie/test-support/database';
import { ADMIN_KEY } from '@causerie/test-support/processes';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../app.js';
import type { Config, DatabaseConfig } from '../config.js';
import type { AppContext } from '../context.js';
import { openDatabase, type Store } from '../db/database.js';
import type { LazySchemas } from '../http/lazy-schemas.js';

export { createTestDatabase, type TestDatabase, testDialect } from '@causerie/test-support/database';
// The admin key and the databases are test-support's, shared with the tests that start real nodes.
export { ADMIN_KEY } from '@causerie/test-support/processes';

/** Tests talk to receivers on loopback, which the outbound guard refuses unless listed. */
export const TEST_OUTBOUND_ALLOWLIST = '127.0.0.0/8,::1';

export function testConfig(database: DatabaseConfig, overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    database,
    redisUrl: undefined,
    publicUrl: 'http://localhost:8080',
    adminKey: ADMIN_KEY,
    logLevel: 'silent',
    outboundAllowlist: TEST_OUTBOUND_ALLOWLIST,
    ...overrides,
  };
}

export interface ApiAnswer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Envelope;
}

/** One resource as answered: `id`, `_link` and fields the tests assert on. */
export interface Resource {
  id: number;
  _link: string;
  [field: string]: unknown;
}

/** A parsed answer. `data` is typed as both one resource and a list so tests read either without casts. */
export interface Envelope {
  meta: { status: string; message?: string; error?: string; field?: string };
  data: Resource & Resource[];
  pagination: { page: number; pages: number; limit: number; count: number };
}

export interface CallOptions {
  key?: string;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded (already encoded, or an object). */
  form?: string | Record<string, string>;
  headers?: Record<string, string>;
}

export interface TestApp {
  app: FastifyInstance;
  context: AppContext;
  /** The app's route schemas, compiled on first use (http/lazy-schemas.ts). */
  schemas: LazySchemas;
  store: Store;
  database: TestDatabase;
  /** Calls `/api/2{path}` in-process. */
  api(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options?: CallOptions): Promise<ApiAnswer>;
  close(): Promise<void>;
}

export async function startTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  // A copy of the schema global-setup.ts migrated once: already at the latest migration.
  const database = await copyTestDatabase(inject('migratedTemplate'));
  const store = openDatabase(database.config);
  const { app, context, schemas } = await buildApp(testConfig(database.config, overrides), store);
  await app.ready();
  const api: TestApp['api'] = async (method, urlPath, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== undefined) headers['x-api-key'] = options.key;
    let payload: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(options.json);
    } else if (options.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = typeof options.form === 'string' ? options.form : new URLSearchParams(options.form).toString();
    }
    const response = await app.inject({
      method,
      url: `/api/2${urlPath}`,
      headers,
      ...(payload !== undefined && { payload }),
    });
    return { status: response.statusCode, headers: response.headers, body: response.json<Envelope>() };
  };
  return {
    app,
    context,
    schemas,
    store,
    database,
    api,
    close: async () => {
      await app.close();
      await store.close();
      await database.drop();
    },
  };
}

/** Creates a client (as platform admin) and a client-scoped key for it. */
export async function clientWithKey(
  t: TestApp,
  name: string,
  partnerKey?: string,
): Promise<{ clientId: number; key: string }> {
  const created = await t.api('POST', '/client', { key: partnerKey ?? ADMIN_KEY, json: { name, lang: 'fr' } });
  if (created.status !== 200) throw new Error(`client create failed: ${JSON.stringify(created.body)}`);
  const clientId = Number(created.body.data.id);
  const minted = await t.api('POST', `/client/${clientId}/key`, { key: ADMIN_KEY, json: { name: 'tests' } });
  if (minted.status !== 200) throw new Error(`key create failed: ${JSON.stringify(minted.body)}`);
  return { clientId, key: String(minted.body.data.key) };
}

/** Creates a partner and a partner-scoped key for it. */
export async function partnerWithKey(t: TestApp, name: string): Promise<{ partnerId: number; key: string }> {
  const created = await t.api('POST', '/partner', { key: ADMIN_KEY, json: { name } });
  if (created.status !== 200) throw new Error(`partner create failed: ${JSON.stringify(created.body)}`);
  const partnerId = Number(created.body.data.id);
  const minted = await t.api('POST', `/partner/${partnerId}/key`, { key: ADMIN_KEY, json: {} });
  return { partnerId, key: String(minted.body.data.key) };
}

/** Event types written for one subject, oldest first. */
export async function eventTypesFor(t: TestApp, subjectType: string, subjectId: number): Promise<string[]> {
  const rows = await t.store.db
    .selectFrom('event')
    .select('type')
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .orderBy('id')
    .execute();
  return rows.map((row) => row.type);
}
