// Visitors (seed 003 "Visitor") end to end on a real database: fields, unique ids, updates, the privacy erase, filters, isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/schema.js';
import { transact } from '../../events/transact.js';
import {
  clientWithKey,
  eventTypesFor,
  partnerWithKey,
  type Resource,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { nowInstant } from '../../time.js';
import { findOrCreateVisitor } from './identity.js';

let t: TestApp;
let key: string;
let clientId: number;
let otherKey: string;
let site: Resource;
let site2: Resource;
let foreignSite: Resource;

const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Visitor Co'));
  ({ key: otherKey } = await clientWithKey(t, 'Other Co'));
  site = await create('/website', { url: 'https://one.visitors.example' });
  site2 = await create('/website', { url: 'https://two.visitors.example' });
  foreignSite = await create('/website', { url: 'https://foreign.visitors.example' }, otherKey);
});
afterAll(async () => t.close());

async function create(path: string, json: Record<string, unknown>, as: string = key): Promise<Resource> {
  const answer = await t.api('POST', path, { key: as, json });
  if (answer.status !== 200) throw new Error(`POST ${path} failed: ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

let uidCounter = 0;
const freshUid = (stem = 'uid'): string => `${stem}-${++uidCounter}-${Date.now().toString(36)}`;

async function rowCount(table: keyof Database): Promise<number> {
  const row = await t.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function listIds(path: string, as: string = key): Promise<number[]> {
  const answer = await t.api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=100`, { key: as });
  expect(answer.status).toBe(200);
  return answer.body.data.map((item) => item.id);
}

async function lastPayload(visitorId: number, type: string): Promise<Record<string, unknown>> {
  const row = await t.store.db
    .selectFrom('event')
    .select(['payload', 'client_id'])
    .where('subject_type', '=', 'visitor')
    .where('subject_id', '=', visitorId)
    .where('type', '=', type)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  expect(row.client_id).toBe(clientId);
  return JSON.parse(row.payload) as Record<string, unknown>;
}

/** A conversation row written directly (the conversation API is another domain's). */
async function insertConversation(visitorId: number, websiteId: number): Promise<number> {
  const at = nowInstant();
  const row = await t.store.db
    .insertInto('conversation')
    .values({
      client_id: clientId,
      website_id: websiteId,
      channel: 'chat',
      source: 'web',
      visitor_id: visitorId,
      operator_id: null,
      skill_id: null,
      rule_id: null,
      status: 'closed',
      page_type: null,
      user_agent: null,
      phone_number: null,
      xmpp_id: `x-${visitorId}-${at}`,
      created_at: at,
      answered_at: null,
      closed_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('creating and reading visitors', () => {
  it('creates a visitor with every seed 003 field and reads exactly those back', async () => {
    const answer = await t.api('POST', '/visitor', {
      key,
      json: {
        unique_id: 'abc123def456',
        external_id: 'CRM-77',
        lastname: 'Martin',
        firstname: 'Julie',
        address: '3 rue des Lilas',
        city: 'Nantes',
        zip: '44000',
        country: 'FR',
        phone: '+33 6 12 34 56 78',
        email: 'julie@shop.example',
        browser: 'Firefox 140',
        website_id: [site2.id, site.id],
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.meta).toEqual({ status: 'success' });
    const id = answer.body.data.id;
    const expected = {
      id,
      unique_id: 'abc123def456',
      external_id: 'CRM-77',
      lastname: 'Martin',
      firstname: 'Julie',
      address: '3 rue des Lilas',
      city: 'Nantes',
      zip: '44000',
      country: 'FR',
      // Separators go; the number is kept in E.164.
      phone: '+33612345678',
      email: 'julie@shop.example',
      browser: 'Firefox 140',
      website_id: [site.id, site2.id],
      created_at: answer.body.data.created_at,
      custom_attributes: {},
      identities: [
        { type: 'web', value: 'abc123def456' },
        { type: 'email', value: 'julie@shop.example' },
        { type: 'phone', value: '+33612345678' },
      ],
      conversation_id: [],
      _link: `/visitor/${id}`,
    };
    expect(answer.body.data).toEqual(expected);
    expect(answer.body.data.created_at).toMatch(DATE_TIME);
    const read = await t.api('GET', `/visitor/${id}`, { key });
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual(expected);
    const full = await t.api('GET', '/visitor?full=1&limit=100', { key });
    expect(full.body.data.find((item) => item.id === id)).toEqual(expected);
    expect(await eventTypesFor(t, 'visitor', id)).toEqual(['visitor.created']);
    expect(await lastPayload(id, 'visitor.created')).toEqual({
      visitorId: id,
      unique_id: 'abc123def456',
      websiteIds: [site.id, site2.id],
    });
  });

  it('mints a unique_id when none is given, and leaves omitted fields null', async () => {
    const first = await create('/visitor', {});
    const second = await create('/visitor', { website_id: [site.id] });
    expect(first.unique_id).toMatch(/^[0-9a-f]{45}$/);
    expect(second.unique_id).toMatch(/^[0-9a-f]{45}$/);
    expect(first.unique_id).not.toBe(second.unique_id);
    expect(first).toMatchObject({
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
      website_id: [],
    });
    expect(second.website_id).toEqual([site.id]);
  });

  it('lists short items newest first, with pagination', async () => {
    const a = await create('/visitor', {});
    const b = await create('/visitor', {});
    const answer = await t.api('GET', '/visitor?limit=2', { key });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual([
      { id: b.id, _link: `/visitor/${b.id}` },
      { id: a.id, _link: `/visitor/${a.id}` },
    ]);
    expect(answer.body.pagination.limit).toBe(2);
    expect(answer.body.pagination.count).toBeGreaterThanOrEqual(2);
  });

  it('answers 409 for a unique_id already used in the account, and writes nothing', async () => {
    const uid = freshUid();
    await create('/visitor', { unique_id: uid });
    const visitors = await rowCount('visitor');
    const events = await rowCount('event');
    const duplicate = await t.api('POST', '/visitor', { key, json: { unique_id: uid, lastname: 'Twin' } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.meta).toMatchObject({
      status: 'fail',
      message: `Value of field 'unique_id' is not valid. A visitor with the unique_id '${uid}' already exists.`,
    });
    expect(await rowCount('visitor')).toBe(visitors);
    expect(await rowCount('event')).toBe(events);
  });

  it('lets another client use the same unique_id', async () => {
    const uid = freshUid('shared');
    const mine = await create('/visitor', { unique_id: uid });
    const theirs = await create('/visitor', { unique_id: uid }, otherKey);
    expect(theirs.id).not.toBe(mine.id);
    expect(await listIds(`/visitor?filters[unique_id]=${uid}`)).toEqual([mine.id]);
    expect(await listIds(`/visitor?filters[unique_id]=${uid}`, otherKey)).toEqual([theirs.id]);
  });

  it('gives one unique_id to one visitor when several creates race', async () => {
    const uid = freshUid('race');
    const answers = await Promise.all(
      [1, 2, 3].map(() => t.api('POST', '/visitor', { key, json: { unique_id: uid } })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409, 409]);
    for (const answer of answers.filter((one) => one.status === 409))
      expect(answer.body.meta.message).toContain(`'${uid}' already exists`);
    const rows = await t.store.db.selectFrom('visitor').select('id').where('unique_id', '=', uid).execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses an invalid email or unique_id, naming the field', async () => {
    for (const email of ['not-an-email', 'a@b', 'two words@shop.example']) {
      const answer = await t.api('POST', '/visitor', { key, json: { email } });
      expect(answer.status).toBe(400);
      expect(answer.body.meta).toMatchObject({
        status: 'fail',
        message: "Value of field 'email' is not valid. Expected an email address, such as 'julie@shop.example'.",
      });
    }
    const spaced = await t.api('POST', '/visitor', { key, json: { unique_id: 'has space' } });
    expect(spaced.status).toBe(400);
    expect(spaced.body.meta.message).toBe(
      "Value of field 'unique_id' is not valid. Expected an identifier without spaces, at most 255 characters.",
    );
    const long = await t.api('POST', '/visitor', { key, json: { lastname: 'x'.repeat(256) } });
    expect(long.status).toBe(400);
    expect(long.body.meta.message).toBe(
      "Value of field 'lastname' is not valid. Expected text of at most 255 characters, or null to clear it.",
    );
    const unknown = await t.api('POST', '/visitor', { key, json: { nickname: 'Jules' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.meta.message).toBe("Field 'nickname' is not a field of 'visitor'.");
    const trimmed = await create('/visitor', { email: '  padded@shop.example ', city: '   ' });
    expect(trimmed.email).toBe('padded@shop.example');
    expect(trimmed.city).toBeNull();
  });

  it('refuses websites of another client or that do not exist, writing no row and no event', async () => {
    const visitors = await rowCount('visitor');
    const events = await rowCount('event');
    const links = await rowCount('visitor_website');
    for (const websiteId of [foreignSite.id, 999999]) {
      const answer = await t.api('POST', '/visitor', { key, json: { website_id: [site.id, websiteId] } });
      expect(answer.status).toBe(400);
      expect(answer.body.meta).toMatchObject({
        status: 'fail',
        message: `Value of field 'website_id' is not valid. Unknown 'website' with 'id' ${websiteId}.`,
      });
    }
    const notAList = await t.api('POST', '/visitor', { key, json: { website_id: ['x'] } });
    expect(notAList.status).toBe(400);
    expect(notAList.body.meta.message).toBe(
      "Value of field 'website_id' is not valid. Expected a whole number identifier.",
    );
    expect(await rowCount('visitor')).toBe(visitors);
    expect(await rowCount('event')).toBe(events);
    expect(await rowCount('visitor_website')).toBe(links);
  });

  it('accepts a form-encoded body with a comma-separated website list', async () => {
    const answer = await t.api('POST', '/visitor', {
      key,
      form: { unique_id: freshUid('form'), firstname: 'Form', website_id: `${site.id},${site2.id}`, city: '' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ firstname: 'Form', website_id: [site.id, site2.id], city: null });
  });

  it('lets a partner key create a visitor for one of its clients, naming the client', async () => {
    const partner = await partnerWithKey(t, 'Visitor Partner');
    const managed = await clientWithKey(t, 'Managed Co', partner.key);
    const missing = await t.api('POST', '/visitor', { key: partner.key, json: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.meta.message).toBe("Field 'client_id' is missing.");
    const made = await t.api('POST', '/visitor', {
      key: partner.key,
      json: { client_id: managed.clientId, lastname: 'Managed' },
    });
    expect(made.status).toBe(200);
    expect((await t.api('GET', `/visitor/${made.body.data.id}`, { key: managed.key })).body.data.lastname).toBe(
      'Managed',
    );
    const foreign = await t.api('POST', '/visitor', { key: partner.key, json: { client_id: clientId } });
    expect(foreign.status).toBe(404);
    expect(foreign.body.meta.message).toBe(`Unknown 'client' with 'id' ${clientId}.`);
  });
});

describe('updating visitors', () => {
  it('changes only the fields given, replaces the website list, and records which fields changed', async () => {
    const original = await create('/visitor', {
      unique_id: freshUid('upd'),
      lastname: 'Before',
      city: 'Lyon',
      website_id: [site.id],
    });
    const updated = await t.api('PUT', `/visitor/${original.id}`, {
      key,
      json: { lastname: 'After', email: 'after@shop.example', website_id: [site2.id] },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toEqual({
      ...original,
      lastname: 'After',
      email: 'after@shop.example',
      website_id: [site2.id],
      identities: [...(original.identities as unknown[]), { type: 'email', value: 'after@shop.example' }],
    });
    expect((await t.api('GET', `/visitor/${original.id}`, { key })).body.data).toEqual(updated.body.data);
    expect(await eventTypesFor(t, 'visitor', original.id)).toEqual(['visitor.created', 'visitor.updated']);
    expect(await lastPayload(original.id, 'visitor.updated')).toEqual({
      visitorId: original.id,
      unique_id: original.unique_id,
      changed: ['lastname', 'email', 'website_id'],
      websiteIds: [site2.id],
    });
    expect(await listIds(`/visitor?filters[website_id]=${site.id}`)).not.toContain(original.id);
    expect(await listIds(`/visitor?filters[website_id]=${site2.id}`)).toContain(original.id);
  });

  it('clears a field given null (or an empty form value) and writes no event when nothing changes', async () => {
    const original = await create('/visitor', { lastname: 'Clear', city: 'Lyon', phone: '0102030405' });
    const cleared = await t.api('PUT', `/visitor/${original.id}`, { key, json: { city: null } });
    expect(cleared.body.data).toEqual({ ...original, city: null });
    const form = await t.api('PUT', `/visitor/${original.id}`, { key, form: { phone: '' } });
    expect(form.body.data).toEqual({
      ...original,
      city: null,
      phone: null,
      identities: (original.identities as Array<{ type: string }>).filter((identity) => identity.type !== 'phone'),
    });
    expect(await eventTypesFor(t, 'visitor', original.id)).toEqual([
      'visitor.created',
      'visitor.updated',
      'visitor.updated',
    ]);
    const same = await t.api('PUT', `/visitor/${original.id}`, { key, json: { lastname: 'Clear', website_id: [] } });
    expect(same.status).toBe(200);
    expect(same.body.data).toEqual(form.body.data);
    expect(await eventTypesFor(t, 'visitor', original.id)).toEqual([
      'visitor.created',
      'visitor.updated',
      'visitor.updated',
    ]);
  });

  it('refuses to change unique_id or created_at, an invalid email, or a foreign website', async () => {
    const original = await create('/visitor', { website_id: [site.id] });
    const cases: [Record<string, unknown>, string][] = [
      [
        { unique_id: 'other-uid' },
        "Value of field 'unique_id' is not valid. A visitor keeps its unique_id; create another visitor for another identifier.",
      ],
      [
        { created_at: '2020-01-01 00:00:00' },
        "Value of field 'created_at' is not valid. It is set when the visitor is created and cannot be changed.",
      ],
      [
        { email: 'nope' },
        "Value of field 'email' is not valid. Expected an email address, such as 'julie@shop.example'.",
      ],
      [
        { website_id: [foreignSite.id] },
        `Value of field 'website_id' is not valid. Unknown 'website' with 'id' ${foreignSite.id}.`,
      ],
    ];
    for (const [json, message] of cases) {
      const answer = await t.api('PUT', `/visitor/${original.id}`, { key, json: { lastname: 'Changed', ...json } });
      expect(answer.status).toBe(400);
      expect(answer.body.meta).toMatchObject({ status: 'fail', message });
    }
    expect((await t.api('GET', `/visitor/${original.id}`, { key })).body.data).toEqual(original);
    expect(await eventTypesFor(t, 'visitor', original.id)).toEqual(['visitor.created']);
  });
});

describe('deleting visitors (privacy erase)', () => {
  it('erases personal data, hides the visitor, keeps its conversations, and frees its unique_id', async () => {
    const uid = freshUid('erase');
    const doomed = await create('/visitor', {
      unique_id: uid,
      external_id: 'CRM-ERASE',
      lastname: 'Doe',
      firstname: 'Jane',
      address: '1 Main St',
      city: 'Paris',
      zip: '75001',
      country: 'FR',
      phone: '0600000000',
      email: 'jane@shop.example',
      browser: 'Chrome',
      website_id: [site.id],
    });
    const conversationId = await insertConversation(doomed.id, site.id);
    const at = nowInstant();
    const sale = await t.store.db
      .insertInto('sale')
      .values({
        client_id: clientId,
        website_id: site.id,
        external_id: `order-${uid}`,
        visitor_id: doomed.id,
        visitor_uid: uid,
        visitor_email: 'jane@shop.example',
        amount: 12.5,
        currency: 'EUR',
        operator_id: null,
        conversation_id: conversationId,
        created_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    const deleted = await t.api('DELETE', `/visitor/${doomed.id}`, { key });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ meta: { status: 'success' } });

    const read = await t.api('GET', `/visitor/${doomed.id}`, { key });
    expect(read.status).toBe(404);
    expect(read.body.meta).toMatchObject({ status: 'fail', message: `Unknown 'visitor' with 'id' ${doomed.id}.` });
    expect(await listIds('/visitor')).not.toContain(doomed.id);
    expect(await listIds(`/visitor?filters[unique_id]=${uid}`)).toEqual([]);
    expect(await listIds('/visitor?filters[external_id]=CRM-ERASE')).toEqual([]);
    expect(await listIds(`/visitor?filters[website_id]=${site.id}`)).not.toContain(doomed.id);
    expect((await t.api('PUT', `/visitor/${doomed.id}`, { key, json: { lastname: 'Back' } })).status).toBe(404);
    expect((await t.api('DELETE', `/visitor/${doomed.id}`, { key })).status).toBe(404);

    const row = await t.store.db
      .selectFrom('visitor')
      .selectAll()
      .where('id', '=', doomed.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      unique_id: `deleted:${doomed.id}`,
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
    });
    expect(row.deleted_at).not.toBeNull();
    expect(JSON.stringify(row)).not.toContain('Jane');
    const conversation = await t.store.db
      .selectFrom('conversation')
      .select(['id', 'visitor_id'])
      .where('id', '=', conversationId)
      .executeTakeFirst();
    expect(conversation).toEqual({ id: conversationId, visitor_id: doomed.id });
    const saleRow = await t.store.db.selectFrom('sale').selectAll().where('id', '=', sale.id).executeTakeFirstOrThrow();
    expect(saleRow).toMatchObject({
      visitor_email: null,
      visitor_uid: null,
      amount: 12.5,
      conversation_id: conversationId,
    });

    expect(await eventTypesFor(t, 'visitor', doomed.id)).toEqual(['visitor.created', 'visitor.deleted']);
    expect(await lastPayload(doomed.id, 'visitor.deleted')).toEqual({ visitorId: doomed.id, unique_id: uid });

    const again = await t.api('POST', '/visitor', { key, json: { unique_id: uid } });
    expect(again.status).toBe(200);
    expect(again.body.data.id).not.toBe(doomed.id);
  });

  it('makes a returning browser a new visitor rather than reviving the deleted one', async () => {
    const uid = freshUid('returning');
    const doomed = await create('/visitor', { unique_id: uid, lastname: 'Gone' });
    await t.api('DELETE', `/visitor/${doomed.id}`, { key });
    const found = await transact(t.store.db, (trx) =>
      findOrCreateVisitor(trx, { clientId, websiteId: site.id, uniqueId: uid, at: nowInstant() }),
    );
    expect(found.created).toBe(true);
    expect(found.id).not.toBe(doomed.id);
    const fresh = await t.api('GET', `/visitor/${found.id}`, { key });
    expect(fresh.body.data).toMatchObject({ unique_id: uid, lastname: null, website_id: [site.id] });
  });
});

describe('visitor filters', () => {
  let fk: string;
  let fSite: Resource;
  let ann: Resource;
  let bob: Resource;
  let cat: Resource;

  beforeAll(async () => {
    ({ key: fk } = await clientWithKey(t, 'Visitor Filters Co'));
    fSite = await create('/website', { url: 'https://filters.visitors.example' }, fk);
    ann = await create('/visitor', { unique_id: 'ann-uid-1', external_id: 'crm-ann', website_id: [fSite.id] }, fk);
    bob = await create('/visitor', { unique_id: 'bob-uid-2', external_id: 'crm-bob' }, fk);
    cat = await create('/visitor', { unique_id: 'cat-uid-3', website_id: [fSite.id] }, fk);
  });

  it('filters by unique_id, exactly or with * wildcards', async () => {
    expect(await listIds('/visitor?filters[unique_id]=bob-uid-2', fk)).toEqual([bob.id]);
    expect(await listIds('/visitor?filters[unique_id]=*uid*', fk)).toEqual([cat.id, bob.id, ann.id]);
    expect(await listIds('/visitor?filters[unique_id]=uid', fk)).toEqual([]);
  });

  it('filters by external_id and website_id, and combines them', async () => {
    expect(await listIds('/visitor?filters[external_id]=crm-ann', fk)).toEqual([ann.id]);
    expect(await listIds('/visitor?filters[external_id]=crm-*', fk)).toEqual([bob.id, ann.id]);
    expect(await listIds(`/visitor?filters[website_id]=${fSite.id}`, fk)).toEqual([cat.id, ann.id]);
    expect(await listIds(`/visitor?filters[website_id]=${fSite.id}&filters[external_id]=crm-*`, fk)).toEqual([ann.id]);
  });

  it('refuses an unknown filter or a malformed website_id', async () => {
    const unknown = await t.api('GET', '/visitor?filters[email]=x', { key: fk });
    expect(unknown.status).toBe(400);
    expect(unknown.body.meta.message).toBe(
      "Filter 'email' is not supported for 'visitor'. Supported filters: unique_id, external_id, website_id, q.",
    );
    const bad = await t.api('GET', '/visitor?filters[website_id]=abc', { key: fk });
    expect(bad.status).toBe(400);
    expect(bad.body.meta.message).toBe(
      "Value of field 'filters[website_id]' is not valid. Expected a whole number identifier.",
    );
  });
});

describe('visitor isolation', () => {
  it("answers 404 for another client's visitor on read, update and delete, and never lists it", async () => {
    const theirs = await create('/visitor', { unique_id: freshUid('theirs'), lastname: 'Hidden' }, otherKey);
    for (const [method, options] of [
      ['GET', {}],
      ['PUT', { json: { lastname: 'Mine now' } }],
      ['DELETE', {}],
    ] as const) {
      const answer = await t.api(method, `/visitor/${theirs.id}`, { key, ...options });
      expect(answer.status).toBe(404);
      expect(answer.body.meta).toMatchObject({ status: 'fail', message: `Unknown 'visitor' with 'id' ${theirs.id}.` });
    }
    expect(await listIds('/visitor')).not.toContain(theirs.id);
    expect(await listIds(`/visitor?filters[unique_id]=${String(theirs.unique_id)}`)).toEqual([]);
    expect((await t.api('GET', `/visitor/${theirs.id}`, { key: otherKey })).body.data.lastname).toBe('Hidden');
    expect(await eventTypesFor(t, 'visitor', theirs.id)).toEqual(['visitor.created']);
  });
});

describe('OpenAPI document', () => {
  it('documents the visitor routes with tags, summaries and filters', async () => {
    const answer = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    const doc = answer.json<{
      paths: Record<string, Record<string, { tags?: string[]; summary?: string; parameters?: { name: string }[] }>>;
    }>();
    const expected: [string, string[]][] = [
      ['/api/2/visitor', ['get', 'post']],
      ['/api/2/visitor/{id}', ['get', 'put', 'delete']],
    ];
    for (const [path, methods] of expected) {
      for (const method of methods) {
        const operation = doc.paths[path]?.[method];
        expect(operation?.tags).toEqual(['Visitor']);
        expect(operation?.summary).toBeTruthy();
      }
    }
    const filters = (doc.paths['/api/2/visitor']?.get?.parameters ?? []).map((parameter) => parameter.name);
    expect(filters).toEqual(
      expect.arrayContaining([
        'filters[unique_id]',
        'filters[external_id]',
        'filters[website_id]',
        'page',
        'limit',
        'full',
      ]),
    );
  });
});
