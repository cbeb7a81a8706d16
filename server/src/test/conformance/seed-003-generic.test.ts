// Seed 003 "Calls, errors & responses" (lines 487-635), applied to every REST v2 resource that supports each call:
// authentication failed, create (and with a missing field), read list / one (and an unknown id), update (and an
// invalid value), delete (and an unknown id), plus the common list parameters (page, limit, full) and `*` wildcards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, clientWithKey, partnerWithKey, type Resource, startTestApp, type TestApp } from '../harness.js';
import { asSeedError, shapeOf } from './shape.js';
import { dateTimeIn, listIds, literal, ok } from './support.js';

// ——— The seed's examples, transcribed ———

/** Lines 491-496: authentication failed. */
const AUTH_FAILED = { meta: { status: 'error', message: 'Forbidden' } };

/** Lines 503-512: `POST /my_resource my_field=my_value`. */
const CREATED = { meta: { status: 'success' }, data: { id: 123, my_field: 'my_value', _link: '/my_resource/123' } };

/** Lines 517-522: create with error. */
const CREATE_FAILED = { meta: { status: 'fail', message: "Field 'my_field_2' is missing." } };

/** Lines 529-553: `GET /my_resource`. */
const LISTED = {
  meta: { status: 'success' },
  data: [
    { id: 789, _link: '/my_resource/789' },
    { id: 456, _link: '/my_resource/456' },
    { id: 123, _link: '/my_resource/123' },
  ],
  pagination: { page: 1, pages: 1, limit: 20, count: 3 },
};

/** Lines 568-577: `GET /my_resource/123`. */
const READ = { meta: { status: 'success' }, data: { id: 123, my_field: 'my_value', _link: '/my_resource/123' } };

/** Lines 582-587: `GET /my_resource/456` (with error). */
const READ_FAILED = { meta: { status: 'fail', message: "Unknown 'my_resource' with 'id' 456." } };

/** Lines 594-603: `PUT /my_resource/123 my_field=my_new_value`. */
const UPDATED = { meta: { status: 'success' }, data: { id: 123, my_field: 'my_new_value', _link: '/my_resource/123' } };

/** Lines 608-613: update with error; the implementation may add why after the seed's sentence. */
const UPDATE_FAILED = { meta: { status: 'fail', message: "Value of field 'my_field' is not valid." } };

/** Lines 620-624: `DELETE /my_resource/123`. */
const DELETED = { meta: { status: 'success' } };

/**
 * Lines 628-633: delete with error. The seed writes the message without the final dot (and without the comma
 * after "fail") while line 585 has it: the seed's text must begin the answer's message.
 */
const DELETE_FAILED = { meta: { status: 'fail', message: "Unknown 'my_resource' with 'id' 456" } };

/** An id no test creates. */
const UNKNOWN_ID = 987654;

// ——— The resources, as a table ———

/** A tenant of its own for each resource, so list counts are exact. */
interface Tenant {
  clientId: number;
  key: string;
  partnerKey: string;
  websiteId: number;
  operatorId: number;
}

type Form = Record<string, string>;

interface ResourceCase {
  resource: string;
  /** The key the calls use. */
  key: (tenant: Tenant) => string;
  /** Where a create is posted (default `/{resource}`). */
  createPath?: (tenant: Tenant) => string;
  /** The form body creating the i-th resource (seed: `POST /my_resource my_field=my_value`). */
  create: (tenant: Tenant, i: number) => Promise<Form>;
  /** The field written (`my_field`), with the value the answer must show for the i-th body. */
  field: string;
  /** A create body lacking a required field, and that field's name; absent when the resource has no required field. */
  missing?: { field: string; body: (tenant: Tenant) => Promise<Form> };
  /** `PUT /my_resource/123 my_field=my_new_value`, and a value refused for some field; absent when there is no update. */
  update?: { field: string; value: string; invalid: { field: string; value: string } };
  deletable: boolean;
}

let t: TestApp;

/** Opens a `chat` conversation on the tenant's website (for satisfaction answers, one each). */
async function conversationOf(tenant: Tenant): Promise<number> {
  return (
    await ok(t, 'POST', '/conversation', {
      key: tenant.key,
      json: { website_id: tenant.websiteId, operator_id: tenant.operatorId },
    })
  ).id;
}

const RESOURCES: ResourceCase[] = [
  {
    resource: 'partner',
    key: () => ADMIN_KEY,
    create: async (_tenant, i) => ({ name: `Conformance partner ${i} ${Date.now()}` }),
    field: 'name',
    missing: { field: 'name', body: async () => ({}) },
    deletable: false,
  },
  {
    resource: 'client',
    key: (tenant) => tenant.partnerKey,
    create: async (_tenant, i) => ({ name: `Client ${i}`, lang: 'fr' }),
    field: 'name',
    missing: { field: 'name', body: async () => ({ lang: 'fr' }) },
    update: { field: 'name', value: 'Client renamed', invalid: { field: 'lang', value: 'french' } },
    deletable: false,
  },
  {
    resource: 'key',
    key: (tenant) => tenant.key,
    createPath: (tenant) => `/client/${tenant.clientId}/key`,
    create: async (_tenant, i) => ({ name: `rotation ${i}` }),
    field: 'name',
    deletable: true,
  },
  {
    resource: 'website',
    key: (tenant) => tenant.key,
    create: async (_tenant, i) => ({ url: `https://shop${i}.conformance.example`, label: `Shop ${i}` }),
    field: 'url',
    missing: { field: 'url', body: async () => ({ label: 'No address' }) },
    update: { field: 'label', value: 'Shop renamed', invalid: { field: 'url', value: 'ftp://files.example' } },
    deletable: false,
  },
  {
    resource: 'operator',
    key: (tenant) => tenant.key,
    create: async (_tenant, i) => ({ name: `Operator ${i}`, email: `operator${i}.${Date.now()}@conformance.example` }),
    field: 'name',
    missing: { field: 'name', body: async () => ({ email: 'nameless@conformance.example' }) },
    update: { field: 'name', value: 'Operator renamed', invalid: { field: 'chat_priority', value: '5' } },
    deletable: true,
  },
  {
    resource: 'group',
    key: (tenant) => tenant.key,
    create: async (_tenant, i) => ({ name: `Group ${i}` }),
    field: 'name',
    missing: { field: 'name', body: async () => ({ parent_id: '' }) },
    update: { field: 'name', value: 'Group renamed', invalid: { field: 'parent_id', value: 'first' } },
    deletable: true,
  },
  {
    resource: 'skill',
    key: (tenant) => tenant.key,
    create: async (_tenant, i) => ({ name: `Skill ${i}`, order: String(i) }),
    field: 'name',
    missing: { field: 'name', body: async () => ({ order: '1' }) },
    update: { field: 'name', value: 'Skill renamed', invalid: { field: 'order', value: 'first' } },
    deletable: true,
  },
  {
    resource: 'conversation',
    key: (tenant) => tenant.key,
    create: async (tenant, i) => ({ website_id: String(tenant.websiteId), page_type: `product-${i}` }),
    field: 'page_type',
    missing: { field: 'website_id', body: async () => ({ page_type: 'home' }) },
    update: { field: 'page_type', value: 'checkout', invalid: { field: 'operator_id', value: 'somebody' } },
    deletable: false,
  },
  {
    resource: 'tag',
    key: (tenant) => tenant.key,
    create: async (tenant, i) => ({ name: `Tag ${i}`, website_id: String(tenant.websiteId) }),
    field: 'name',
    missing: { field: 'name', body: async (tenant) => ({ website_id: String(tenant.websiteId) }) },
    update: { field: 'name', value: 'Tag renamed', invalid: { field: 'website_id', value: 'everywhere' } },
    deletable: false,
  },
  {
    resource: 'transaction',
    key: (tenant) => tenant.key,
    create: async (tenant, i) => ({ website_id: String(tenant.websiteId), external_id: `ORDER-${i}`, amount: '49.90' }),
    field: 'external_id',
    missing: {
      field: 'amount',
      body: async (tenant) => ({ website_id: String(tenant.websiteId), external_id: 'ORDER-X' }),
    },
    deletable: false,
  },
  {
    resource: 'satisfaction',
    key: (tenant) => tenant.key,
    create: async (tenant, i) => ({
      conversation_id: String(await conversationOf(tenant)),
      note_welcome: '3',
      note_delay: '2',
      note_resolution: '3',
      comment: `Merci ${i}`,
    }),
    field: 'comment',
    missing: {
      field: 'note_welcome',
      body: async (tenant) => ({
        conversation_id: String(await conversationOf(tenant)),
        note_delay: '2',
        note_resolution: '3',
      }),
    },
    deletable: false,
  },
  {
    resource: 'visitor',
    key: (tenant) => tenant.key,
    // A visitor has no required field: there is no "missing field" example for it.
    create: async (_tenant, i) => ({ firstname: `Ana ${i}`, lastname: 'Martin' }),
    field: 'firstname',
    update: { field: 'firstname', value: 'Anaïs', invalid: { field: 'email', value: 'not-an-email' } },
    deletable: true,
  },
  {
    resource: 'callmeeting',
    key: (tenant) => tenant.key,
    create: async (tenant, i) => ({
      website_id: String(tenant.websiteId),
      phone_number: `+33 6 12 34 56 7${i}`,
      start_at: dateTimeIn(2 + i),
    }),
    field: 'phone_number',
    missing: {
      field: 'start_at',
      body: async (tenant) => ({ website_id: String(tenant.websiteId), phone_number: '+33 6 12 34 56 78' }),
    },
    update: { field: 'status', value: 'done', invalid: { field: 'status', value: 'postponed' } },
    deletable: false,
  },
];

const tenants = new Map<string, Tenant>();

async function newTenant(name: string): Promise<Tenant> {
  const partner = await partnerWithKey(t, `Partner of ${name}`);
  const { clientId, key } = await clientWithKey(t, name, partner.key);
  const websiteId = (
    await ok(t, 'POST', '/website', { key, json: { url: `https://${name.toLowerCase()}.conformance.example` } })
  ).id;
  const operatorId = (
    await ok(t, 'POST', '/operator', {
      key,
      json: { name: `Agent of ${name}`, email: `agent@${name.toLowerCase()}.conformance.example` },
    })
  ).id;
  return { clientId, key, partnerKey: partner.key, websiteId, operatorId };
}

beforeAll(async () => {
  t = await startTestApp();
  for (const resourceCase of RESOURCES)
    tenants.set(resourceCase.resource, await newTenant(`Tenant-${resourceCase.resource}`));
});
afterAll(async () => t.close());

function tenantOf(resourceCase: ResourceCase): Tenant {
  const tenant = tenants.get(resourceCase.resource);
  if (!tenant) throw new Error(`no tenant for ${resourceCase.resource}`);
  return tenant;
}

async function createOne(
  resourceCase: ResourceCase,
  i: number,
): Promise<{ form: Form; answer: Awaited<ReturnType<TestApp['api']>> }> {
  const tenant = tenantOf(resourceCase);
  const form = await resourceCase.create(tenant, i);
  const answer = await t.api('POST', resourceCase.createPath?.(tenant) ?? `/${resourceCase.resource}`, {
    key: resourceCase.key(tenant),
    form,
  });
  return { form, answer };
}

/** The seed's generic `{id, my_field, _link}` for this resource: `my_field` becomes the field the case writes. */
function generic(
  resourceCase: ResourceCase,
  example: { meta: object; data: { id: number; my_field: string; _link: string } },
  field: string,
  value: unknown,
  id: number,
) {
  return { meta: example.meta, data: { id, [field]: value, _link: `/${resourceCase.resource}/${id}` } };
}

/** The seed example with its `my_field` named as the resource's field (keeping the seed's value, for its type). */
function renamed(example: { meta: object; data: { id: number; my_field: string; _link: string } }, field: string) {
  const { my_field: value, ...rest } = example.data;
  return { meta: example.meta, data: { id: rest.id, [field]: value, _link: rest._link } };
}

/** The answer's `meta`, and `data` reduced to `id`, the written field and `_link`: what the generic example shows. */
function asGeneric(body: { meta: unknown; data: Resource }, field: string) {
  return { meta: body.meta, data: { id: body.data.id, [field]: body.data[field], _link: body.data._link } };
}

describe('Authentication failed (seed 003 lines 489-497)', () => {
  it.each(RESOURCES.map((resourceCase) => resourceCase.resource))(
    'GET /%s without a key answers the seed body',
    async (resource) => {
      const answer = await t.api('GET', `/${resource}`);
      expect(answer.status).toBe(403);
      expect(asSeedError(answer.body)).toEqual(AUTH_FAILED);
    },
  );

  it('answers the same body for a wrong key in each of the three places seed 003 accepts one (lines 481-485)', async () => {
    const header = await t.api('GET', '/operator', { key: 'not-a-key' });
    const query = await t.app.inject({ method: 'GET', url: '/api/2/operator?key=not-a-key' });
    const basic = await t.app.inject({
      method: 'GET',
      url: '/api/2/operator',
      headers: { authorization: `Basic ${Buffer.from('not-a-key:any').toString('base64')}` },
    });
    expect(asSeedError(header.body)).toEqual(AUTH_FAILED);
    for (const response of [query, basic]) {
      expect(response.statusCode).toBe(403);
      expect(asSeedError(response.json())).toEqual(AUTH_FAILED);
    }
  });

  it('accepts a valid key in the query string and as the Basic user name (lines 483-485)', async () => {
    const tenant = tenants.get('operator') as Tenant;
    const query = await t.app.inject({ method: 'GET', url: `/api/2/operator?key=${encodeURIComponent(tenant.key)}` });
    const basic = await t.app.inject({
      method: 'GET',
      url: '/api/2/operator',
      headers: { authorization: `Basic ${Buffer.from(`${tenant.key}:arbitrary`).toString('base64')}` },
    });
    expect(query.statusCode).toBe(200);
    expect(basic.statusCode).toBe(200);
    expect(basic.json()).toEqual(query.json());
  });
});

describe.each(RESOURCES)('/$resource: the generic calls', (resourceCase) => {
  const { resource, field } = resourceCase;

  it(`POST /${resource} ${field}=… answers the created resource (lines 501-512)`, async () => {
    const { form, answer } = await createOne(resourceCase, 1);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const id = answer.body.data.id;
    const actual = asGeneric(answer.body, field);
    expect(shapeOf(actual)).toEqual(shapeOf(renamed(CREATED, field)));
    expect(actual).toEqual(generic(resourceCase, CREATED, field, form[field], id));
  });

  if (resourceCase.missing) {
    const missing = resourceCase.missing;
    it(`POST /${resource} without ${missing.field} answers "Field '${missing.field}' is missing." (lines 515-522)`, async () => {
      const tenant = tenantOf(resourceCase);
      const answer = await t.api('POST', resourceCase.createPath?.(tenant) ?? `/${resource}`, {
        key: resourceCase.key(tenant),
        form: await missing.body(tenant),
      });
      expect(answer.status).toBe(400);
      expect(shapeOf(asSeedError(answer.body))).toEqual(shapeOf(CREATE_FAILED));
      expect(asSeedError(answer.body)).toEqual({
        meta: { status: CREATE_FAILED.meta.status, message: `Field '${missing.field}' is missing.` },
      });
    });
  }

  it(`GET /${resource} lists {id, _link} items, newest first, with the pagination block (lines 527-553)`, async () => {
    const tenant = tenantOf(resourceCase);
    const key = resourceCase.key(tenant);
    const before = (await t.api('GET', `/${resource}`, { key })).body.pagination.count;
    const ids: number[] = [];
    for (const i of [2, 3, 4]) {
      const { answer } = await createOne(resourceCase, i);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      ids.push(answer.body.data.id);
    }
    const answer = await t.api('GET', `/${resource}`, { key });
    expect(answer.status).toBe(200);
    expect(shapeOf(answer.body)).toEqual(shapeOf(LISTED));
    const count = before + 3;
    expect(answer.body.pagination).toEqual({
      page: 1,
      pages: Math.max(1, Math.ceil(count / 20)),
      limit: LISTED.pagination.limit,
      count,
    });
    // Every item is exactly the seed's short form.
    for (const item of answer.body.data) expect(item).toEqual({ id: item.id, _link: `/${resource}/${item.id}` });
    // As in the seed (789, 456, 123): the newest first.
    const listed = answer.body.data.map((item) => item.id);
    expect(listed).toEqual([...listed].sort((a, b) => b - a));
    expect(listed.slice(0, 3)).toEqual([...ids].reverse());
  });

  it(`GET /${resource}?page=2&limit=1 and ?full=1 follow the common filters (lines 556-562)`, async () => {
    const tenant = tenantOf(resourceCase);
    const key = resourceCase.key(tenant);
    const all = await t.api('GET', `/${resource}?limit=100`, { key });
    const count = all.body.pagination.count;
    expect(count).toBeGreaterThanOrEqual(2);
    const second = await t.api('GET', `/${resource}?page=2&limit=1`, { key });
    expect(second.status).toBe(200);
    expect(second.body.pagination).toEqual({ page: 2, pages: count, limit: 1, count });
    expect(second.body.data).toEqual([all.body.data[1]]);

    const full = await t.api('GET', `/${resource}?full=1&limit=1`, { key });
    expect(full.status).toBe(200);
    const [item] = full.body.data;
    if (!item) throw new Error('no item');
    // "Show all fields of the resource": the item is the resource as GET /{resource}/{id} shows it.
    const one = await t.api('GET', `/${resource}/${item.id}`, { key });
    expect(item).toEqual(one.body.data);
    expect(Object.keys(item).length).toBeGreaterThan(2);

    // "maximum possible value is 100"
    const tooMany = await t.api('GET', `/${resource}?limit=101`, { key });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.meta.status).toBe('fail');
    expect(tooMany.body.meta.message).toMatch(/^Value of field 'limit' is not valid\./);
  });

  it(`GET /${resource}/{id} answers the resource (lines 566-577)`, async () => {
    const { form, answer: createdAnswer } = await createOne(resourceCase, 5);
    const id = createdAnswer.body.data.id;
    const answer = await t.api('GET', `/${resource}/${id}`, { key: resourceCase.key(tenantOf(resourceCase)) });
    expect(answer.status).toBe(200);
    const actual = asGeneric(answer.body, field);
    expect(shapeOf(actual)).toEqual(shapeOf(renamed(READ, field)));
    expect(actual).toEqual(generic(resourceCase, READ, field, form[field], id));
    // Reading shows what the create answered (a key's secret and an operator's SSO key are shown only once, at
    // creation).
    const { key: _secret, sso_key: _ssoKey, ...shown } = createdAnswer.body.data;
    expect(answer.body.data).toEqual(shown);
  });

  it(`GET /${resource}/${UNKNOWN_ID} answers "Unknown '${resource}' with 'id' ${UNKNOWN_ID}." (lines 580-588)`, async () => {
    const answer = await t.api('GET', `/${resource}/${UNKNOWN_ID}`, { key: resourceCase.key(tenantOf(resourceCase)) });
    expect(answer.status).toBe(404);
    expect(shapeOf(asSeedError(answer.body))).toEqual(shapeOf(READ_FAILED));
    expect(asSeedError(answer.body)).toEqual({
      meta: {
        status: 'fail',
        message: READ_FAILED.meta.message.replace('my_resource', resource).replace('456', String(UNKNOWN_ID)),
      },
    });
  });

  if (resourceCase.update) {
    const update = resourceCase.update;
    it(`PUT /${resource}/{id} ${update.field}=… answers the changed resource (lines 590-604)`, async () => {
      const { answer: createdAnswer } = await createOne(resourceCase, 6);
      const id = createdAnswer.body.data.id;
      const answer = await t.api('PUT', `/${resource}/${id}`, {
        key: resourceCase.key(tenantOf(resourceCase)),
        form: { [update.field]: update.value },
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const actual = asGeneric(answer.body, update.field);
      expect(shapeOf(actual)).toEqual(shapeOf(renamed(UPDATED, update.field)));
      expect(actual).toEqual(generic(resourceCase, UPDATED, update.field, update.value, id));
    });

    it(`PUT /${resource}/{id} ${update.invalid.field}=${update.invalid.value} answers "Value of field '${update.invalid.field}' is not valid." (lines 606-614)`, async () => {
      const { answer: createdAnswer } = await createOne(resourceCase, 7);
      const id = createdAnswer.body.data.id;
      const answer = await t.api('PUT', `/${resource}/${id}`, {
        key: resourceCase.key(tenantOf(resourceCase)),
        form: { [update.invalid.field]: update.invalid.value },
      });
      expect(answer.status).toBe(400);
      expect(shapeOf(asSeedError(answer.body))).toEqual(shapeOf(UPDATE_FAILED));
      expect(answer.body.meta.status).toBe(UPDATE_FAILED.meta.status);
      expect(answer.body.meta.message).toMatch(
        new RegExp(`^${literal(UPDATE_FAILED.meta.message.replace('my_field', update.invalid.field))}`),
      );
    });
  }

  if (resourceCase.deletable) {
    it(`DELETE /${resource}/{id} answers {meta: {status: "success"}} (lines 618-624)`, async () => {
      const { answer: createdAnswer } = await createOne(resourceCase, 8);
      const id = createdAnswer.body.data.id;
      const key = resourceCase.key(tenantOf(resourceCase));
      const answer = await t.api('DELETE', `/${resource}/${id}`, { key });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(DELETED);
      const after = await t.api('GET', `/${resource}/${id}`, { key });
      if (resource === 'key') {
        // Beyond the seed: a deleted key is revoked, and stays readable with its revocation date (an audit trail).
        expect(after.body.data.revoked_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      } else {
        expect(after.status).toBe(404);
      }
    });

    it(`DELETE /${resource}/${UNKNOWN_ID} answers "Unknown '${resource}' with 'id' ${UNKNOWN_ID}" (lines 626-634)`, async () => {
      const answer = await t.api('DELETE', `/${resource}/${UNKNOWN_ID}`, {
        key: resourceCase.key(tenantOf(resourceCase)),
      });
      expect(answer.status).toBe(404);
      expect(shapeOf(asSeedError(answer.body))).toEqual(shapeOf(DELETE_FAILED));
      expect(answer.body.meta.status).toBe(DELETE_FAILED.meta.status);
      expect(answer.body.meta.message).toMatch(
        new RegExp(
          `^${literal(DELETE_FAILED.meta.message.replace('my_resource', resource).replace('456', String(UNKNOWN_ID)))}`,
        ),
      );
    });
  }
});

describe('The * wildcard (line 564: filters[name]=*uli*)', () => {
  let key: string;
  const named: Record<string, number> = {};

  beforeAll(async () => {
    const tenant = await newTenant('Wildcards');
    key = tenant.key;
    for (const name of ['Julie', 'Juliette', 'Paul', 'Marc']) {
      named[name] = (
        await ok(t, 'POST', '/operator', {
          key,
          json: { name, email: `${name.toLowerCase()}@wildcards.conformance.example` },
        })
      ).id;
    }
  });

  it('filters[name]=*uli* finds the names containing "uli", and only them', async () => {
    expect(await listIds(t, '/operator?filters[name]=*uli*', key)).toEqual([named.Juliette, named.Julie]);
  });

  it('the * stands for any text at either end only where written', async () => {
    expect(await listIds(t, '/operator?filters[name]=Jul*', key)).toEqual([named.Juliette, named.Julie]);
    expect(await listIds(t, '/operator?filters[name]=*ette', key)).toEqual([named.Juliette]);
    // Without a *, the name must match whole.
    expect(await listIds(t, '/operator?filters[name]=uli', key)).toEqual([]);
    expect(await listIds(t, '/operator?filters[name]=Paul', key)).toEqual([named.Paul]);
  });

  it.each([
    { resource: 'group', filter: 'name', matching: { name: 'Ventes Julie' }, other: { name: 'Marc' } },
    { resource: 'skill', filter: 'name', matching: { name: 'Julienne' }, other: { name: 'Marc' } },
    {
      resource: 'website',
      filter: 'url',
      matching: { url: 'https://julien.wildcards.example' },
      other: { url: 'https://marc.wildcards.example' },
    },
    {
      resource: 'visitor',
      filter: 'unique_id',
      matching: { unique_id: 'uid-juliana-1' },
      other: { unique_id: 'uid-marc-1' },
    },
  ])('works on /$resource too (filters[$filter]=*uli*)', async ({ resource, filter, matching, other: otherBody }) => {
    const id = (await ok(t, 'POST', `/${resource}`, { key, json: matching })).id;
    const other = (await ok(t, 'POST', `/${resource}`, { key, json: otherBody })).id;
    const found = await listIds(t, `/${resource}?filters[${filter}]=*uli*`, key);
    expect(found).toContain(id);
    expect(found).not.toContain(other);
  });
});
