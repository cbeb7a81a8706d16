// The tenant-isolation matrix: a key never sees, changes, deletes or references another tenant's rows,
// and a row it may not see answers exactly as a row that does not exist.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  type ApiAnswer,
  clientWithKey,
  partnerWithKey,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';

type Kind = 'website' | 'operator' | 'group' | 'skill';
const KINDS: readonly Kind[] = ['website', 'operator', 'group', 'skill'];
const DELETABLE: readonly Kind[] = ['operator', 'group', 'skill'];
/** An id no row has. */
const ABSENT = 987654;

interface Tenant {
  clientId: number;
  key: string;
  ids: Record<Kind, number>;
}

let t: TestApp;
let a: Tenant;
let b: Tenant;
let partner: { partnerId: number; key: string };
let c: Tenant;

async function ok(answer: Promise<ApiAnswer>): Promise<number> {
  const settled = await answer;
  if (settled.status !== 200) throw new Error(`setup call failed: ${settled.status} ${JSON.stringify(settled.body)}`);
  return Number(settled.body.data.id);
}

/** One website, group, skill and operator (in the group, on the website, with the skill), named after the tenant. */
async function populate(key: string, label: string, clientId: number): Promise<Tenant> {
  const slug = label.toLowerCase();
  const website = await ok(
    t.api('POST', '/website', { key, json: { url: `https://${slug}.example`, label: `${label} site` } }),
  );
  const group = await ok(t.api('POST', '/group', { key, json: { name: `${label} group` } }));
  const skill = await ok(t.api('POST', '/skill', { key, json: { name: `${label} skill` } }));
  const operator = await ok(
    t.api('POST', '/operator', {
      key,
      json: {
        name: `${label} operator`,
        email: `op@${slug}.example`,
        group_id: group,
        website_list: [website],
        skill_list: [skill],
      },
    }),
  );
  return { clientId, key, ids: { website, operator, group, skill } };
}

/** The stored row of a resource, exactly as in the database (undefined when gone). */
async function storedRow(kind: Kind, id: number): Promise<Record<string, unknown> | undefined> {
  const db = t.store.db;
  switch (kind) {
    case 'website':
      return db.selectFrom('website').selectAll().where('id', '=', id).executeTakeFirst();
    case 'operator':
      return db.selectFrom('operator').selectAll().where('id', '=', id).executeTakeFirst();
    case 'group':
      return db.selectFrom('operator_group').selectAll().where('id', '=', id).executeTakeFirst();
    case 'skill':
      return db.selectFrom('skill').selectAll().where('id', '=', id).executeTakeFirst();
  }
}

async function eventCount(kind: Kind, id: number): Promise<number> {
  const subjectType = kind === 'website' || kind === 'group' || kind === 'skill' ? kind : 'operator';
  const rows = await t.store.db
    .selectFrom('event')
    .select('id')
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', id)
    .execute();
  return rows.length;
}

/** A change every resource accepts from its owner. */
function changeOf(kind: Kind): Record<string, unknown> {
  return kind === 'website' ? { label: 'Hijacked' } : { name: 'Hijacked' };
}

const notFound = (resource: string, id: number) => ({
  meta: { status: 'fail', message: `Unknown '${resource}' with 'id' ${id}.`, error: 'not_found' },
});

/** Asserts the answer for another tenant's row is the answer for a row that does not exist, id aside. */
function expectSameAsAbsent(hidden: ApiAnswer, absent: ApiAnswer, resource: string, hiddenId: number): void {
  expect(hidden.status).toBe(404);
  expect(hidden.body).toEqual(notFound(resource, hiddenId));
  expect(absent.status).toBe(hidden.status);
  expect(absent.body).toEqual(notFound(resource, ABSENT));
  expect(hidden.headers['x-causerie-error']).toBe(absent.headers['x-causerie-error']);
  expect(Object.keys(hidden.body).sort()).toEqual(Object.keys(absent.body).sort());
}

beforeAll(async () => {
  t = await startTestApp();
  const clientA = await clientWithKey(t, 'Alpha Co');
  const clientB = await clientWithKey(t, 'Bravo Co');
  a = await populate(clientA.key, 'Alpha', clientA.clientId);
  b = await populate(clientB.key, 'Bravo', clientB.clientId);
  partner = await partnerWithKey(t, 'Reseller');
  const clientC = await ok(t.api('POST', '/client', { key: partner.key, json: { name: 'Charlie Co', lang: 'en' } }));
  const minted = await t.api('POST', `/client/${clientC}/key`, { key: partner.key, json: { name: 'for C' } });
  if (minted.status !== 200) throw new Error(`key for C failed: ${JSON.stringify(minted.body)}`);
  c = await populate(String(minted.body.data.key), 'Charlie', clientC);
});
afterAll(async () => t.close());

/** Filters that match B's row for B's own key; A's key must get nothing from them. */
function filtersFor(kind: Kind): string[] {
  switch (kind) {
    case 'website':
      return [`filters[client_id]=${b.clientId}`, 'filters[label]=*Bravo*', 'filters[url]=*bravo*'];
    case 'operator':
      return [
        `filters[group_id]=${b.ids.group}`,
        `filters[website_id]=${b.ids.website}`,
        `filters[skill_id]=${b.ids.skill}`,
        'filters[name]=*Bravo*',
      ];
    case 'group':
      return ['filters[name]=*Bravo*'];
    case 'skill':
      return [`filters[operator_id]=${b.ids.operator}`, 'filters[name]=*Bravo*'];
  }
}

const listIds = (answer: ApiAnswer): number[] => answer.body.data.map((item) => item.id);

describe.each(KINDS)('client A against client B: %s', (kind) => {
  it('lists only its own rows, short and full', async () => {
    for (const query of ['', '?full=1', '?limit=100&full=1']) {
      const answer = await t.api('GET', `/${kind}${query}`, { key: a.key });
      expect(answer.status).toBe(200);
      expect(listIds(answer)).toEqual([a.ids[kind]]);
      expect(answer.body.pagination.count).toBe(1);
      for (const item of answer.body.data) {
        if (item.client_id !== undefined) expect(item.client_id).toBe(a.clientId);
      }
    }
  });

  it("finds nothing of B's through filters that find B's row for B", async () => {
    for (const filter of filtersFor(kind)) {
      const own = await t.api('GET', `/${kind}?${filter}`, { key: b.key });
      expect(own.status, filter).toBe(200);
      expect(listIds(own), filter).toContain(b.ids[kind]);
      for (const query of [filter, `${filter}&full=1`]) {
        const answer = await t.api('GET', `/${kind}?${query}`, { key: a.key });
        expect(answer.status, query).toBe(200);
        expect(listIds(answer), query).not.toContain(b.ids[kind]);
        expect(answer.body.pagination.count, query).toBe(0);
      }
    }
  });

  it("reads B's row as if it did not exist", async () => {
    expect((await t.api('GET', `/${kind}/${b.ids[kind]}`, { key: b.key })).status).toBe(200);
    const hidden = await t.api('GET', `/${kind}/${b.ids[kind]}`, { key: a.key });
    const absent = await t.api('GET', `/${kind}/${ABSENT}`, { key: a.key });
    expectSameAsAbsent(hidden, absent, kind, b.ids[kind]);
  });

  it("cannot change B's row, which stays exactly as stored", async () => {
    const before = await storedRow(kind, b.ids[kind]);
    const eventsBefore = await eventCount(kind, b.ids[kind]);
    expect(before).toBeDefined();
    const hidden = await t.api('PUT', `/${kind}/${b.ids[kind]}`, { key: a.key, json: changeOf(kind) });
    const absent = await t.api('PUT', `/${kind}/${ABSENT}`, { key: a.key, json: changeOf(kind) });
    expectSameAsAbsent(hidden, absent, kind, b.ids[kind]);
    expect(await storedRow(kind, b.ids[kind])).toEqual(before);
    expect(await eventCount(kind, b.ids[kind])).toBe(eventsBefore);
    const form = await t.api('PUT', `/${kind}/${b.ids[kind]}`, {
      key: a.key,
      form: changeOf(kind) as Record<string, string>,
    });
    expect(form.body).toEqual(notFound(kind, b.ids[kind]));
    expect(await storedRow(kind, b.ids[kind])).toEqual(before);
  });
});

describe.each(DELETABLE)('client A against client B: delete %s', (kind) => {
  it("cannot delete B's row, which is still there", async () => {
    const before = await storedRow(kind, b.ids[kind]);
    const hidden = await t.api('DELETE', `/${kind}/${b.ids[kind]}`, { key: a.key });
    const absent = await t.api('DELETE', `/${kind}/${ABSENT}`, { key: a.key });
    expectSameAsAbsent(hidden, absent, kind, b.ids[kind]);
    expect(await storedRow(kind, b.ids[kind])).toEqual(before);
    if (kind === 'operator') expect((await storedRow(kind, b.ids[kind]))?.deleted_at).toBeNull();
    expect((await t.api('GET', `/${kind}/${b.ids[kind]}`, { key: b.key })).status).toBe(200);
  });
});

interface ReferenceCase {
  name: string;
  method: 'POST' | 'PUT';
  path: () => string;
  body: () => Record<string, unknown>;
  field: string;
  target: Kind;
}

let emails = 0;
const freshEmail = () => {
  emails += 1;
  return `new${emails}@alpha.example`;
};

const REFERENCES: ReferenceCase[] = [
  {
    name: 'create operator, website_list',
    method: 'POST',
    path: () => '/operator',
    body: () => ({ name: 'X', email: freshEmail(), website_list: [a.ids.website, b.ids.website] }),
    field: 'website_list',
    target: 'website',
  },
  {
    name: 'create operator, skill_list',
    method: 'POST',
    path: () => '/operator',
    body: () => ({ name: 'X', email: freshEmail(), skill_list: [b.ids.skill] }),
    field: 'skill_list',
    target: 'skill',
  },
  {
    name: 'create operator, group_id',
    method: 'POST',
    path: () => '/operator',
    body: () => ({ name: 'X', email: freshEmail(), group_id: b.ids.group }),
    field: 'group_id',
    target: 'group',
  },
  {
    name: 'update operator, website_list',
    method: 'PUT',
    path: () => `/operator/${a.ids.operator}`,
    body: () => ({ website_list: [b.ids.website] }),
    field: 'website_list',
    target: 'website',
  },
  {
    name: 'update operator, skill_list',
    method: 'PUT',
    path: () => `/operator/${a.ids.operator}`,
    body: () => ({ skill_list: [b.ids.skill] }),
    field: 'skill_list',
    target: 'skill',
  },
  {
    name: 'update operator, group_id',
    method: 'PUT',
    path: () => `/operator/${a.ids.operator}`,
    body: () => ({ group_id: b.ids.group }),
    field: 'group_id',
    target: 'group',
  },
  {
    name: 'create group, operator_list',
    method: 'POST',
    path: () => '/group',
    body: () => ({ name: 'X', operator_list: [b.ids.operator] }),
    field: 'operator_list',
    target: 'operator',
  },
  {
    name: 'create group, parent_id',
    method: 'POST',
    path: () => '/group',
    body: () => ({ name: 'X', parent_id: b.ids.group }),
    field: 'parent_id',
    target: 'group',
  },
  {
    name: 'update group, operator_list',
    method: 'PUT',
    path: () => `/group/${a.ids.group}`,
    body: () => ({ operator_list: [a.ids.operator, b.ids.operator] }),
    field: 'operator_list',
    target: 'operator',
  },
  {
    name: 'update group, parent_id',
    method: 'PUT',
    path: () => `/group/${a.ids.group}`,
    body: () => ({ parent_id: b.ids.group }),
    field: 'parent_id',
    target: 'group',
  },
  {
    name: 'create skill, operator_list',
    method: 'POST',
    path: () => '/skill',
    body: () => ({ name: 'X', operator_list: [b.ids.operator] }),
    field: 'operator_list',
    target: 'operator',
  },
  {
    name: 'create skill, parent_id',
    method: 'POST',
    path: () => '/skill',
    body: () => ({ name: 'X', parent_id: b.ids.skill }),
    field: 'parent_id',
    target: 'skill',
  },
  {
    name: 'update skill, operator_list',
    method: 'PUT',
    path: () => `/skill/${a.ids.skill}`,
    body: () => ({ operator_list: [b.ids.operator] }),
    field: 'operator_list',
    target: 'operator',
  },
  {
    name: 'update skill, parent_id',
    method: 'PUT',
    path: () => `/skill/${a.ids.skill}`,
    body: () => ({ parent_id: b.ids.skill }),
    field: 'parent_id',
    target: 'skill',
  },
];

describe("client A's writes cannot reference client B's rows", () => {
  it.each(REFERENCES)('$name → 400 naming the field', async ({ method, path, body, field, target }) => {
    const counts = async () => ({
      operators: (await t.store.db.selectFrom('operator').select('id').where('client_id', '=', a.clientId).execute())
        .length,
      groups: (await t.store.db.selectFrom('operator_group').select('id').where('client_id', '=', a.clientId).execute())
        .length,
      skills: (await t.store.db.selectFrom('skill').select('id').where('client_id', '=', a.clientId).execute()).length,
    });
    const countsBefore = await counts();
    const rowsBefore = await Promise.all(KINDS.map((kind) => storedRow(kind, a.ids[kind])));
    const bOperatorBefore = await storedRow('operator', b.ids.operator);
    const bLinksBefore = await t.store.db
      .selectFrom('operator_skill')
      .selectAll()
      .where('operator_id', '=', b.ids.operator)
      .execute();

    const answer = await t.api(method, path(), { key: a.key, json: body() });
    expect(answer.status).toBe(400);
    expect(answer.body.meta.status).toBe('fail');
    expect(answer.body.meta.message).toBe(
      `Value of field '${field}' is not valid. Unknown '${target}' with 'id' ${b.ids[target]}.`,
    );

    expect(await counts()).toEqual(countsBefore);
    expect(await Promise.all(KINDS.map((kind) => storedRow(kind, a.ids[kind])))).toEqual(rowsBefore);
    expect(await storedRow('operator', b.ids.operator)).toEqual(bOperatorBefore);
    expect(
      await t.store.db.selectFrom('operator_skill').selectAll().where('operator_id', '=', b.ids.operator).execute(),
    ).toEqual(bLinksBefore);
  });
});

describe("client A cannot act on client B's account", () => {
  it('cannot create a key for B, and no key is stored', async () => {
    const keysBefore = (
      await t.store.db.selectFrom('api_key').select('id').where('client_id', '=', b.clientId).execute()
    ).length;
    const hidden = await t.api('POST', `/client/${b.clientId}/key`, { key: a.key, json: { name: 'stolen' } });
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual(notFound('client', b.clientId));
    const absent = await t.api('POST', `/client/${ABSENT}/key`, { key: a.key, json: {} });
    expect(absent.status).toBe(404);
    expect(absent.body).toEqual(notFound('client', ABSENT));
    expect(
      (await t.store.db.selectFrom('api_key').select('id').where('client_id', '=', b.clientId).execute()).length,
    ).toBe(keysBefore);
  });

  it("cannot read B's client, nor see it or its keys in lists", async () => {
    expect((await t.api('GET', `/client/${b.clientId}`, { key: a.key })).body).toEqual(notFound('client', b.clientId));
    const clients = await t.api('GET', '/client?full=1', { key: a.key });
    expect(listIds(clients)).toEqual([a.clientId]);
    const keys = await t.api('GET', '/key?full=1&limit=100', { key: a.key });
    expect(keys.status).toBe(200);
    expect(keys.body.data.length).toBeGreaterThan(0);
    for (const item of keys.body.data) expect(item.client_id).toBe(a.clientId);
  });

  it.each(KINDS)("cannot create a %s with B's client_id", async (kind) => {
    const bodies: Record<Kind, Record<string, unknown>> = {
      website: { url: 'https://intruder.example' },
      operator: { name: 'Intruder', email: 'intruder@alpha.example' },
      group: { name: 'Intruder' },
      skill: { name: 'Intruder' },
    };
    const answer = await t.api('POST', `/${kind}`, { key: a.key, json: { ...bodies[kind], client_id: b.clientId } });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(notFound('client', b.clientId));
    const bList = await t.api('GET', `/${kind}`, { key: b.key });
    expect(listIds(bList)).toEqual([b.ids[kind]]);
  });
});

describe('partner P sees its client C and nothing of A or B', () => {
  it('lists exactly its own client', async () => {
    const answer = await t.api('GET', '/client?full=1', { key: partner.key });
    expect(answer.status).toBe(200);
    expect(listIds(answer)).toEqual([c.clientId]);
    expect(answer.body.data[0]).toMatchObject({ name: 'Charlie Co', partner_id: partner.partnerId });
  });

  it('reads C, and reads A and B as if they did not exist', async () => {
    expect((await t.api('GET', `/client/${c.clientId}`, { key: partner.key })).status).toBe(200);
    const absent = await t.api('GET', `/client/${ABSENT}`, { key: partner.key });
    for (const other of [a.clientId, b.clientId]) {
      expectSameAsAbsent(await t.api('GET', `/client/${other}`, { key: partner.key }), absent, 'client', other);
    }
  });

  it('cannot create a key or a resource for A', async () => {
    expect((await t.api('POST', `/client/${a.clientId}/key`, { key: partner.key, json: {} })).body).toEqual(
      notFound('client', a.clientId),
    );
    expect(
      (await t.api('POST', '/skill', { key: partner.key, json: { name: 'P skill', client_id: a.clientId } })).body,
    ).toEqual(notFound('client', a.clientId));
  });

  it.each(KINDS)("lists C's %s only and reads B's as absent", async (kind) => {
    const list = await t.api('GET', `/${kind}?full=1`, { key: partner.key });
    expect(listIds(list)).toEqual([c.ids[kind]]);
    expect((await t.api('GET', `/${kind}/${c.ids[kind]}`, { key: partner.key })).status).toBe(200);
    const hidden = await t.api('GET', `/${kind}/${b.ids[kind]}`, { key: partner.key });
    expectSameAsAbsent(hidden, await t.api('GET', `/${kind}/${ABSENT}`, { key: partner.key }), kind, b.ids[kind]);
  });

  it.each(KINDS)("C's key sees its %s, and A's key reads C's as absent", async (kind) => {
    expect(listIds(await t.api('GET', `/${kind}`, { key: c.key }))).toEqual([c.ids[kind]]);
    expect((await t.api('GET', `/${kind}/${a.ids[kind]}`, { key: c.key })).body).toEqual(notFound(kind, a.ids[kind]));
    expect((await t.api('GET', `/${kind}/${c.ids[kind]}`, { key: a.key })).body).toEqual(notFound(kind, c.ids[kind]));
  });
});

describe('platform key', () => {
  it('sees every tenant (the rows above exist; isolation is not emptiness)', async () => {
    const answer = await t.api('GET', '/client', { key: ADMIN_KEY });
    expect(listIds(answer).sort((x, y) => x - y)).toEqual([a.clientId, b.clientId, c.clientId].sort((x, y) => x - y));
  });
});
