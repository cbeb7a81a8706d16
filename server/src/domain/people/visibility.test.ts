// The operator field matrix through the real API: every kind of reader (platform, partner and client keys; admin,
// manager, operator and expert console sessions, logged in through /auth/login) × every sensitive field, on a colleague
// and on themselves, in the list (full=1) and the single read. The expectations are written out here, apart from the
// table in visibility.ts, so a change to the table that this matrix does not foresee fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  type ApiAnswer,
  clientWithKey,
  partnerWithKey,
  type Resource,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { OPERATOR_FIELD_ACCESS } from './visibility.js';

let t: TestApp;

type Reader = 'platform key' | 'partner key' | 'client key' | 'admin' | 'manager' | 'operator' | 'expert';
const READERS: readonly Reader[] = [
  'platform key',
  'partner key',
  'client key',
  'admin',
  'manager',
  'operator',
  'expert',
];
const SESSION_ROLES = { admin: 'admin', manager: 'manager', operator: 'operator', expert: 'expert' } as const;

/** Account fields: seen by keys, admins and managers on everyone, by operators and experts on themselves only. */
const MANAGED_FIELDS = [
  'email',
  'external_id',
  'role',
  'roles',
  'chat_max_number',
  'chat_and_call',
  'chat_priority',
  'call_priority',
  'video_priority',
  'language_admin',
] as const;
/** What colleagues need to know of each other (names, presence, what they can take): seen by every reader. */
const DIRECTORY_FIELDS = [
  'id',
  'name',
  'first_name',
  'pseudo',
  'chat_enabled',
  'call_enabled',
  'video_enabled',
  'language_list',
  'group_id',
  'website_list',
  'skill_list',
  'connected',
  'client_id',
  'created_at',
  '_link',
] as const;
/** Credentials and their stored forms: in no read, for anyone. */
const SECRET_FIELDS = ['sso_key', 'password', 'password_hash', 'sso_key_hash'] as const;

const SEES_COLLEAGUES_ACCOUNTS: Record<Reader, boolean> = {
  'platform key': true,
  'partner key': true,
  'client key': true,
  admin: true,
  manager: true,
  operator: false,
  expert: false,
};

interface Target {
  id: number;
  ssoKey: string;
  password: string;
}
/** A colleague every reader looks at: a manager, with every field set. */
let colleague: Target;
let clientId: number;
const credentials = new Map<Reader, { key?: string; token?: string; operatorId?: number }>();

function read(reader: Reader, path: string): Promise<ApiAnswer> {
  const { key, token } = credentials.get(reader) ?? {};
  return t.api('GET', path, token === undefined ? { key } : { headers: { authorization: `Bearer ${token}` } });
}

/** The operator `id` as this reader sees it, in both forms; they must agree. */
async function seenBy(reader: Reader, id: number): Promise<{ item: Resource; bodies: string[] }> {
  const one = await read(reader, `/operator/${id}`);
  const list = await read(reader, '/operator?full=1&limit=100');
  expect(one.status, reader).toBe(200);
  expect(list.status, reader).toBe(200);
  const listed = list.body.data.find((item) => item.id === id);
  expect(listed, reader).toEqual(one.body.data);
  return { item: one.body.data, bodies: [JSON.stringify(one.body), JSON.stringify(list.body)] };
}

beforeAll(async () => {
  t = await startTestApp();
  const partner = await partnerWithKey(t, 'Matrix partner');
  const client = await clientWithKey(t, 'Matrix Co', partner.key);
  clientId = client.clientId;
  credentials.set('platform key', { key: ADMIN_KEY });
  credentials.set('partner key', { key: partner.key });
  credentials.set('client key', { key: client.key });
  const create = async (name: string, roles: string[], password: string) => {
    const answer = await t.api('POST', '/operator', {
      key: client.key,
      json: {
        name,
        first_name: 'First',
        pseudo: `${name} pseudo`,
        email: `${name.toLowerCase()}@matrix.example`,
        external_id: `EXT-${name}`,
        password,
        roles,
        chat_max_number: 4,
        chat_priority: 10,
        language_admin: 'fr',
      },
    });
    if (answer.status !== 200) throw new Error(`create failed: ${JSON.stringify(answer.body)}`);
    return { id: Number(answer.body.data.id), ssoKey: String(answer.body.data.sso_key), password };
  };
  colleague = await create('Colleague', ['manager'], 'colleague-secret-password');
  for (const [reader, role] of Object.entries(SESSION_ROLES) as [Reader, string][]) {
    const me = await create(`Reader${role}`, [role], `${role}-secret-password`);
    const login = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: `reader${role}@matrix.example`, password: me.password },
    });
    if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
    credentials.set(reader, { token: login.json<{ data: { token: string } }>().data.token, operatorId: me.id });
  }
});
afterAll(async () => t.close());

describe('operator fields × reader', () => {
  it.each(READERS)('%s: a colleague’s account fields as the matrix says, directory fields always', async (reader) => {
    const { item } = await seenBy(reader, colleague.id);
    for (const field of DIRECTORY_FIELDS) expect(item, `${reader} × ${field}`).toHaveProperty(field);
    for (const field of MANAGED_FIELDS)
      expect(field in item, `${reader} × ${field}`).toBe(SEES_COLLEAGUES_ACCOUNTS[reader]);
    if (SEES_COLLEAGUES_ACCOUNTS[reader])
      expect(item).toMatchObject({
        email: 'colleague@matrix.example',
        external_id: 'EXT-Colleague',
        roles: ['manager'],
        chat_priority: 10,
      });
  });

  it.each(READERS)('%s: no credential of the colleague, by name or by value', async (reader) => {
    const { item, bodies } = await seenBy(reader, colleague.id);
    for (const field of SECRET_FIELDS) expect(field in item, `${reader} × ${field}`).toBe(false);
    for (const body of bodies) {
      expect(body).not.toContain(colleague.ssoKey);
      expect(body).not.toContain(colleague.password);
      expect(body).not.toMatch(/sso_key|password|\$argon2/);
    }
  });

  it.each(['admin', 'manager', 'operator', 'expert'] as const)(
    '%s session: its own record shows every account field, and still no credential',
    async (reader) => {
      const self = credentials.get(reader)?.operatorId as number;
      const { item, bodies } = await seenBy(reader, self);
      for (const field of [...DIRECTORY_FIELDS, ...MANAGED_FIELDS])
        expect(item, `${reader} × ${field}`).toHaveProperty(field);
      expect(item.roles).toEqual([SESSION_ROLES[reader]]);
      for (const field of SECRET_FIELDS) expect(field in item, `${reader} × ${field}`).toBe(false);
      for (const body of bodies) expect(body).not.toContain(`${SESSION_ROLES[reader]}-secret-password`);
    },
  );

  it('the table decides every field a presenter shows, so a new field is hidden until it is decided', () => {
    const decided = Object.keys(OPERATOR_FIELD_ACCESS).sort();
    expect(decided).toEqual([...DIRECTORY_FIELDS, ...MANAGED_FIELDS, 'sso_key', 'password'].sort());
  });

  it('v1 (client keys only) lists the same account fields', async () => {
    const answer = await t.app.inject({
      method: 'GET',
      url: `/api/operator/getClientOperatorList/?key=${encodeURIComponent(credentials.get('client key')?.key ?? '')}`,
    });
    expect(answer.statusCode).toBe(200);
    const operators = answer.json<{ operators: Record<string, string>[] }>().operators;
    expect(operators.find((row) => row.id === String(colleague.id))).toMatchObject({
      external_id: 'EXT-Colleague',
      rights: 'manager',
      maxchat: '4',
    });
    expect(answer.body).not.toContain(colleague.ssoKey);
  });
});

describe('an operator cannot become admin (issue 15)', () => {
  it('finds no key to sign on with in anything it can read, and an operator’s session cannot issue one', async () => {
    const adminId = credentials.get('admin')?.operatorId as number;
    const reads = [
      await read('operator', '/operator?full=1&limit=100'),
      await read('operator', `/operator/${adminId}`),
      await read('operator', '/website?full=1'),
    ];
    const tried = new Set<string>();
    for (const answer of reads)
      for (const value of JSON.stringify(answer.body).match(/[A-Za-z0-9_-]{20,}/g) ?? []) tried.add(value);
    for (const value of tried) {
      const login = await t.app.inject({ method: 'POST', url: '/auth/sso', payload: { sso_key: value } });
      expect(login.statusCode, value).toBe(401);
    }
    const token = credentials.get('operator')?.token as string;
    const issued = await t.api('POST', `/operator/${adminId}/sso_key`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(issued.status).toBe(403);
  });

  it('a manager’s session cannot mint or read API keys, which act for the whole client, admin role included', async () => {
    const manager = credentials.get('manager')?.token as string;
    const admin = credentials.get('admin')?.token as string;
    const as = (token: string, method: 'GET' | 'POST', path: string, json?: unknown) =>
      t.api(method, path, { headers: { authorization: `Bearer ${token}` }, ...(json !== undefined && { json }) });
    const minted = await as(manager, 'POST', `/client/${clientId}/key`, { name: 'mine now' });
    expect(minted.status).toBe(403);
    expect(minted.body.meta.message).toBe(
      "A manager's console session cannot create API keys: the admin role is needed.",
    );
    expect((await as(manager, 'GET', '/key?full=1')).status).toBe(403);
    const byAdmin = await as(admin, 'POST', `/client/${clientId}/key`, { name: 'by the admin' });
    expect(byAdmin.status).toBe(200);
  });
});
