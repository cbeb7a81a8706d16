// SSO keys as secrets: shown once (create, rotate), stored as SHA-256, never read back, rotated by who may; the
// migration that hashed the keys stored in plaintext before.
import { createHash } from 'node:crypto';
import { type Generated, type Kysely, Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../db/database.js';
import * as foundation from '../../db/migrations/20261121T1300-foundation.js';
import * as conversations from '../../db/migrations/20261121T1600-conversations.js';
import * as live from '../../db/migrations/20261121T1900-live.js';
import * as webhooks from '../../db/migrations/20261121T2100-webhooks.js';
import * as channels from '../../db/migrations/20261121T2200-channels.js';
import {
  type ApiAnswer,
  clientWithKey,
  createTestDatabase,
  eventTypesFor,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { loginWithSsoKey } from './sessions.js';

/** The tables the migration test writes, as the schema before the migration had them. */
interface BeforeSsoHash {
  client: {
    id: Generated<number>;
    name: string;
    lang: string;
    partner_id: number | null;
    created_at: string;
    updated_at: string;
  };
  operator: { client_id: number; name: string; email: string; sso_key: string } & Record<string, string | number>;
}

let t: TestApp;
let key: string;
let adminId: number;
let adminSsoKey: string;
let managerToken: string;
let agentToken: string;
let agentId: number;

const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');

async function ssoLogin(ssoKey: string) {
  const answer = await t.app.inject({ method: 'POST', url: '/auth/sso', payload: { sso_key: ssoKey } });
  return { status: answer.statusCode, body: answer.json<{ data: { operator_id?: number; token?: string } }>() };
}

async function passwordLogin(email: string, password: string): Promise<string> {
  const answer = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password } });
  if (answer.statusCode !== 200) throw new Error(`login failed: ${answer.body}`);
  return answer.json<{ data: { token: string } }>().data.token;
}

async function createOperator(name: string, roles: string[]): Promise<ApiAnswer> {
  const slug = name.toLowerCase().replace(/\W+/g, '.');
  const answer = await t.api('POST', '/operator', {
    key,
    json: { name, email: `${slug}@sso.example`, password: `${slug}-password`, roles },
  });
  if (answer.status !== 200) throw new Error(`create failed: ${JSON.stringify(answer.body)}`);
  return answer;
}

function asSession(token: string, method: 'GET' | 'POST' | 'PUT', path: string, json?: unknown) {
  return t.api(method, path, { headers: { authorization: `Bearer ${token}` }, ...(json !== undefined && { json }) });
}

beforeAll(async () => {
  t = await startTestApp();
  ({ key } = await clientWithKey(t, 'SSO Co'));
  const admin = await createOperator('Sso Admin', ['admin']);
  adminId = admin.body.data.id;
  adminSsoKey = String(admin.body.data.sso_key);
  await createOperator('Sso Manager', ['manager']);
  agentId = (await createOperator('Sso Agent', ['operator'])).body.data.id;
  managerToken = await passwordLogin('sso.manager@sso.example', 'sso.manager-password');
  agentToken = await passwordLogin('sso.agent@sso.example', 'sso.agent-password');
});
afterAll(async () => t.close());

describe('an SSO key is shown once and kept as a hash', () => {
  it('is in the create answer, opens a session, and only its SHA-256 is stored', async () => {
    expect(adminSsoKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const login = await ssoLogin(adminSsoKey);
    expect(login.status).toBe(200);
    expect(login.body.data.operator_id).toBe(adminId);
    const row = await t.store.db
      .selectFrom('operator')
      .select('sso_key_hash')
      .where('id', '=', adminId)
      .executeTakeFirstOrThrow();
    expect(row.sso_key_hash).toBe(sha256Hex(adminSsoKey));
    expect(JSON.stringify(await t.store.db.selectFrom('operator').selectAll().execute())).not.toContain(adminSsoKey);
  });

  it('is in no read, whoever reads: key, admin, manager or agent; the hash is not either', async () => {
    const adminToken = (await ssoLogin(adminSsoKey)).body.data.token as string;
    const reads = [
      await t.api('GET', '/operator?full=1&limit=100', { key }),
      await t.api('GET', `/operator/${adminId}`, { key }),
      await asSession(adminToken, 'GET', '/operator?full=1&limit=100'),
      await asSession(adminToken, 'GET', `/operator/${adminId}`),
      await asSession(managerToken, 'GET', '/operator?full=1&limit=100'),
      await asSession(agentToken, 'GET', '/operator?full=1&limit=100'),
      await asSession(agentToken, 'GET', `/operator/${adminId}`),
      await asSession(agentToken, 'GET', `/operator/${agentId}`),
    ];
    for (const read of reads) {
      expect(read.status).toBe(200);
      const body = JSON.stringify(read.body);
      expect(body).not.toContain(adminSsoKey);
      expect(body).not.toContain(sha256Hex(adminSsoKey));
      expect(body).not.toContain('sso_key');
    }
    const v1 = await t.app.inject({
      method: 'GET',
      url: `/api/operator/getClientOperatorList/?key=${encodeURIComponent(key)}`,
    });
    expect(v1.statusCode).toBe(200);
    expect(v1.body).not.toContain(adminSsoKey);
    expect(v1.body).not.toContain('sso');
  });

  it('refuses a wrong key, and the stored hash itself presented as a key', async () => {
    for (const wrong of ['not-a-key', sha256Hex(adminSsoKey), `${adminSsoKey}x`]) {
      const login = await ssoLogin(wrong);
      expect(login.status).toBe(401);
      expect(login.body).toEqual({
        meta: { status: 'error', message: 'This sign-on key is not valid.', error: 'login_refused' },
      });
    }
  });
});

describe('POST /operator/{id}/sso_key', () => {
  it('issues a new key once (with its login link); the old key stops working at once', async () => {
    const { id, sso_key: oldKey } = (await createOperator('Sso Rotated', ['operator'])).body.data;
    const rotated = await t.api('POST', `/operator/${id}/sso_key`, { key });
    expect(rotated.status).toBe(200);
    const newKey = String(rotated.body.data.sso_key);
    expect(rotated.body.data).toEqual({
      operator_id: id,
      sso_key: newKey,
      login_url: `http://localhost:8080/admin/login?key=${encodeURIComponent(newKey)}`,
    });
    expect(newKey).not.toBe(oldKey);
    expect((await ssoLogin(String(oldKey))).status).toBe(401);
    expect((await ssoLogin(newKey)).body.data.operator_id).toBe(id);
    expect(JSON.stringify((await t.api('GET', `/operator/${id}`, { key })).body)).not.toContain(newKey);
    // Listeners hear that the operator changed, and what: never the key.
    expect(await eventTypesFor(t, 'operator', id)).toEqual(['user.created', 'user.updated']);
    const event = await t.store.db
      .selectFrom('event')
      .select('payload')
      .where('subject_id', '=', id)
      .where('type', '=', 'user.updated')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event.payload)).toEqual({ userId: id, changed: ['sso_key'] });
  });

  it("refuses an agent's session, and a manager's for an admin; a manager may for a manager or agent", async () => {
    const agent = await asSession(agentToken, 'POST', `/operator/${agentId}/sso_key`);
    expect(agent.status).toBe(403);
    const forAdmin = await asSession(managerToken, 'POST', `/operator/${adminId}/sso_key`);
    expect(forAdmin.status).toBe(403);
    expect(forAdmin.body.meta.message).toBe("Only an admin can change an admin's email, password or SSO key.");
    expect((await ssoLogin(adminSsoKey)).status).toBe(200);
    const forAgent = await asSession(managerToken, 'POST', `/operator/${agentId}/sso_key`);
    expect(forAgent.status).toBe(200);
    expect((await ssoLogin(String(forAgent.body.data.sso_key))).body.data.operator_id).toBe(agentId);
  });

  it("refuses a manager's session the admin's password and email, which would open the admin's account too", async () => {
    for (const json of [
      { password: 'taken-over-1' },
      { email: 'mine@sso.example' },
      { name: 'x', password: 'pw-12345678' },
    ]) {
      const refused = await asSession(managerToken, 'PUT', `/operator/${adminId}`, json);
      expect(refused.status, JSON.stringify(json)).toBe(403);
      expect(refused.body.meta.message).toBe("Only an admin can change an admin's email, password or SSO key.");
    }
    const stored = await t.store.db
      .selectFrom('operator')
      .select(['email'])
      .where('id', '=', adminId)
      .executeTakeFirstOrThrow();
    expect(stored.email).toBe('sso.admin@sso.example');
    expect((await asSession(managerToken, 'PUT', `/operator/${agentId}`, { password: 'new-agent-pw' })).status).toBe(
      200,
    );
  });

  it('answers 404 for another client’s operator', async () => {
    const { key: otherKey } = await clientWithKey(t, 'Other SSO Co');
    const rotated = await t.api('POST', `/operator/${adminId}/sso_key`, { key: otherKey });
    expect(rotated.status).toBe(404);
    expect((await ssoLogin(adminSsoKey)).status).toBe(200);
  });

  it('leaves no working key to a deleted operator', async () => {
    const { id, sso_key: ssoKey } = (await createOperator('Sso Deleted', ['operator'])).body.data;
    expect((await t.api('DELETE', `/operator/${id}`, { key })).status).toBe(200);
    expect((await ssoLogin(String(ssoKey))).status).toBe(401);
    expect((await t.api('POST', `/operator/${id}/sso_key`, { key })).status).toBe(404);
  });
});

describe('migration 20261204T0400-sso-key-hash', () => {
  it('hashes the keys stored in plaintext in place: the links given out before keep working', async () => {
    const database = await createTestDatabase();
    const store = openDatabase(database.config);
    try {
      const before = {
        '20261121T1300-foundation': foundation,
        '20261121T1600-conversations': conversations,
        '20261121T1900-live': live,
        '20261121T2100-webhooks': webhooks,
        '20261121T2200-channels': channels,
      };
      const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => before } });
      const { error } = await migrator.migrateToLatest();
      expect(error).toBeUndefined();
      // Rows as the previous schema stored them: the key itself in `sso_key`.
      const old = store.db as unknown as Kysely<BeforeSsoHash>;
      const at = new Date().toISOString();
      const { id: clientId } = await old
        .insertInto('client')
        .values({ name: 'Before', lang: 'en', partner_id: null, created_at: at, updated_at: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      const plaintext = ['given-out-before-1', 'given-out-before-2'];
      for (const [index, ssoKey] of plaintext.entries())
        await old
          .insertInto('operator')
          .values({
            client_id: Number(clientId),
            name: `Before ${index}`,
            email: `before${index}@old.example`,
            roles: '["admin"]',
            chat_enabled: 1,
            call_enabled: 0,
            video_enabled: 0,
            chat_max_number: 2,
            chat_and_call: 0,
            chat_priority: 0,
            call_priority: 0,
            video_priority: 0,
            language_list: '["en"]',
            language_admin: 'en',
            sso_key: ssoKey,
            created_at: at,
            updated_at: at,
          })
          .execute();
      await migrateToLatest(store.db);
      const rows = await store.db.selectFrom('operator').select(['email', 'sso_key_hash']).orderBy('id').execute();
      expect(rows).toEqual([
        { email: 'before0@old.example', sso_key_hash: sha256Hex('given-out-before-1') },
        { email: 'before1@old.example', sso_key_hash: sha256Hex('given-out-before-2') },
      ]);
      const session = await loginWithSsoKey(store.db, 'given-out-before-2');
      expect(session.clientId).toBe(Number(clientId));
      await expect(loginWithSsoKey(store.db, sha256Hex('given-out-before-2'))).rejects.toThrow(
        'This sign-on key is not valid.',
      );
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
