// The legacy v1 API (seed 002) for operators and websites, its keys, envelope and routing, on a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveConversation } from '../../domain/routing/commands.js';
import { findOrCreateVisitor } from '../../domain/visitors/identity.js';
import { transact } from '../../events/transact.js';
import {
  ADMIN_KEY,
  clientWithKey,
  eventTypesFor,
  partnerWithKey,
  type Resource,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';

let t: TestApp;
let key: string;
let clientId: number;
let otherKey: string;
let partnerKey: string;

interface V1Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
  json: unknown;
}

interface CallOptions {
  /** `null` sends no key; by default the client's key goes in the `key` query parameter, as seed 002 writes it. */
  key?: string | null;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** POST only: parameters (and the key) in a form body instead of the query. */
  form?: boolean;
  headers?: Record<string, string>;
}

/** Calls `/api{path}` with the parameters in the query string (or a form body). */
async function v1(path: string, params: Record<string, string> = {}, options: CallOptions = {}): Promise<V1Answer> {
  const method = options.method ?? 'GET';
  const presented = options.key === undefined ? key : options.key;
  const all = new URLSearchParams({ ...params, ...(presented !== null && { key: presented }) });
  const response = options.form
    ? await t.app.inject({
        method,
        url: `/api${path}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
        payload: all.toString(),
      })
    : await t.app.inject({
        method,
        url: `/api${path}${all.size > 0 ? `?${all.toString()}` : ''}`,
        headers: options.headers ?? {},
      });
  const text = response.body;
  let json: unknown = null;
  if (String(response.headers['content-type'] ?? '').startsWith('application/json')) json = JSON.parse(text);
  return { status: response.statusCode, headers: response.headers, text, json };
}

interface V1Operator {
  id: string;
  external_id: string;
  name: string;
  nick: string;
  pseudo: string;
  rights: string;
  curchat: string;
  maxchat: string;
  is_online: string;
  messenger_isonline: string;
}

async function operatorList(
  path = '/operator/getClientOperatorList/',
  params: Record<string, string> = {},
  as: string = key,
): Promise<V1Operator[]> {
  const answer = await v1(path, params, { key: as });
  expect(answer.status).toBe(200);
  return (answer.json as { operators: V1Operator[] }).operators;
}

let counter = 0;
const freshEmail = (stem: string) => `${stem}.${++counter}@v1.example`;

async function createV1(params: Record<string, string>, as: string = key): Promise<V1Operator> {
  const answer = await v1('/operator/createAccount/', { password: 'mypass', ...params }, { key: as });
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  expect(answer.json).toEqual({ result: 'success' });
  const found = (await operatorList('/operator/getClientOperatorList/', {}, as)).find(
    (item) => item.name === params.name,
  );
  if (!found) throw new Error(`operator ${params.name} not listed`);
  return found;
}

async function createV2(path: string, json: Record<string, unknown>, as: string = key): Promise<Resource> {
  const answer = await t.api('POST', path, { key: as, json });
  if (answer.status !== 200) throw new Error(`POST ${path} failed: ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

const error = (message: string) => ({ result: 'error', message });

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'V1 Co'));
  ({ key: otherKey } = await clientWithKey(t, 'V1 Other Co'));
  ({ key: partnerKey } = await partnerWithKey(t, 'V1 Partner'));
});
afterAll(async () => t.close());

describe('keys', () => {
  it('takes the key from the key parameter, the X-API-Key header, HTTP Basic, or a POSTed form', async () => {
    expect((await v1('/website/getClientWebsiteList/')).status).toBe(200);
    expect((await v1('/website/getClientWebsiteList/', {}, { key: null, headers: { 'x-api-key': key } })).status).toBe(
      200,
    );
    const basic = `Basic ${Buffer.from(`${key}:x`).toString('base64')}`;
    expect(
      (await v1('/website/getClientWebsiteList/', {}, { key: null, headers: { authorization: basic } })).status,
    ).toBe(200);
    expect((await v1('/website/getClientWebsiteList/', {}, { method: 'POST', form: true })).status).toBe(200);
  });

  it('answers 403 in the v1 envelope without a key or with a wrong one', async () => {
    for (const presented of [null, 'not-a-key', `${key}x`]) {
      const answer = await v1('/operator/getClientOperatorList/', {}, { key: presented });
      expect(answer.status).toBe(403);
      expect(answer.json).toEqual(error("Forbidden: give your client API key in the 'key' parameter."));
    }
  });

  it('refuses partner and platform keys: v1 is one client’s API', async () => {
    for (const [presented, scope] of [
      [partnerKey, 'partner'],
      [ADMIN_KEY, 'platform'],
    ] as const) {
      const answer = await v1('/operator/getClientOperatorList/', {}, { key: presented });
      expect(answer.status).toBe(403);
      expect(answer.json).toEqual(
        error(`The v1 API works on one client's data: call it with a client API key, not a ${scope} key.`),
      );
    }
  });

  it('checks the key before the parameters', async () => {
    const answer = await v1('/operator/deleteAccount/', { id: 'abc' }, { key: null });
    expect(answer.status).toBe(403);
  });
});

describe('operator/createAccount', () => {
  it("runs seed 002's example and lists the account with every value a string", async () => {
    // http://www.iadvize.com/api/operator/createAccount/?key={APIKEY}&name=firstname+lastname&email=email@example.com&password=mypass&pseudo=mypseudo
    const answer = await t.app.inject({
      method: 'GET',
      url: `/api/operator/createAccount/?key=${encodeURIComponent(key)}&name=firstname+lastname&email=email@example.com&password=mypass&pseudo=mypseudo`,
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.json()).toEqual({ result: 'success' });
    const listed = (await operatorList()).find((item) => item.name === 'firstname lastname');
    expect(listed).toEqual({
      id: expect.stringMatching(/^\d+$/),
      external_id: '',
      name: 'firstname lastname',
      nick: 'firstname',
      pseudo: 'mypseudo',
      rights: 'operator',
      curchat: '0',
      maxchat: '2',
      is_online: '0',
      messenger_isonline: '0',
    });
    const id = Number(listed?.id);
    expect(await eventTypesFor(t, 'operator', id)).toEqual(['user.created']);
  });

  it('is the same operator v2 sees, with type, maxchat and external_id', async () => {
    const created = await createV1({
      name: 'Julie Martin',
      email: freshEmail('julie'),
      type: 'manager',
      maxchat: '5',
      external_id: 'EXT-1',
    });
    expect(created).toMatchObject({ external_id: 'EXT-1', nick: 'Julie', rights: 'manager', maxchat: '5' });
    const v2 = await t.api('GET', `/operator/${created.id}`, { key });
    expect(v2.status).toBe(200);
    expect(v2.body.data).toMatchObject({
      name: 'Julie Martin',
      external_id: 'EXT-1',
      roles: ['manager'],
      chat_max_number: 5,
      pseudo: null,
    });
    const listed = await t.api('GET', '/operator?limit=100', { key });
    expect(listed.body.data.map((item) => item.id)).toContain(Number(created.id));
  });

  it('stores the password as an argon2id hash', async () => {
    const created = await createV1({ name: 'Hashed Pass', email: freshEmail('hash'), password: 'secret-v1' });
    const row = await t.store.db
      .selectFrom('operator')
      .select('password_hash')
      .where('id', '=', Number(created.id))
      .executeTakeFirstOrThrow();
    expect(row.password_hash?.startsWith('$argon2id$')).toBe(true);
  });

  it('accepts the same parameters POSTed as a form', async () => {
    const email = freshEmail('form');
    const answer = await v1(
      '/operator/createAccount/',
      { name: 'Form Posted', email, password: 'mypass', maxchat: '3' },
      { method: 'POST', form: true },
    );
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ result: 'success' });
    expect((await operatorList()).find((item) => item.name === 'Form Posted')).toMatchObject({ maxchat: '3' });
  });

  it('reads the query string of a POST too, the form winning', async () => {
    const answer = await t.app.inject({
      method: 'POST',
      url: `/api/operator/createAccount/?key=${encodeURIComponent(key)}&name=Query+Name&maxchat=4`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ name: 'Body Name', email: freshEmail('mixed'), password: 'mypass' }).toString(),
    });
    expect(answer.statusCode).toBe(200);
    const names = (await operatorList()).map((item) => item.name);
    expect(names).toContain('Body Name');
    expect(names).not.toContain('Query Name');
    expect((await operatorList()).find((item) => item.name === 'Body Name')?.maxchat).toBe('4');
  });

  it('names the missing or invalid parameter, writing nothing', async () => {
    const before = (await operatorList()).length;
    const cases: [Record<string, string>, string][] = [
      [{ email: freshEmail('x'), password: 'mypass' }, "Field 'name' is missing."],
      [{ name: 'No Email', password: 'mypass' }, "Field 'email' is missing."],
      [{ name: 'No Pass', email: freshEmail('x') }, "Field 'password' is missing."],
      [
        { name: '   ', email: freshEmail('x'), password: 'mypass' },
        "Value of field 'name' is not valid. It must not be empty.",
      ],
      [
        { name: 'Bad Mail', email: 'not-an-email', password: 'mypass' },
        "Value of field 'email' is not valid. Expected an email address, such as 'julie@shop.example'.",
      ],
      [
        { name: 'Short', email: freshEmail('x'), password: 'abc' },
        "Value of field 'password' is not valid. It must be at least 6 characters long.",
      ],
      [
        { name: 'Seven', email: freshEmail('x'), password: 'mypass', maxchat: '7' },
        "Value of field 'maxchat' is not valid. Expected a whole number from 1 to 6.",
      ],
      [
        { name: 'Zero', email: freshEmail('x'), password: 'mypass', maxchat: '0' },
        "Value of field 'maxchat' is not valid. Expected a whole number from 1 to 6.",
      ],
      [
        { name: 'Text', email: freshEmail('x'), password: 'mypass', maxchat: 'two' },
        "Value of field 'maxchat' is not valid. Expected a whole number from 1 to 6.",
      ],
      [
        { name: 'Typed', email: freshEmail('x'), password: 'mypass', type: 'boss' },
        "Value of field 'type' is not valid. Expected operator, manager or admin.",
      ],
      [
        { name: 'Nul\u0000Byte', email: freshEmail('x'), password: 'mypass' },
        "Value of field 'name' is not valid. It must not contain NUL characters.",
      ],
    ];
    for (const [params, message] of cases) {
      const answer = await v1('/operator/createAccount/', params);
      expect(answer.status, message).toBe(400);
      expect(answer.json).toEqual(error(message));
    }
    expect((await operatorList()).length).toBe(before);
  });

  it('refuses an email another operator of the account uses (409)', async () => {
    const email = freshEmail('twice');
    await createV1({ name: 'First Twice', email });
    const answer = await v1('/operator/createAccount/', { name: 'Second Twice', email, password: 'mypass' });
    expect(answer.status).toBe(409);
    expect(answer.json).toEqual(
      error(`Value of field 'email' is not valid. An operator with the email '${email}' already exists.`),
    );
  });
});

describe('operator/getClientOperatorList and getWebsiteOperatorList', () => {
  it('lists operators created through v2, with nick, rights, curchat and online flags from the live state', async () => {
    const site = await createV2('/website', { url: 'https://flags.example' });
    const made = await createV2('/operator', {
      name: 'Lee Van Cleef',
      first_name: 'Clint',
      email: freshEmail('lee'),
      roles: ['expert', 'admin'],
      chat_max_number: 4,
    });
    const at = new Date().toISOString();
    const visitor = await t.store.db
      .insertInto('visitor')
      .values({
        client_id: clientId,
        unique_id: 'flags-visitor',
        external_id: null,
        lastname: null,
        firstname: null,
        address: null,
        city: null,
        zip: null,
        country: null,
        phone: null,
        email: null,
        browser: null,
        created_at: at,
        updated_at: at,
        deleted_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const [status, index] of [
      ['open', 1],
      ['open', 2],
      ['closed', 3],
      ['waiting', 4],
    ] as const) {
      await t.store.db
        .insertInto('conversation')
        .values({
          client_id: clientId,
          website_id: site.id,
          channel: 'chat',
          source: 'web',
          visitor_id: visitor.id,
          operator_id: made.id,
          skill_id: null,
          rule_id: null,
          status,
          xmpp_id: `flags-${index}`,
          created_at: at,
          updated_at: at,
        })
        .execute();
    }
    await t.store.db
      .updateTable('operator')
      .set({ connected: 1, chat_available: 1 })
      .where('id', '=', made.id)
      .execute();
    const listed = (await operatorList()).find((item) => item.id === String(made.id));
    expect(listed).toEqual({
      id: String(made.id),
      external_id: '',
      name: 'Lee Van Cleef',
      nick: 'Clint',
      pseudo: '',
      rights: 'admin',
      curchat: '2',
      maxchat: '4',
      is_online: '1',
      messenger_isonline: '1',
    });
  });

  it("answers {operators: []} for an account without operators, and never another account's", async () => {
    const fresh = await clientWithKey(t, 'V1 Empty Co');
    expect(await v1('/operator/getClientOperatorList/', {}, { key: fresh.key })).toMatchObject({
      status: 200,
      json: { operators: [] },
    });
    await createV1({ name: 'Other Account Op', email: freshEmail('other') }, otherKey);
    expect((await operatorList()).map((item) => item.name)).not.toContain('Other Account Op');
  });

  it('lists the operators of one website (sid), and answers 404 for a website that is not yours', async () => {
    const site = await createV2('/website', { url: 'https://linked.example' });
    const linked = await createV2('/operator', {
      name: 'Linked Op',
      email: freshEmail('linked'),
      website_list: [site.id],
    });
    await createV2('/operator', { name: 'Unlinked Op', email: freshEmail('unlinked') });
    expect(
      (await operatorList('/operator/getWebsiteOperatorList/', { sid: String(site.id) })).map((item) => item.id),
    ).toEqual([String(linked.id)]);
    const theirs = await createV2('/website', { url: 'https://theirs.example' }, otherKey);
    for (const sid of [String(theirs.id), '999999']) {
      const answer = await v1('/operator/getWebsiteOperatorList/', { sid });
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual(error(`Unknown 'website' with 'id' ${sid}.`));
    }
    expect((await v1('/operator/getWebsiteOperatorList/', {})).json).toEqual(error("Field 'sid' is missing."));
    expect((await v1('/operator/getWebsiteOperatorList/', { sid: 'abc' })).json).toEqual(
      error("Value of field 'sid' is not valid. Expected a whole number identifier."),
    );
  });
});

describe('operator/editAccount and deleteAccount', () => {
  it("runs seed 002's editAccount example: changes the fields given, emits user.updated", async () => {
    const created = await createV1({
      name: 'Before Edit',
      email: freshEmail('edit'),
      pseudo: 'Old',
      external_id: 'OLD',
    });
    // http://www.iadvize.com/api/operator/editAccount/?key={APIKEY}&id={OPID}&name=firstname+lastname&external_id={EXTID}
    const answer = await v1('/operator/editAccount/', {
      id: created.id,
      name: 'firstname lastname edited',
      external_id: 'NEW-EXT',
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ result: 'success' });
    const after = (await operatorList()).find((item) => item.id === created.id);
    expect(after).toMatchObject({ name: 'firstname lastname edited', external_id: 'NEW-EXT', pseudo: 'Old' });
    expect(await eventTypesFor(t, 'operator', Number(created.id))).toEqual(['user.created', 'user.updated']);
  });

  it('changes email, password, pseudo, type and maxchat; an empty pseudo or external_id clears it', async () => {
    const created = await createV1({ name: 'Every Edit', email: freshEmail('every'), pseudo: 'P', external_id: 'E' });
    const email = freshEmail('changed');
    const answer = await v1('/operator/editAccount/', {
      id: created.id,
      email,
      password: 'another1',
      pseudo: '',
      external_id: '',
      type: 'admin',
      maxchat: '6',
    });
    expect(answer.status).toBe(200);
    expect((await operatorList()).find((item) => item.id === created.id)).toMatchObject({
      pseudo: '',
      external_id: '',
      rights: 'admin',
      maxchat: '6',
    });
    expect((await t.api('GET', `/operator/${created.id}`, { key })).body.data).toMatchObject({
      email,
      pseudo: null,
      external_id: null,
    });
  });

  it("refuses a parameter the method does not take, such as another client's website_id, creating nothing", async () => {
    const theirSite = await createV2('/website', { url: 'https://their-v1-site.example' }, otherKey);
    const email = freshEmail('foreignsite');
    const answer = await v1('/operator/createAccount/', {
      name: 'Foreign Site',
      email,
      password: 'mypass',
      website_id: String(theirSite.id),
    });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(
      error(
        "Parameter 'website_id' is not a parameter of operator/createAccount. It takes: name, email, password, pseudo, type, maxchat, external_id, out.",
      ),
    );
    expect((await operatorList()).some((item) => item.name === 'Foreign Site')).toBe(false);
    // The same in a POSTed form.
    const posted = await v1(
      '/operator/createAccount/',
      { name: 'Foreign Site', email, password: 'mypass', website_id: '1' },
      {
        method: 'POST',
        form: true,
      },
    );
    expect(posted.status).toBe(400);
  });

  it('refuses an edit that changes nothing, bad values, and operators that are not yours', async () => {
    const created = await createV1({ name: 'Edit Errors', email: freshEmail('errors') });
    const nothing = await v1('/operator/editAccount/', { id: created.id });
    expect(nothing.status).toBe(400);
    expect(nothing.json).toEqual(
      error('Nothing to change: give at least one of name, email, password, pseudo, type, maxchat, external_id.'),
    );
    // A misspelt parameter is named, not ignored.
    const typo = await v1('/operator/editAccount/', { id: created.id, nom: 'typo' });
    expect(typo.status).toBe(400);
    expect(typo.json).toEqual(
      error(
        "Parameter 'nom' is not a parameter of operator/editAccount. It takes: id, name, email, password, pseudo, type, maxchat, external_id, out.",
      ),
    );
    expect((await v1('/operator/editAccount/', { name: 'x' })).json).toEqual(error("Field 'id' is missing."));
    expect((await v1('/operator/editAccount/', { id: created.id, maxchat: '9' })).status).toBe(400);
    const theirs = await createV1({ name: 'Their Op', email: freshEmail('their') }, otherKey);
    for (const id of [theirs.id, '424242']) {
      const answer = await v1('/operator/editAccount/', { id, name: 'Hijack' });
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual(error(`Unknown 'operator' with 'id' ${id}.`));
    }
    expect(
      (await operatorList('/operator/getClientOperatorList/', {}, otherKey)).find((item) => item.id === theirs.id)
        ?.name,
    ).toBe('Their Op');
  });

  it('deletes an account: gone from v1 and v2 lists, user.deleted, a second delete answers 404', async () => {
    const created = await createV1({ name: 'To Delete', email: freshEmail('delete') });
    const answer = await v1('/operator/deleteAccount/', { id: created.id });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ result: 'success' });
    expect((await operatorList()).map((item) => item.id)).not.toContain(created.id);
    expect((await t.api('GET', `/operator/${created.id}`, { key })).status).toBe(404);
    expect(await eventTypesFor(t, 'operator', Number(created.id))).toEqual(['user.created', 'user.deleted']);
    const again = await v1('/operator/deleteAccount/', { id: created.id });
    expect(again.status).toBe(404);
    expect(again.json).toEqual(error(`Unknown 'operator' with 'id' ${created.id}.`));
  });

  it('answers 400, never 500, for ids that are not whole numbers or too large', async () => {
    for (const id of ['abc', '-1', '0', '1.5', '99999999999999999999', '']) {
      const answer = await v1('/operator/deleteAccount/', { id });
      expect(answer.status, id).toBe(400);
      expect(answer.json).toEqual(error("Value of field 'id' is not valid. Expected a whole number identifier."));
    }
  });
});

describe('operator/linkWebsite and unlinkWebsite', () => {
  it('links and unlinks, as v2 website_list shows, emitting user.updated only when something changes', async () => {
    const site = await createV2('/website', { url: 'https://link.example' });
    const created = await createV1({ name: 'Link Op', email: freshEmail('link') });
    const params = { opid: created.id, sid: String(site.id) };
    // http://www.iadvize.com/api/operator/linkWebsite/?key={APIKEY}&opid={OPID}&sid={SITE_ID}
    expect((await v1('/operator/linkWebsite/', params)).json).toEqual({ result: 'success' });
    expect((await t.api('GET', `/operator/${created.id}`, { key })).body.data.website_list).toEqual([site.id]);
    expect(
      (await operatorList('/operator/getWebsiteOperatorList/', { sid: String(site.id) })).map((item) => item.id),
    ).toEqual([created.id]);
    expect((await v1('/operator/linkWebsite/', params)).json).toEqual({ result: 'success' });
    expect(await eventTypesFor(t, 'operator', Number(created.id))).toEqual(['user.created', 'user.updated']);
    const payload = await t.store.db
      .selectFrom('event')
      .select('payload')
      .where('subject_type', '=', 'operator')
      .where('subject_id', '=', Number(created.id))
      .where('type', '=', 'user.updated')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(payload.payload)).toEqual({
      userId: Number(created.id),
      changed: ['website_list'],
      websiteId: site.id,
      linked: true,
    });

    expect((await v1('/operator/unlinkWebsite/', params)).json).toEqual({ result: 'success' });
    expect((await t.api('GET', `/operator/${created.id}`, { key })).body.data.website_list).toEqual([]);
    expect((await v1('/operator/unlinkWebsite/', params)).json).toEqual({ result: 'success' });
    expect(await eventTypesFor(t, 'operator', Number(created.id))).toEqual([
      'user.created',
      'user.updated',
      'user.updated',
    ]);
  });

  it("answers 404 for another account's website or operator, and names missing parameters", async () => {
    const mine = await createV2('/website', { url: 'https://mine-link.example' });
    const theirs = await createV2('/website', { url: 'https://theirs-link.example' }, otherKey);
    const created = await createV1({ name: 'Guarded Op', email: freshEmail('guarded') });
    const theirOp = await createV1({ name: 'Their Link Op', email: freshEmail('theirlink') }, otherKey);
    for (const method of ['linkWebsite', 'unlinkWebsite']) {
      expect(await v1(`/operator/${method}/`, { opid: created.id, sid: String(theirs.id) })).toMatchObject({
        status: 404,
        json: error(`Unknown 'website' with 'id' ${theirs.id}.`),
      });
      expect(await v1(`/operator/${method}/`, { opid: theirOp.id, sid: String(mine.id) })).toMatchObject({
        status: 404,
        json: error(`Unknown 'operator' with 'id' ${theirOp.id}.`),
      });
      expect(await v1(`/operator/${method}/`, { opid: created.id })).toMatchObject({
        status: 400,
        json: error("Field 'sid' is missing."),
      });
      expect(await v1(`/operator/${method}/`, { sid: String(mine.id) })).toMatchObject({
        status: 400,
        json: error("Field 'opid' is missing."),
      });
    }
    expect(
      await t.store.db.selectFrom('operator_website').selectAll().where('website_id', '=', theirs.id).execute(),
    ).toEqual([]);
  });
});

describe('operator/setAvailable, setUnavailable and disconnect', () => {
  async function flags(id: string) {
    return t.store.db
      .selectFrom('operator')
      .select(['connected', 'chat_available'])
      .where('id', '=', Number(id))
      .executeTakeFirstOrThrow();
  }

  it("runs seed 002's examples with opId: available connects, unavailable keeps connected, disconnect ends it", async () => {
    const created = await createV1({ name: 'Live Op', email: freshEmail('live') });
    // http://www.iadvize.com/api/operator/setAvailable/?key={APIKEY}&opId={ID}
    expect((await v1('/operator/setAvailable/', { opId: created.id })).json).toEqual({ result: 'success' });
    expect(await flags(created.id)).toEqual({ connected: 1, chat_available: 1 });
    expect((await operatorList()).find((item) => item.id === created.id)).toMatchObject({
      is_online: '1',
      messenger_isonline: '1',
    });
    expect((await v1('/operator/setUnavailable/', { opid: created.id })).json).toEqual({ result: 'success' });
    expect(await flags(created.id)).toEqual({ connected: 1, chat_available: 0 });
    expect((await v1('/operator/disconnect/', { opId: created.id })).json).toEqual({ result: 'success' });
    expect(await flags(created.id)).toEqual({ connected: 0, chat_available: 0 });
    expect(await eventTypesFor(t, 'operator', Number(created.id))).toEqual([
      'user.created',
      'user.connected',
      'user.availability_changed',
      'user.availability_changed',
      'user.disconnected',
    ]);
  });

  it('finds the operator by external_id', async () => {
    const created = await createV1({ name: 'External Live', email: freshEmail('extlive'), external_id: 'LIVE-EXT' });
    expect((await v1('/operator/setAvailable/', { external_id: 'LIVE-EXT' })).status).toBe(200);
    expect(await flags(created.id)).toEqual({ connected: 1, chat_available: 1 });
    const unknown = await v1('/operator/setAvailable/', { external_id: 'NOBODY' });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual(error("Unknown 'operator' with 'external_id' 'NOBODY'."));
  });

  it('refuses an external_id two operators share, a missing operator, and operators that are not yours', async () => {
    await createV1({ name: 'Twin One', email: freshEmail('twin'), external_id: 'TWIN' });
    await createV1({ name: 'Twin Two', email: freshEmail('twin'), external_id: 'TWIN' });
    const twins = await v1('/operator/setUnavailable/', { external_id: 'TWIN' });
    expect(twins.status).toBe(409);
    expect(twins.json).toEqual(error("Several operators have the external_id 'TWIN': name one with 'opid'."));
    const missing = await v1('/operator/disconnect/', {});
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual(error("Field 'opid' is missing. Give 'opid' or 'external_id'."));
    const theirs = await createV1({ name: 'Their Live', email: freshEmail('theirlive') }, otherKey);
    const answer = await v1('/operator/setAvailable/', { opid: theirs.id });
    expect(answer.status).toBe(404);
    expect(await flags(theirs.id)).toEqual({ connected: 0, chat_available: 0 });
  });

  it('serves the waiting chats and calls of an operator made available, as REST v2 and the console do', async () => {
    const site = await createV2('/website', { url: 'https://v1-serving.example' });
    const made = await createV2('/operator', {
      name: 'Serving Op',
      email: freshEmail('serving'),
      website_list: [site.id],
      chat_max_number: 1,
      call_enabled: true,
    });
    const operatorId = Number(made.id);
    await t.api('PUT', `/operator/${operatorId}/live`, {
      key,
      json: { chat: { available: 1 }, call: { available: 1 } },
    });
    const start = async (channel: 'chat' | 'call') =>
      startLiveConversation(t.store.db, {
        websiteId: Number(site.id),
        channel,
        visitor: await transact(t.store.db, (trx) =>
          findOrCreateVisitor(trx, { clientId, websiteId: Number(site.id), at: new Date().toISOString() }),
        ),
        text: `A ${channel}, please`,
      });
    const [chat, waitingChat, call, waitingCall] = [
      await start('chat'),
      await start('chat'),
      await start('call'),
      await start('call'),
    ];
    expect([chat?.kind, waitingChat?.kind, call?.kind, waitingCall?.kind]).toEqual([
      'assigned',
      'queued',
      'assigned',
      'queued',
    ]);
    expect((await v1('/operator/setUnavailable/', { opid: String(operatorId) })).status).toBe(200);
    // Both slots free without anyone serving the queue (as when a node dies between a close and its reactions).
    await t.store.db
      .updateTable('conversation')
      .set({ status: 'closed' })
      .where('id', 'in', [chat.conversationId, call.conversationId])
      .execute();
    expect((await v1('/operator/setAvailable/', { opid: String(operatorId) })).json).toEqual({ result: 'success' });
    const served = await t.store.db
      .selectFrom('conversation')
      .select(['id', 'status', 'operator_id'])
      .where('id', 'in', [waitingChat.conversationId, waitingCall.conversationId])
      .orderBy('id')
      .execute();
    expect(served).toEqual([
      { id: waitingChat.conversationId, status: 'open', operator_id: operatorId },
      { id: waitingCall.conversationId, status: 'open', operator_id: operatorId },
    ]);
  });

  it('refuses to make available an operator who cannot process chat, in v1 words', async () => {
    const made = await createV2('/operator', { name: 'No Chat', email: freshEmail('nochat'), chat_enabled: false });
    const answer = await v1('/operator/setAvailable/', { opid: String(made.id) });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(
      error(
        `Value of field 'opid' is not valid. The operator cannot process chat: enable chat first (PUT /api/2/operator/${made.id} with chat_enabled=1).`,
      ),
    );
  });
});

describe('website/getClientWebsiteList', () => {
  it("lists the account's websites in the seed's shape (the url as stored), and only those", async () => {
    const fresh = await clientWithKey(t, 'V1 Sites Co');
    const google = await createV2('/website', { url: 'google.com', label: 'Google' }, fresh.key);
    const gmail = await createV2('/website', { url: 'mail.google.com', label: 'Gmail' }, fresh.key);
    await createV2('/website', { url: 'elsewhere.example' }, otherKey);
    expect(google.url).toMatch(/google\.com/);
    const answer = await v1('/website/getClientWebsiteList/', {}, { key: fresh.key });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      websites: [
        { id: String(google.id), label: 'Google', url: String(google.url) },
        { id: String(gmail.id), label: 'Gmail', url: String(gmail.url) },
      ],
    });
  });

  it('answers json only: out=xml or out=csv is refused naming out', async () => {
    for (const out of ['xml', 'csv', 'pdf']) {
      const answer = await v1('/website/getClientWebsiteList/', { out });
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual(error("Value of field 'out' is not valid. This method answers in json only."));
    }
    expect((await v1('/website/getClientWebsiteList/', { out: 'json' })).status).toBe(200);
  });
});

describe('routing', () => {
  it('answers without the trailing slash too', async () => {
    expect((await v1('/website/getClientWebsiteList')).status).toBe(200);
  });

  it('lists the methods of a model for an unknown method, and the models for an unknown model', async () => {
    const method = await v1('/operator/getOperators/');
    expect(method.status).toBe(404);
    expect(method.json).toEqual(
      error(
        "Unknown method 'getOperators' of model 'operator'. Methods of 'operator': createAccount, getClientOperatorList, getWebsiteOperatorList, editAccount, deleteAccount, linkWebsite, unlinkWebsite, setUnavailable, setAvailable, disconnect.",
      ),
    );
    const model = await v1('/operators/getClientOperatorList/');
    expect(model.status).toBe(404);
    expect(model.json).toEqual(
      error(
        "Unknown model 'operators'. Models: operator, website, chat_history, transactions, satisfaction, operator_stats. The REST API v2 lives under /api/2; see /docs.",
      ),
    );
    const bare = await v1('/website');
    expect(bare.status).toBe(404);
    expect(bare.json).toEqual(
      error("Name a method: /api/website/{method}/. Methods of 'website': getClientWebsiteList."),
    );
  });

  it('answers 405 to another HTTP verb on a method', async () => {
    const answer = await v1('/operator/deleteAccount/', { id: '1' }, { method: 'DELETE' });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, HEAD, POST');
    expect(answer.json).toEqual(
      error('Method DELETE is not allowed: call /api/operator/deleteAccount/ with GET, or POST a form.'),
    );
  });

  it('leaves /api/2 to v2: its routes, its 404s and its error envelope', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/api/2/nothing-here', headers: { 'x-api-key': key } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({
      meta: {
        status: 'fail',
        message: 'No route GET /api/2/nothing-here. See /docs for the API reference.',
        error: 'route_not_found',
      },
    });
    const deeper = await t.app.inject({
      method: 'GET',
      url: '/api/2/operator/1/nothing',
      headers: { 'x-api-key': key },
    });
    expect(deeper.statusCode).toBe(404);
    expect(deeper.json()).toMatchObject({ meta: { status: 'fail' } });
    const invalid = await t.api('GET', '/operator/abc', { key });
    expect(invalid.status).toBe(400);
    expect(invalid.body.meta.status).toBe('fail');
    const forbidden = await t.api('GET', '/operator', { key: 'wrong' });
    expect(forbidden.body).toEqual({ meta: { status: 'error', message: 'Forbidden', error: 'forbidden' } });
  });
});

describe('OpenAPI document', () => {
  interface Operation {
    tags?: string[];
    summary?: string;
    description?: string;
    parameters?: { name: string; in: string; required?: boolean }[];
    requestBody?: { content: Record<string, unknown> };
    responses: Record<string, { content?: Record<string, unknown> }>;
  }
  let paths: Record<string, Record<string, Operation>>;
  beforeAll(async () => {
    paths = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, Operation>>;
    }>().paths;
  });

  it('documents every v1 method under /api/{model}/{method}/, as GET and POST, tagged by model', () => {
    const methods: Record<string, string[]> = {
      operator: [
        'createAccount',
        'getClientOperatorList',
        'getWebsiteOperatorList',
        'editAccount',
        'deleteAccount',
        'linkWebsite',
        'unlinkWebsite',
        'setUnavailable',
        'setAvailable',
        'disconnect',
      ],
      website: ['getClientWebsiteList'],
      chat_history: ['getHistory', 'getHistoryByID'],
      transactions: ['getTransactions'],
      satisfaction: ['getSatisfaction'],
      operator_stats: ['getStats'],
    };
    for (const [model, names] of Object.entries(methods)) {
      for (const name of names) {
        const item = paths[`/api/${model}/${name}/`];
        expect(item, `${model}/${name}`).toBeDefined();
        expect(item?.get?.tags).toEqual([`v1 ${model}`]);
        expect(item?.get?.summary).toBeTruthy();
        expect(item?.get?.description).toBeTruthy();
        expect(item?.post?.requestBody?.content).toHaveProperty('application/x-www-form-urlencoded');
      }
    }
    // Only the documented form (with the trailing slash) of each method; the catch-all explanations stay hidden.
    const v1Paths = Object.entries(paths).filter(([, item]) =>
      Object.values(item).some((operation) => operation.tags?.some((tag) => tag.startsWith('v1 '))),
    );
    expect(v1Paths.map(([path]) => path).sort()).toEqual(
      Object.entries(methods)
        .flatMap(([model, names]) => names.map((name) => `/api/${model}/${name}/`))
        .sort(),
    );
  });

  it('documents parameters, required ones, and the csv and xml answers', () => {
    const transactions = paths['/api/transactions/getTransactions/']?.get;
    const parameters = transactions?.parameters ?? [];
    expect(
      parameters
        .filter((parameter) => parameter.in === 'query')
        .map((parameter) => [parameter.name, parameter.required ?? false]),
    ).toEqual(
      expect.arrayContaining([
        ['sdate', true],
        ['edate', true],
        ['chatted', false],
        ['out', false],
      ]),
    );
    expect(Object.keys(transactions?.responses['200']?.content ?? {})).toEqual(['application/json', 'text/csv']);
    expect(Object.keys(paths['/api/chat_history/getHistory/']?.get?.responses['200']?.content ?? {})).toEqual([
      'application/json',
      'application/xml',
    ]);
    expect(paths['/api/operator/createAccount/']?.get?.responses).toHaveProperty('403');
  });
});
