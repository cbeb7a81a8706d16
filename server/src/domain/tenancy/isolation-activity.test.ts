// The tenant-isolation matrix for activity data (visitors, conversations, tags, transactions, satisfaction, call meetings,
// operator live/statistic/profile, Odigo call-backs) and the legacy v1 API: a key never sees, changes or references
// another tenant's rows, a row it may not see answers exactly as a row that does not exist, and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiAnswer,
  type CallOptions,
  clientWithKey,
  partnerWithKey,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';

type Kind = 'visitor' | 'conversation' | 'tag' | 'transaction' | 'satisfaction' | 'callmeeting';
const KINDS: readonly Kind[] = ['visitor', 'conversation', 'tag', 'transaction', 'satisfaction', 'callmeeting'];
type Updatable = 'visitor' | 'conversation' | 'tag' | 'callmeeting';
const UPDATABLE: readonly Updatable[] = ['visitor', 'conversation', 'tag', 'callmeeting'];
/** A change each updatable resource accepts from its owner; all text, so it can be sent as a form too. */
const CHANGES: Record<Updatable, Record<string, string>> = {
  visitor: { firstname: 'Hijacked' },
  conversation: { page_type: 'hijacked' },
  tag: { name: 'Hijacked' },
  callmeeting: { status: 'failed' },
};
/** An id no row has. */
const ABSENT = 987654;

interface Tenant {
  label: string;
  slug: string;
  clientId: number;
  key: string;
  website: number;
  group: number;
  skill: number;
  operator: number;
  operatorExternalId: string;
  ruleId: number;
  /** One row of each kind: the visitor, the open conversation, the tag, the sale, the survey answer, the call meeting. */
  ids: Record<Kind, number>;
  /** Closed, answered by a survey, and the conversation the sale is attributed to. */
  closedConversation: number;
  /** Opened by an Odigo pick-up and still open. */
  callConversation: number;
  buyerUid: string;
  buyerEmail: string;
  /** A visitor whose unique id another tenant reuses in the shadowing tests. */
  sharedUid: string;
  sharedVisitor: number;
  meetingPhone: string;
  callPhone: string;
}

let t: TestApp;
let a: Tenant;
let b: Tenant;
let partner: { partnerId: number; key: string };
let c: Tenant;

// ——— Dates as the API writes them ———

const pad = (value: number): string => String(value).padStart(2, '0');
const apiDateTime = (date: Date): string =>
  `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
const apiDay = (date: Date): string => apiDateTime(date).slice(0, 10);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Report periods wide enough to hold everything written by this file whatever the time of day. */
const since = (): string => apiDay(new Date(Date.now() - 2 * DAY));
const until = (): string => apiDay(new Date(Date.now() + DAY));

// ——— Setup through the public API ———

async function data(answer: Promise<ApiAnswer>, what: string): Promise<ApiAnswer['body']['data']> {
  const settled = await answer;
  if (settled.status !== 200)
    throw new Error(`setup ${what} failed: ${settled.status} ${JSON.stringify(settled.body)}`);
  return settled.body.data;
}
const created = async (key: string, path: string, json: Record<string, unknown>): Promise<number> =>
  Number((await data(t.api('POST', path, { key, json }), `POST ${path}`)).id);

/**
 * Everything a tenant has, named after it: a website, group, skill and operator (with an external id); a tag; visitors;
 * an open conversation with history, tags, skill and rule; a closed conversation with a survey answer and a sale
 * attributed to it; a pending call meeting; an Odigo call still open; the operator available for chat, with a profile.
 */
async function populate(key: string, label: string, clientId: number, n: number): Promise<Tenant> {
  const slug = label.toLowerCase();
  const website = await created(key, '/website', { url: `https://${slug}.example`, label: `${label} site` });
  const group = await created(key, '/group', { name: `${label} group` });
  const skill = await created(key, '/skill', { name: `${label} skill` });
  const operatorExternalId = `${slug}-ext`;
  const operator = await created(key, '/operator', {
    name: `${label} operator`,
    email: `op@${slug}.example`,
    external_id: operatorExternalId,
    call_enabled: true,
    group_id: group,
    website_list: [website],
    skill_list: [skill],
  });
  const tag = await created(key, '/tag', { name: `${label} tag`, website_id: [website] });
  const visitor = await created(key, '/visitor', {
    unique_id: `${slug}-visitor`,
    external_id: `${slug}-ext-visitor`,
    firstname: label,
    email: `visitor@${slug}.example`,
    website_id: [website],
  });
  const sharedUid = `shared-uid-${n}`;
  const sharedVisitor = await created(key, '/visitor', { unique_id: sharedUid, website_id: [website] });
  const ruleId = 100 * n + n;
  const start = Date.now() - HOUR;
  const at = (minutes: number) => apiDateTime(new Date(start + minutes * 60_000));
  const conversation = await created(key, '/conversation', {
    website_id: website,
    visitor_uid: `${slug}-visitor`,
    operator_id: operator,
    skill_id: skill,
    rule_id: ruleId,
    tag_list: [tag],
    page_type: 'product',
    history: [
      [2, at(0), `${label} says hello`],
      [1, at(1), `${label} operator answers`],
    ],
  });
  const buyerUid = `${slug}-buyer`;
  const buyerEmail = `buyer@${slug}.example`;
  const closedConversation = await created(key, '/conversation', {
    website_id: website,
    visitor_uid: buyerUid,
    operator_id: operator,
    history: [[2, at(2), `${label} buyer asks`]],
  });
  await data(t.api('POST', `/conversation/${closedConversation}/close`, { key, json: {} }), 'close');
  const satisfaction = await created(key, '/satisfaction', {
    conversation_id: closedConversation,
    note_welcome: 3,
    note_delay: 2,
    note_resolution: 1,
    comment: `${label} comment`,
  });
  const transaction = await created(key, '/transaction', {
    website_id: website,
    external_id: `${slug}-order-1`,
    amount: 100 + n + 0.25,
    currency: 'EUR',
    visitor_uid: buyerUid,
    visitor_email: buyerEmail,
  });
  const meetingPhone = `+33 1 00 00 00 0${n}`;
  const callmeeting = await created(key, '/callmeeting', {
    website_id: website,
    phone_number: meetingPhone,
    start_at: apiDateTime(new Date(Date.now() + DAY)),
    visitor_uid: `${slug}-visitor`,
    targeting_rule_id: String(ruleId),
    skill_id: String(skill),
  });
  await data(t.api('PUT', `/operator/${operator}/live`, { key, json: { chat: { available: 1 } } }), 'live');
  await data(
    t.api('PUT', `/operator/${operator}/profile`, { key, json: { status: `${label} status`, city: `${label} city` } }),
    'profile',
  );
  const callPhone = `+33 2 00 00 00 0${n}`;
  const pickedUp = await data(
    t.api('POST', '/odigocallback/pickup', {
      key,
      json: { operator_external_id: operatorExternalId, website_id: website, phone_number: callPhone },
    }),
    'pickup',
  );
  const tenant: Tenant = {
    label,
    slug,
    clientId,
    key,
    website,
    group,
    skill,
    operator,
    operatorExternalId,
    ruleId,
    ids: { visitor, conversation, tag, transaction, satisfaction, callmeeting },
    closedConversation,
    callConversation: Number(pickedUp.conversation_id),
    buyerUid,
    buyerEmail,
    sharedUid,
    sharedVisitor,
    meetingPhone,
    callPhone,
  };
  // The sale must be attributed for the attribution tests to mean something.
  const sale = await t.store.db
    .selectFrom('sale')
    .select(['conversation_id', 'operator_id'])
    .where('id', '=', transaction)
    .executeTakeFirstOrThrow();
  if (sale.conversation_id !== closedConversation || sale.operator_id !== operator)
    throw new Error(`sale of ${label} not attributed: ${JSON.stringify(sale)}`);
  return tenant;
}

beforeAll(async () => {
  t = await startTestApp();
  const clientA = await clientWithKey(t, 'Alpha Co');
  const clientB = await clientWithKey(t, 'Bravo Co');
  a = await populate(clientA.key, 'Alpha', clientA.clientId, 1);
  b = await populate(clientB.key, 'Bravo', clientB.clientId, 2);
  partner = await partnerWithKey(t, 'Reseller');
  const clientC = await created(partner.key, '/client', { name: 'Charlie Co', lang: 'en' });
  const minted = await data(
    t.api('POST', `/client/${clientC}/key`, { key: partner.key, json: { name: 'for C' } }),
    'key for C',
  );
  c = await populate(String(minted.key), 'Charlie', clientC, 3);
}, 60_000);
afterAll(async () => t.close());

// ——— What is stored ———

/**
 * Every row of a client, and every row anywhere that points at one of its rows (an operator linked to its website, a
 * message signed by its operator, a sale attributed to its conversation…): if another key changes anything of the
 * client's, or makes its own rows point into the client, this changes.
 */
async function snapshotOf(clientId: number): Promise<Record<string, unknown[]>> {
  const db = t.store.db;
  const websites = db.selectFrom('website').select('id').where('client_id', '=', clientId);
  const operators = db.selectFrom('operator').select('id').where('client_id', '=', clientId);
  const skills = db.selectFrom('skill').select('id').where('client_id', '=', clientId);
  const visitors = db.selectFrom('visitor').select('id').where('client_id', '=', clientId);
  const conversations = db.selectFrom('conversation').select('id').where('client_id', '=', clientId);
  const tags = db.selectFrom('tag').select('id').where('client_id', '=', clientId);
  return {
    client: await db.selectFrom('client').selectAll().where('id', '=', clientId).execute(),
    website: await db.selectFrom('website').selectAll().where('client_id', '=', clientId).orderBy('id').execute(),
    operator: await db.selectFrom('operator').selectAll().where('client_id', '=', clientId).orderBy('id').execute(),
    operator_group: await db
      .selectFrom('operator_group')
      .selectAll()
      .where('client_id', '=', clientId)
      .orderBy('id')
      .execute(),
    skill: await db.selectFrom('skill').selectAll().where('client_id', '=', clientId).orderBy('id').execute(),
    operator_website: await db
      .selectFrom('operator_website')
      .selectAll()
      .where((eb) => eb.or([eb('operator_id', 'in', operators), eb('website_id', 'in', websites)]))
      .orderBy('operator_id')
      .orderBy('website_id')
      .execute(),
    operator_skill: await db
      .selectFrom('operator_skill')
      .selectAll()
      .where((eb) => eb.or([eb('operator_id', 'in', operators), eb('skill_id', 'in', skills)]))
      .orderBy('operator_id')
      .orderBy('skill_id')
      .execute(),
    operator_profile: await db
      .selectFrom('operator_profile')
      .selectAll()
      .where('operator_id', 'in', operators)
      .orderBy('operator_id')
      .execute(),
    presence_session: await db
      .selectFrom('presence_session')
      .selectAll()
      .where((eb) => eb.or([eb('client_id', '=', clientId), eb('operator_id', 'in', operators)]))
      .orderBy('id')
      .execute(),
    visitor: await db.selectFrom('visitor').selectAll().where('client_id', '=', clientId).orderBy('id').execute(),
    visitor_website: await db
      .selectFrom('visitor_website')
      .selectAll()
      .where((eb) => eb.or([eb('visitor_id', 'in', visitors), eb('website_id', 'in', websites)]))
      .orderBy('visitor_id')
      .orderBy('website_id')
      .execute(),
    conversation: await db
      .selectFrom('conversation')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('client_id', '=', clientId),
          eb('website_id', 'in', websites),
          eb('visitor_id', 'in', visitors),
          eb('operator_id', 'in', operators),
          eb('skill_id', 'in', skills),
        ]),
      )
      .orderBy('id')
      .execute(),
    conversation_message: await db
      .selectFrom('conversation_message')
      .selectAll()
      .where((eb) => eb.or([eb('conversation_id', 'in', conversations), eb('operator_id', 'in', operators)]))
      .orderBy('id')
      .execute(),
    conversation_tag: await db
      .selectFrom('conversation_tag')
      .selectAll()
      .where((eb) => eb.or([eb('conversation_id', 'in', conversations), eb('tag_id', 'in', tags)]))
      .orderBy('conversation_id')
      .orderBy('tag_id')
      .execute(),
    tag: await db.selectFrom('tag').selectAll().where('client_id', '=', clientId).orderBy('id').execute(),
    tag_website: await db
      .selectFrom('tag_website')
      .selectAll()
      .where((eb) => eb.or([eb('tag_id', 'in', tags), eb('website_id', 'in', websites)]))
      .orderBy('tag_id')
      .orderBy('website_id')
      .execute(),
    sale: await db
      .selectFrom('sale')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('client_id', '=', clientId),
          eb('website_id', 'in', websites),
          eb('conversation_id', 'in', conversations),
          eb('visitor_id', 'in', visitors),
          eb('operator_id', 'in', operators),
        ]),
      )
      .orderBy('id')
      .execute(),
    satisfaction: await db
      .selectFrom('satisfaction')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('client_id', '=', clientId),
          eb('website_id', 'in', websites),
          eb('conversation_id', 'in', conversations),
          eb('operator_id', 'in', operators),
        ]),
      )
      .orderBy('id')
      .execute(),
    call_meeting: await db
      .selectFrom('call_meeting')
      .selectAll()
      .where((eb) => eb.or([eb('client_id', '=', clientId), eb('website_id', 'in', websites)]))
      .orderBy('id')
      .execute(),
    event: await db.selectFrom('event').selectAll().where('client_id', '=', clientId).orderBy('id').execute(),
  };
}

/** The three tenants' snapshots and the number of events anywhere. */
async function everything() {
  const events = await t.store.db
    .selectFrom('event')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return {
    a: await snapshotOf(a.clientId),
    b: await snapshotOf(b.clientId),
    c: await snapshotOf(c.clientId),
    events: Number(events.n),
  };
}

/** Runs a request that must write nothing at all, for anyone. */
async function writesNothing<T>(action: () => Promise<T>): Promise<T> {
  const before = await everything();
  const result = await action();
  expect(await everything()).toEqual(before);
  return result;
}

const byNumber = (x: number, y: number): number => x - y;

/** The ids of a tenant's rows of a kind, straight from the database: what its lists must show, no more. */
async function ownIds(kind: Kind, clientId: number): Promise<number[]> {
  const db = t.store.db;
  let rows: { id: number }[];
  switch (kind) {
    case 'visitor':
      rows = await db
        .selectFrom('visitor')
        .select('id')
        .where('client_id', '=', clientId)
        .where('deleted_at', 'is', null)
        .execute();
      break;
    case 'conversation':
      rows = await db.selectFrom('conversation').select('id').where('client_id', '=', clientId).execute();
      break;
    case 'tag':
      rows = await db.selectFrom('tag').select('id').where('client_id', '=', clientId).execute();
      break;
    case 'transaction':
      rows = await db.selectFrom('sale').select('id').where('client_id', '=', clientId).execute();
      break;
    case 'satisfaction':
      rows = await db.selectFrom('satisfaction').select('id').where('client_id', '=', clientId).execute();
      break;
    case 'callmeeting':
      rows = await db.selectFrom('call_meeting').select('id').where('client_id', '=', clientId).execute();
      break;
  }
  return rows.map((row) => Number(row.id)).sort(byNumber);
}

async function ownOperators(clientId: number): Promise<number[]> {
  const rows = await t.store.db
    .selectFrom('operator')
    .select('id')
    .where('client_id', '=', clientId)
    .where('deleted_at', 'is', null)
    .execute();
  return rows.map((row) => Number(row.id)).sort(byNumber);
}

// ——— Answers ———

const notFound = (resource: string, id: number) => ({
  meta: { status: 'fail', message: `Unknown '${resource}' with 'id' ${id}.`, error: 'not_found' },
});

/** Asserts the answer for another tenant's row is the answer for a row that does not exist, id aside. */
function expectSameAsAbsent(hidden: ApiAnswer, absent: ApiAnswer, resource: string, hiddenId: number): void {
  expect(hidden.status).toBe(404);
  expect(hidden.body).toEqual(notFound(resource, hiddenId));
  expect(absent.status).toBe(hidden.status);
  expect(absent.body).toEqual(notFound(resource, ABSENT));
  expect(hidden.headers['x-causerie-error']).toBeDefined();
  expect(hidden.headers['x-causerie-error']).toBe(absent.headers['x-causerie-error']);
  expect(Object.keys(hidden.body).sort()).toEqual(Object.keys(absent.body).sort());
}

const listIds = (answer: ApiAnswer): number[] => answer.body.data.map((item) => item.id).sort(byNumber);

/** Website ids an item names (`website_id` is a list on tags and visitors, one id elsewhere). */
function websitesOf(item: Record<string, unknown>): number[] {
  const value = item.website_id;
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(Number);
}

// ——— v2 resources: client A against client B ———

interface FilterCase {
  query: string;
  /** True when only B's rows can match: A must get nothing at all. Otherwise A gets its own rows, never B's. */
  specific: boolean;
}

/** Filters that find B's row (`b.ids[kind]`) for B's own key. */
function filtersFor(kind: Kind): FilterCase[] {
  const only = (query: string): FilterCase => ({ query, specific: true });
  const shared = (query: string): FilterCase => ({ query, specific: false });
  switch (kind) {
    case 'visitor':
      return [
        only(`filters[unique_id]=${b.slug}-visitor`),
        only(`filters[unique_id]=${b.slug}*`),
        only('filters[external_id]=*bravo*'),
        only(`filters[website_id]=${b.website}`),
      ];
    case 'conversation':
      return [
        only(`filters[website_id]=${b.website}`),
        only(`filters[operator_id]=${b.operator}`),
        only(`filters[visitor_id]=${b.ids.visitor}`),
        only(`filters[skill_id]=${b.skill}`),
        only(`filters[tag_id]=${b.ids.tag}`),
        only(`filters[rule_id]=${b.ruleId}`),
        shared('filters[channel]=chat'),
        shared('filters[operator_id]=!null'),
        shared('filters[skill_id]=!null'),
        shared('filters[rule_id]=!null'),
        shared(`filters[from]=${since()}&filters[to]=${until()}`),
      ];
    case 'tag':
      return [only(`filters[website_id]=${b.website}`)];
    case 'transaction':
      return [
        only(`filters[website_id]=${b.website}`),
        only(`filters[operator_id]=${b.operator}`),
        only(`filters[conversation_id]=${b.closedConversation}`),
        shared('filters[conversation_id]=!null'),
        shared(`filters[from]=${since()}&filters[to]=${until()}`),
      ];
    case 'satisfaction':
      return [
        only(`filters[website_id]=${b.website}`),
        only(`filters[operator_id]=${b.operator}`),
        only(`filters[conversation_id]=${b.closedConversation}`),
        shared(`filters[from]=${since()}&filters[to]=${until()}`),
      ];
    case 'callmeeting':
      return [only(`filters[website_id]=${b.website}`), shared(`filters[from]=${since()}`)];
  }
}

describe.each(KINDS)('client A against client B: %s', (kind) => {
  it('lists only its own rows, short and full', async () => {
    const own = await ownIds(kind, a.clientId);
    expect(own).toContain(a.ids[kind]);
    for (const query of ['', '?full=1', '?limit=100', '?limit=100&full=1']) {
      const answer = await t.api('GET', `/${kind}${query}`, { key: a.key });
      expect(answer.status, query).toBe(200);
      expect(listIds(answer), query).toEqual(own);
      expect(answer.body.pagination.count, query).toBe(own.length);
      for (const item of answer.body.data) {
        if (item.client_id !== undefined) expect(item.client_id).toBe(a.clientId);
        for (const site of websitesOf(item)) expect(site).toBe(a.website);
      }
    }
  });

  it("finds nothing of B's through filters that find B's row for B", async () => {
    const theirs = await ownIds(kind, b.clientId);
    const own = await ownIds(kind, a.clientId);
    for (const { query, specific } of filtersFor(kind)) {
      const forB = await t.api('GET', `/${kind}?limit=100&${query}`, { key: b.key });
      expect(forB.status, query).toBe(200);
      expect(listIds(forB), query).toContain(b.ids[kind]);
      for (const asked of [query, `${query}&full=1`]) {
        const answer = await t.api('GET', `/${kind}?limit=100&${asked}`, { key: a.key });
        expect(answer.status, asked).toBe(200);
        const found = listIds(answer);
        for (const id of theirs) expect(found, asked).not.toContain(id);
        for (const id of found) expect(own, asked).toContain(id);
        if (specific) expect(answer.body.pagination.count, asked).toBe(0);
      }
    }
  });

  it("reads B's row as if it did not exist, and writes nothing", async () => {
    expect((await t.api('GET', `/${kind}/${b.ids[kind]}`, { key: b.key })).status).toBe(200);
    await writesNothing(async () => {
      const hidden = await t.api('GET', `/${kind}/${b.ids[kind]}`, { key: a.key });
      const absent = await t.api('GET', `/${kind}/${ABSENT}`, { key: a.key });
      expectSameAsAbsent(hidden, absent, kind, b.ids[kind]);
    });
  });
});

describe.each(UPDATABLE)('client A against client B: update %s', (kind) => {
  it("cannot change B's row, which stays exactly as stored, with no event", async () => {
    await writesNothing(async () => {
      const hidden = await t.api('PUT', `/${kind}/${b.ids[kind]}`, { key: a.key, json: CHANGES[kind] });
      const absent = await t.api('PUT', `/${kind}/${ABSENT}`, { key: a.key, json: CHANGES[kind] });
      expectSameAsAbsent(hidden, absent, kind, b.ids[kind]);
      const form = await t.api('PUT', `/${kind}/${b.ids[kind]}`, { key: a.key, form: CHANGES[kind] });
      expectSameAsAbsent(form, absent, kind, b.ids[kind]);
    });
    // The same change is accepted on A's own row: the refusal above is isolation, not a bad body.
    expect((await t.api('PUT', `/${kind}/${a.ids[kind]}`, { key: a.key, json: CHANGES[kind] })).status).toBe(200);
  });
});

describe('client A against client B: delete visitor', () => {
  it("cannot delete (erase) B's visitor, which is still there and unchanged", async () => {
    await writesNothing(async () => {
      const hidden = await t.api('DELETE', `/visitor/${b.ids.visitor}`, { key: a.key });
      const absent = await t.api('DELETE', `/visitor/${ABSENT}`, { key: a.key });
      expectSameAsAbsent(hidden, absent, 'visitor', b.ids.visitor);
    });
    const stillThere = await t.api('GET', `/visitor/${b.ids.visitor}`, { key: b.key });
    expect(stillThere.status).toBe(200);
    expect(stillThere.body.data.unique_id).toBe(`${b.slug}-visitor`);
  });
});

interface SubRouteCase {
  name: string;
  method: 'GET' | 'POST' | 'PUT';
  /** The path for one id (B's, or the absent one). */
  path: (id: number) => string;
  target: () => number;
  resource: 'conversation' | 'operator';
  options?: () => CallOptions;
}

const SUB_ROUTES: SubRouteCase[] = [
  {
    name: 'POST /conversation/{id}/message (visitor entry)',
    method: 'POST',
    path: (id) => `/conversation/${id}/message`,
    target: () => b.ids.conversation,
    resource: 'conversation',
    options: () => ({ json: { type: 'visitor', text: 'Intrusion' } }),
  },
  {
    name: 'POST /conversation/{id}/message (operator entry signed by A)',
    method: 'POST',
    path: (id) => `/conversation/${id}/message`,
    target: () => b.ids.conversation,
    resource: 'conversation',
    options: () => ({ json: { type: 'operator', text: 'Intrusion', operator_id: a.operator } }),
  },
  {
    name: 'POST /conversation/{id}/message (form)',
    method: 'POST',
    path: (id) => `/conversation/${id}/message`,
    target: () => b.ids.conversation,
    resource: 'conversation',
    options: () => ({ form: { type: 'system', text: 'Intrusion' } }),
  },
  {
    name: 'POST /conversation/{id}/message on a closed one (never 409)',
    method: 'POST',
    path: (id) => `/conversation/${id}/message`,
    target: () => b.closedConversation,
    resource: 'conversation',
    options: () => ({ json: { type: 'visitor', text: 'Intrusion' } }),
  },
  {
    name: 'GET /conversation/{id}/message',
    method: 'GET',
    path: (id) => `/conversation/${id}/message`,
    target: () => b.ids.conversation,
    resource: 'conversation',
  },
  {
    name: 'GET /conversation/{id}/message?after_seq=1',
    method: 'GET',
    path: (id) => `/conversation/${id}/message?after_seq=1&limit=10`,
    target: () => b.ids.conversation,
    resource: 'conversation',
  },
  {
    name: 'POST /conversation/{id}/close',
    method: 'POST',
    path: (id) => `/conversation/${id}/close`,
    target: () => b.ids.conversation,
    resource: 'conversation',
    options: () => ({ json: {} }),
  },
  {
    name: 'POST /conversation/{id}/close (by the visitor)',
    method: 'POST',
    path: (id) => `/conversation/${id}/close`,
    target: () => b.callConversation,
    resource: 'conversation',
    options: () => ({ json: { operator_closed: false } }),
  },
  {
    name: 'POST /conversation/{id}/close on a closed one (never 409)',
    method: 'POST',
    path: (id) => `/conversation/${id}/close`,
    target: () => b.closedConversation,
    resource: 'conversation',
    options: () => ({ json: {} }),
  },
  {
    name: 'GET /operator/{id}/live',
    method: 'GET',
    path: (id) => `/operator/${id}/live`,
    target: () => b.operator,
    resource: 'operator',
  },
  {
    name: 'PUT /operator/{id}/live (chat unavailable)',
    method: 'PUT',
    path: (id) => `/operator/${id}/live`,
    target: () => b.operator,
    resource: 'operator',
    options: () => ({ form: 'chat[available]=0' }),
  },
  {
    name: 'PUT /operator/{id}/live (call available)',
    method: 'PUT',
    path: (id) => `/operator/${id}/live`,
    target: () => b.operator,
    resource: 'operator',
    options: () => ({ json: { call: { available: 1 } } }),
  },
  {
    name: 'PUT /operator/{id}/live (disconnect)',
    method: 'PUT',
    path: (id) => `/operator/${id}/live`,
    target: () => b.operator,
    resource: 'operator',
    options: () => ({ form: 'connected=0' }),
  },
  {
    name: 'GET /operator/{id}/statistic',
    method: 'GET',
    path: (id) => `/operator/${id}/statistic`,
    target: () => b.operator,
    resource: 'operator',
  },
  {
    name: 'GET /operator/{id}/profile',
    method: 'GET',
    path: (id) => `/operator/${id}/profile`,
    target: () => b.operator,
    resource: 'operator',
  },
  {
    name: 'PUT /operator/{id}/profile',
    method: 'PUT',
    path: (id) => `/operator/${id}/profile`,
    target: () => b.operator,
    resource: 'operator',
    options: () => ({ json: { status: 'Hijacked', city: '' } }),
  },
  {
    name: 'PUT /operator/{id}/profile (form)',
    method: 'PUT',
    path: (id) => `/operator/${id}/profile`,
    target: () => b.operator,
    resource: 'operator',
    options: () => ({ form: { description: 'Hijacked' } }),
  },
];

describe("client A against client B's conversations and operators: sub-routes", () => {
  it.each(SUB_ROUTES)(
    '$name answers as for an absent id and writes nothing',
    async ({ method, path, target, resource, options }) => {
      const id = target();
      await writesNothing(async () => {
        const hidden = await t.api(method, path(id), { key: a.key, ...options?.() });
        const absent = await t.api(method, path(ABSENT), { key: a.key, ...options?.() });
        expectSameAsAbsent(hidden, absent, resource, id);
      });
    },
  );

  it("B's call conversation is still open and B's operator still available, with its profile", async () => {
    expect((await t.api('GET', `/conversation/${b.callConversation}`, { key: b.key })).body.data.status).toBe('open');
    const live = await t.api('GET', `/operator/${b.operator}/live`, { key: b.key });
    expect(live.body.data).toMatchObject({
      id: b.operator,
      connected: true,
      chat: { available: true },
      call: { available: false },
    });
    const profile = await t.api('GET', `/operator/${b.operator}/profile`, { key: b.key });
    expect(profile.body.data).toMatchObject({
      user_id: b.operator,
      status: 'Bravo status',
      city: 'Bravo city',
      description: null,
    });
  });
});

describe('GET /operator/live', () => {
  it("lists only A's operators, whatever the filters", async () => {
    const own = await ownOperators(a.clientId);
    const answer = await t.api('GET', '/operator/live?limit=100', { key: a.key });
    expect(answer.status).toBe(200);
    expect(listIds(answer)).toEqual(own);
    expect(answer.body.pagination.count).toBe(own.length);
    for (const filter of [
      `filters[website_id]=${b.website}`,
      `filters[group_id]=${b.group}`,
      `filters[skill_id]=${b.skill}`,
      'filters[name]=*Bravo*',
    ]) {
      expect(listIds(await t.api('GET', `/operator/live?limit=100&${filter}`, { key: b.key })), filter).toContain(
        b.operator,
      );
      const filtered = await t.api('GET', `/operator/live?limit=100&${filter}`, { key: a.key });
      expect(filtered.status, filter).toBe(200);
      expect(filtered.body.data, filter).toEqual([]);
      expect(filtered.body.pagination.count, filter).toBe(0);
    }
  });
});

// ——— References to another tenant's rows in bodies ———

interface ReferenceCase {
  name: string;
  method: 'POST' | 'PUT';
  path: () => string;
  body: () => Record<string, unknown>;
  field: string;
  /** The reason after "Value of field 'x' is not valid.". */
  reason: () => string;
}

const unknown = (resource: string, id: () => number) => () => `Unknown '${resource}' with 'id' ${id()}.`;

const REFERENCES: ReferenceCase[] = [
  {
    name: 'create conversation, website_id',
    method: 'POST',
    path: () => '/conversation',
    body: () => ({ website_id: b.website }),
    field: 'website_id',
    reason: unknown('website', () => b.website),
  },
  {
    name: 'create conversation with history, website_id',
    method: 'POST',
    path: () => '/conversation',
    body: () => ({
      website_id: b.website,
      visitor_uid: b.buyerUid,
      history: [[2, apiDateTime(new Date(Date.now() - 60_000)), 'Intrusion']],
    }),
    field: 'website_id',
    reason: unknown('website', () => b.website),
  },
  {
    name: 'create conversation, operator_id',
    method: 'POST',
    path: () => '/conversation',
    body: () => ({ website_id: a.website, operator_id: b.operator }),
    field: 'operator_id',
    reason: unknown('operator', () => b.operator),
  },
  {
    name: 'create conversation, skill_id',
    method: 'POST',
    path: () => '/conversation',
    body: () => ({ website_id: a.website, skill_id: b.skill }),
    field: 'skill_id',
    reason: unknown('skill', () => b.skill),
  },
  {
    name: 'create conversation, tag_list',
    method: 'POST',
    path: () => '/conversation',
    body: () => ({ website_id: a.website, tag_list: [a.ids.tag, b.ids.tag] }),
    field: 'tag_list',
    reason: unknown('tag', () => b.ids.tag),
  },
  {
    name: 'update conversation, operator_id',
    method: 'PUT',
    path: () => `/conversation/${a.ids.conversation}`,
    body: () => ({ operator_id: b.operator }),
    field: 'operator_id',
    reason: unknown('operator', () => b.operator),
  },
  {
    name: 'update conversation, skill_id',
    method: 'PUT',
    path: () => `/conversation/${a.ids.conversation}`,
    body: () => ({ skill_id: b.skill }),
    field: 'skill_id',
    reason: unknown('skill', () => b.skill),
  },
  {
    name: 'update conversation, tag_list',
    method: 'PUT',
    path: () => `/conversation/${a.ids.conversation}`,
    body: () => ({ tag_list: [b.ids.tag] }),
    field: 'tag_list',
    reason: unknown('tag', () => b.ids.tag),
  },
  {
    name: 'message in a conversation, operator_id',
    method: 'POST',
    path: () => `/conversation/${a.ids.conversation}/message`,
    body: () => ({ type: 'operator', text: 'Signed by B', operator_id: b.operator }),
    field: 'operator_id',
    reason: unknown('operator', () => b.operator),
  },
  {
    name: 'create tag, website_id',
    method: 'POST',
    path: () => '/tag',
    body: () => ({ name: 'Intruder tag', website_id: [b.website] }),
    field: 'website_id',
    reason: unknown('website', () => b.website),
  },
  {
    name: 'update tag, website_id',
    method: 'PUT',
    path: () => `/tag/${a.ids.tag}`,
    body: () => ({ name: 'Renamed', website_id: [a.website, b.website] }),
    field: 'website_id',
    reason: unknown('website', () => b.website),
  },
  {
    name: 'create visitor, website_id',
    method: 'POST',
    path: () => '/visitor',
    body: () => ({ unique_id: 'intruder-visitor', website_id: [b.website] }),
    field: 'website_id',
    reason: unknown('website', () => b.website),
  },
  {
    name: 'update visitor, website_id',
    method: 'PUT',
    path: () => `/visitor/${a.ids.visitor}`,
    body: () => ({ lastname: 'Changed', website_id: [a.website, b.website] }),
    field: 'website_id',
    reason: unknown('website', () => b.website),
  },
  {
    name: 'report transaction, website_id',
    method: 'POST',
    path: () => '/transaction',
    body: () => ({ website_id: b.website, external_id: 'intruder-order', amount: 10 }),
    field: 'website_id',
    reason: unknown('website', () => b.website),
  },
  {
    name: "report transaction, conversation_id (B's, attributed)",
    method: 'POST',
    path: () => '/transaction',
    body: () => ({
      website_id: a.website,
      external_id: 'intruder-order',
      amount: 10,
      conversation_id: b.closedConversation,
    }),
    field: 'conversation_id',
    reason: unknown('conversation', () => b.closedConversation),
  },
  {
    name: "report transaction, conversation_id (B's open one, never 'on another website')",
    method: 'POST',
    path: () => '/transaction',
    body: () => ({
      website_id: a.website,
      external_id: 'intruder-order',
      amount: 10,
      conversation_id: b.ids.conversation,
    }),
    field: 'conversation_id',
    reason: unknown('conversation', () => b.ids.conversation),
  },
  {
    name: 'record satisfaction, conversation_id',
    method: 'POST',
    path: () => '/satisfaction',
    body: () => ({ conversation_id: b.ids.conversation, note_welcome: 1, note_delay: 1, note_resolution: 1 }),
    field: 'conversation_id',
    reason: unknown('conversation', () => b.ids.conversation),
  },
  {
    name: 'record satisfaction, conversation_id already answered (never 409)',
    method: 'POST',
    path: () => '/satisfaction',
    body: () => ({ conversation_id: b.closedConversation, note_welcome: 1, note_delay: 1, note_resolution: 1 }),
    field: 'conversation_id',
    reason: unknown('conversation', () => b.closedConversation),
  },
  {
    name: 'create call meeting, website_id',
    method: 'POST',
    path: () => '/callmeeting',
    body: () => ({
      website_id: b.website,
      phone_number: '+33 9 99 99 99 99',
      start_at: apiDateTime(new Date(Date.now() + DAY)),
    }),
    field: 'website_id',
    reason: unknown('website', () => b.website),
  },
  {
    name: 'create call meeting, skill_id',
    method: 'POST',
    path: () => '/callmeeting',
    body: () => ({
      website_id: a.website,
      phone_number: '+33 9 99 99 99 99',
      start_at: apiDateTime(new Date(Date.now() + DAY)),
      skill_id: String(b.skill),
    }),
    field: 'skill_id',
    reason: unknown('skill', () => b.skill),
  },
  {
    name: "Odigo pick-up, B's website_id",
    method: 'POST',
    path: () => '/odigocallback/pickup',
    body: () => ({ operator_external_id: b.operatorExternalId, website_id: b.website, phone_number: b.meetingPhone }),
    field: 'website_id',
    reason: unknown('website', () => b.website),
  },
  {
    name: "Odigo pick-up, B's operator external id on A's website",
    method: 'POST',
    path: () => '/odigocallback/pickup',
    body: () => ({ operator_external_id: b.operatorExternalId, website_id: a.website, phone_number: b.meetingPhone }),
    field: 'operator_external_id',
    reason: () => `No operator has the external id '${b.operatorExternalId}'.`,
  },
  {
    name: "Odigo hang-up, B's website_id (B's open call)",
    method: 'POST',
    path: () => '/odigocallback/hangup',
    body: () => ({ operator_external_id: b.operatorExternalId, website_id: b.website, phone_number: b.callPhone }),
    field: 'website_id',
    reason: unknown('website', () => b.website),
  },
  {
    name: "Odigo hang-up, B's operator external id on A's website",
    method: 'POST',
    path: () => '/odigocallback/hangup',
    body: () => ({ operator_external_id: b.operatorExternalId, website_id: a.website, phone_number: b.callPhone }),
    field: 'operator_external_id',
    reason: () => `No operator has the external id '${b.operatorExternalId}'.`,
  },
];

describe("client A's writes cannot reference client B's rows", () => {
  it.each(REFERENCES)(
    '$name → 400 naming the field, nothing written',
    async ({ method, path, body, field, reason }) => {
      await writesNothing(async () => {
        const answer = await t.api(method, path(), { key: a.key, json: body() });
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual({
          meta: {
            status: 'fail',
            message: `Value of field '${field}' is not valid. ${reason()}`,
            error: 'field_invalid',
            field,
          },
        });
      });
    },
  );
});

// ——— Partner keys ———

describe('partner P sees its client C and nothing of A or B', () => {
  it.each(KINDS)("lists C's %s only, reads A's and B's as absent", async (kind) => {
    const own = await ownIds(kind, c.clientId);
    for (const query of ['?limit=100', '?limit=100&full=1']) {
      const list = await t.api('GET', `/${kind}${query}`, { key: partner.key });
      expect(list.status).toBe(200);
      expect(listIds(list)).toEqual(own);
    }
    expect(
      (await t.api('GET', `/${kind}?limit=100&filters[website_id]=${a.website}`, { key: partner.key })).body.pagination
        .count,
    ).toBe(0);
    expect((await t.api('GET', `/${kind}/${c.ids[kind]}`, { key: partner.key })).status).toBe(200);
    await writesNothing(async () => {
      const absent = await t.api('GET', `/${kind}/${ABSENT}`, { key: partner.key });
      for (const other of [a, b])
        expectSameAsAbsent(
          await t.api('GET', `/${kind}/${other.ids[kind]}`, { key: partner.key }),
          absent,
          kind,
          other.ids[kind],
        );
    });
  });

  it.each(UPDATABLE)("cannot change A's %s", async (kind) => {
    await writesNothing(async () => {
      const hidden = await t.api('PUT', `/${kind}/${a.ids[kind]}`, { key: partner.key, json: CHANGES[kind] });
      expectSameAsAbsent(
        hidden,
        await t.api('PUT', `/${kind}/${ABSENT}`, { key: partner.key, json: CHANGES[kind] }),
        kind,
        a.ids[kind],
      );
    });
  });

  it("cannot delete A's visitor, post in or close A's conversation, or touch A's operator", async () => {
    await writesNothing(async () => {
      expect((await t.api('DELETE', `/visitor/${a.ids.visitor}`, { key: partner.key })).body).toEqual(
        notFound('visitor', a.ids.visitor),
      );
      expect(
        (
          await t.api('POST', `/conversation/${a.ids.conversation}/message`, {
            key: partner.key,
            json: { type: 'visitor', text: 'x' },
          })
        ).body,
      ).toEqual(notFound('conversation', a.ids.conversation));
      expect((await t.api('GET', `/conversation/${a.ids.conversation}/message`, { key: partner.key })).body).toEqual(
        notFound('conversation', a.ids.conversation),
      );
      expect(
        (await t.api('POST', `/conversation/${a.ids.conversation}/close`, { key: partner.key, json: {} })).body,
      ).toEqual(notFound('conversation', a.ids.conversation));
      for (const sub of ['live', 'statistic', 'profile']) {
        expect((await t.api('GET', `/operator/${a.operator}/${sub}`, { key: partner.key })).body, sub).toEqual(
          notFound('operator', a.operator),
        );
      }
      expect(
        (await t.api('PUT', `/operator/${a.operator}/live`, { key: partner.key, form: 'connected=0' })).body,
      ).toEqual(notFound('operator', a.operator));
      expect(
        (await t.api('PUT', `/operator/${a.operator}/profile`, { key: partner.key, json: { status: 'x' } })).body,
      ).toEqual(notFound('operator', a.operator));
    });
    // Its own client's rows it may change.
    expect((await t.api('GET', `/operator/${c.operator}/statistic`, { key: partner.key })).status).toBe(200);
  });

  it("GET /operator/live lists C's operators only", async () => {
    const answer = await t.api('GET', '/operator/live?limit=100', { key: partner.key });
    expect(listIds(answer)).toEqual(await ownOperators(c.clientId));
  });

  it.each([
    {
      name: 'conversation on A website',
      path: '/conversation',
      body: () => ({ website_id: a.website }),
      status: 400,
      message: () => `Value of field 'website_id' is not valid. Unknown 'website' with 'id' ${a.website}.`,
    },
    {
      name: 'call meeting on A website',
      path: '/callmeeting',
      body: () => ({
        website_id: a.website,
        phone_number: '0600000000',
        start_at: apiDateTime(new Date(Date.now() + DAY)),
      }),
      status: 400,
      message: () => `Value of field 'website_id' is not valid. Unknown 'website' with 'id' ${a.website}.`,
    },
    {
      name: 'transaction on A website',
      path: '/transaction',
      body: () => ({ website_id: a.website, external_id: 'p-1', amount: 1 }),
      status: 400,
      message: () => `Value of field 'website_id' is not valid. Unknown 'website' with 'id' ${a.website}.`,
    },
    {
      name: 'satisfaction on A conversation',
      path: '/satisfaction',
      body: () => ({ conversation_id: a.ids.conversation, note_welcome: 2, note_delay: 2, note_resolution: 2 }),
      status: 400,
      message: () =>
        `Value of field 'conversation_id' is not valid. Unknown 'conversation' with 'id' ${a.ids.conversation}.`,
    },
    {
      name: 'Odigo pick-up on A website',
      path: '/odigocallback/pickup',
      body: () => ({ operator_external_id: a.operatorExternalId, website_id: a.website, phone_number: '0600000000' }),
      status: 400,
      message: () => `Value of field 'website_id' is not valid. Unknown 'website' with 'id' ${a.website}.`,
    },
    {
      name: 'visitor for client A',
      path: '/visitor',
      body: () => ({ client_id: a.clientId }),
      status: 404,
      message: () => `Unknown 'client' with 'id' ${a.clientId}.`,
    },
    {
      name: 'tag for client A',
      path: '/tag',
      body: () => ({ name: 'P tag', client_id: a.clientId }),
      status: 404,
      message: () => `Unknown 'client' with 'id' ${a.clientId}.`,
    },
    {
      name: 'tag for C on A website',
      path: '/tag',
      body: () => ({ name: 'P tag', client_id: c.clientId, website_id: [a.website] }),
      status: 400,
      message: () => `Value of field 'website_id' is not valid. Unknown 'website' with 'id' ${a.website}.`,
    },
  ])('cannot create a $name', async ({ path, body, status, message }) => {
    await writesNothing(async () => {
      const answer = await t.api('POST', path, { key: partner.key, json: body() });
      expect(answer.status).toBe(status);
      expect(answer.body.meta.message).toBe(message());
    });
  });

  it.each(KINDS)("C's key sees its own %s, and A's key reads C's as absent", async (kind) => {
    expect(listIds(await t.api('GET', `/${kind}?limit=100`, { key: c.key }))).toEqual(await ownIds(kind, c.clientId));
    expect((await t.api('GET', `/${kind}/${a.ids[kind]}`, { key: c.key })).body).toEqual(notFound(kind, a.ids[kind]));
    expect((await t.api('GET', `/${kind}/${c.ids[kind]}`, { key: a.key })).body).toEqual(notFound(kind, c.ids[kind]));
  });
});

// ——— Legacy v1 ———

interface V1Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
  json: unknown;
}

/** Calls `/api{path}` the v1 way: parameters and key in the query string (GET), or in a form body (POST). */
async function v1(
  path: string,
  params: Record<string, string>,
  key: string,
  method: 'GET' | 'POST' = 'GET',
): Promise<V1Answer> {
  const all = new URLSearchParams({ ...params, key }).toString();
  const response =
    method === 'POST'
      ? await t.app.inject({
          method,
          url: `/api${path}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: all,
        })
      : await t.app.inject({ method, url: `/api${path}?${all}` });
  const text = response.body;
  const json: unknown = String(response.headers['content-type'] ?? '').startsWith('application/json')
    ? JSON.parse(text)
    : null;
  return { status: response.statusCode, headers: response.headers, text, json };
}

/** The `id`s of a v1 list, as numbers, sorted. */
function v1Ids(list: unknown): number[] {
  if (!Array.isArray(list)) throw new Error(`expected a list, got ${JSON.stringify(list)}`);
  return list
    .map((item: unknown) => {
      if (typeof item !== 'object' || item === null || !('id' in item))
        throw new Error(`no id in ${JSON.stringify(item)}`);
      return Number(item.id);
    })
    .sort(byNumber);
}

/** A field of a v1 answer object. */
function field(answer: unknown, name: string): unknown {
  if (typeof answer !== 'object' || answer === null || !(name in answer))
    throw new Error(`no ${name} in ${JSON.stringify(answer)}`);
  return (answer as Record<string, unknown>)[name];
}

/** Texts only B wrote: none may appear in anything A's key reads. */
const B_MARKERS = (): string[] => [
  'Bravo operator',
  'Bravo says hello',
  'Bravo operator answers',
  'Bravo buyer asks',
  'Bravo comment',
  'Bravo site',
  'Bravo group',
  `${b.slug}-order-1`,
  b.operatorExternalId,
  `${b.slug}-ext-visitor`,
  `${b.slug}.example`,
];

function expectNoneOfB(answer: V1Answer, what: string): void {
  expect(answer.status, `${what}: ${answer.text}`).toBe(200);
  for (const marker of B_MARKERS()) expect(answer.text, what).not.toContain(marker);
}

interface V1HiddenCase {
  name: string;
  path: string;
  hidden: () => Record<string, string>;
  absent: () => Record<string, string>;
  message: (which: 'hidden' | 'absent') => string;
}

const unknownOperator = (which: 'hidden' | 'absent') =>
  `Unknown 'operator' with 'id' ${which === 'hidden' ? b.operator : ABSENT}.`;
const unknownWebsite = (which: 'hidden' | 'absent') =>
  `Unknown 'website' with 'id' ${which === 'hidden' ? b.website : ABSENT}.`;

const V1_HIDDEN: V1HiddenCase[] = [
  {
    name: 'operator/editAccount id=B',
    path: '/operator/editAccount/',
    hidden: () => ({ id: String(b.operator), name: 'Hijacked' }),
    absent: () => ({ id: String(ABSENT), name: 'Hijacked' }),
    message: unknownOperator,
  },
  {
    name: 'operator/deleteAccount id=B',
    path: '/operator/deleteAccount/',
    hidden: () => ({ id: String(b.operator) }),
    absent: () => ({ id: String(ABSENT) }),
    message: unknownOperator,
  },
  {
    name: 'operator/linkWebsite opid=B',
    path: '/operator/linkWebsite/',
    hidden: () => ({ opid: String(b.operator), sid: String(a.website) }),
    absent: () => ({ opid: String(ABSENT), sid: String(a.website) }),
    message: unknownOperator,
  },
  {
    name: "operator/linkWebsite sid=B's website",
    path: '/operator/linkWebsite/',
    hidden: () => ({ opid: String(a.operator), sid: String(b.website) }),
    absent: () => ({ opid: String(a.operator), sid: String(ABSENT) }),
    message: unknownWebsite,
  },
  {
    name: 'operator/unlinkWebsite opid=B',
    path: '/operator/unlinkWebsite/',
    hidden: () => ({ opid: String(b.operator), sid: String(b.website) }),
    absent: () => ({ opid: String(ABSENT), sid: String(b.website) }),
    message: unknownOperator,
  },
  {
    name: "operator/unlinkWebsite sid=B's website",
    path: '/operator/unlinkWebsite/',
    hidden: () => ({ opid: String(a.operator), sid: String(b.website) }),
    absent: () => ({ opid: String(a.operator), sid: String(ABSENT) }),
    message: unknownWebsite,
  },
  {
    name: 'operator/setAvailable opid=B',
    path: '/operator/setAvailable/',
    hidden: () => ({ opid: String(b.operator) }),
    absent: () => ({ opid: String(ABSENT) }),
    message: unknownOperator,
  },
  {
    name: 'operator/setAvailable opId=B',
    path: '/operator/setAvailable/',
    hidden: () => ({ opId: String(b.operator) }),
    absent: () => ({ opId: String(ABSENT) }),
    message: unknownOperator,
  },
  {
    name: "operator/setAvailable external_id=B's",
    path: '/operator/setAvailable/',
    hidden: () => ({ external_id: b.operatorExternalId }),
    absent: () => ({ external_id: 'nobody-ext' }),
    message: (which) =>
      `Unknown 'operator' with 'external_id' '${which === 'hidden' ? b.operatorExternalId : 'nobody-ext'}'.`,
  },
  {
    name: 'operator/setUnavailable opid=B',
    path: '/operator/setUnavailable/',
    hidden: () => ({ opid: String(b.operator) }),
    absent: () => ({ opid: String(ABSENT) }),
    message: unknownOperator,
  },
  {
    name: 'operator/disconnect opid=B',
    path: '/operator/disconnect/',
    hidden: () => ({ opid: String(b.operator) }),
    absent: () => ({ opid: String(ABSENT) }),
    message: unknownOperator,
  },
  {
    name: "operator/getWebsiteOperatorList sid=B's website",
    path: '/operator/getWebsiteOperatorList/',
    hidden: () => ({ sid: String(b.website) }),
    absent: () => ({ sid: String(ABSENT) }),
    message: unknownWebsite,
  },
  {
    name: "chat_history/getHistoryByID chatid=B's open conversation",
    path: '/chat_history/getHistoryByID/',
    hidden: () => ({ chatid: String(b.ids.conversation) }),
    absent: () => ({ chatid: String(ABSENT) }),
    message: (which) => `Unknown 'chat' with 'id' ${which === 'hidden' ? b.ids.conversation : ABSENT}.`,
  },
  {
    name: "chat_history/getHistoryByID chatid=B's closed conversation (xml)",
    path: '/chat_history/getHistoryByID/',
    hidden: () => ({ chatid: String(b.closedConversation), out: 'xml' }),
    absent: () => ({ chatid: String(ABSENT), out: 'xml' }),
    message: (which) => `Unknown 'chat' with 'id' ${which === 'hidden' ? b.closedConversation : ABSENT}.`,
  },
  {
    name: 'chat_history/getHistory opid=B',
    path: '/chat_history/getHistory/',
    hidden: () => ({ opid: String(b.operator) }),
    absent: () => ({ opid: String(ABSENT) }),
    message: unknownOperator,
  },
  {
    name: "chat_history/getHistory external_id=B's operator",
    path: '/chat_history/getHistory/',
    hidden: () => ({ external_id: b.operatorExternalId }),
    absent: () => ({ external_id: 'nobody-ext' }),
    message: (which) =>
      `Unknown 'operator' with 'external_id' '${which === 'hidden' ? b.operatorExternalId : 'nobody-ext'}'.`,
  },
  {
    name: 'satisfaction/getSatisfaction opid=B',
    path: '/satisfaction/getSatisfaction/',
    hidden: () => ({ opid: String(b.operator), sdate: since(), edate: until() }),
    absent: () => ({ opid: String(ABSENT), sdate: since(), edate: until() }),
    message: unknownOperator,
  },
  {
    name: 'operator_stats/getStats opid=B',
    path: '/operator_stats/getStats/',
    hidden: () => ({ opid: String(b.operator), sdate: since(), edate: until() }),
    absent: () => ({ opid: String(ABSENT), sdate: since(), edate: until() }),
    message: unknownOperator,
  },
];

describe("legacy v1: client A's key cannot act on or read B's rows", () => {
  it.each(V1_HIDDEN)(
    '$name answers as for an absent id (GET and POST) and writes nothing',
    async ({ path, hidden, absent, message }) => {
      await writesNothing(async () => {
        for (const method of ['GET', 'POST'] as const) {
          const forHidden = await v1(path, hidden(), a.key, method);
          const forAbsent = await v1(path, absent(), a.key, method);
          expect(forHidden.status, method).toBe(404);
          expect(forHidden.json, method).toEqual({ result: 'error', message: message('hidden') });
          expect(forAbsent.status, method).toBe(forHidden.status);
          expect(forAbsent.json, method).toEqual({ result: 'error', message: message('absent') });
          expect(forHidden.headers['x-causerie-error'], method).toBeDefined();
          expect(forHidden.headers['x-causerie-error'], method).toBe(forAbsent.headers['x-causerie-error']);
        }
      });
    },
  );

  it("B's operator is still there, available, linked to B's website only", async () => {
    const theirs = await v1('/operator/getClientOperatorList/', {}, b.key);
    const operator = (field(theirs.json, 'operators') as unknown[]).find((item) => v1Ids([item])[0] === b.operator);
    expect(operator).toMatchObject({
      id: String(b.operator),
      name: 'Bravo operator',
      external_id: b.operatorExternalId,
      is_online: '1',
      messenger_isonline: '1',
    });
    const links = await t.store.db
      .selectFrom('operator_website')
      .select(['operator_id', 'website_id'])
      .where((eb) => eb.or([eb('operator_id', '=', b.operator), eb('website_id', '=', b.website)]))
      .execute();
    expect(links).toEqual([{ operator_id: b.operator, website_id: b.website }]);
  });
});

describe("legacy v1: client A's reports never contain B's data", () => {
  const period = () => ({ sdate: since(), edate: until() });

  it('operator/getClientOperatorList and website/getClientWebsiteList list A only', async () => {
    await writesNothing(async () => {
      const operators = await v1('/operator/getClientOperatorList/', {}, a.key);
      expectNoneOfB(operators, 'getClientOperatorList');
      expect(v1Ids(field(operators.json, 'operators'))).toEqual(await ownOperators(a.clientId));
      const websites = await v1('/website/getClientWebsiteList/', {}, a.key);
      expectNoneOfB(websites, 'getClientWebsiteList');
      expect(v1Ids(field(websites.json, 'websites'))).toEqual([a.website]);
      const onSite = await v1('/operator/getWebsiteOperatorList/', { sid: String(a.website) }, a.key);
      expectNoneOfB(onSite, 'getWebsiteOperatorList');
      expect(v1Ids(field(onSite.json, 'operators'))).toEqual([a.operator]);
    });
  });

  it("chat_history/getHistory holds A's conversations only, in json and xml", async () => {
    await writesNothing(async () => {
      const own = await ownIds('conversation', a.clientId);
      for (const params of [{}, period()]) {
        const json = await v1('/chat_history/getHistory/', params, a.key);
        expectNoneOfB(json, 'getHistory');
        expect(v1Ids(json.json)).toEqual(own);
        const xml = await v1('/chat_history/getHistory/', { ...params, out: 'xml' }, a.key);
        expectNoneOfB(xml, 'getHistory xml');
        for (const id of [b.ids.conversation, b.closedConversation, b.callConversation])
          expect(xml.text).not.toContain(`<id>${id}</id>`);
      }
      for (const params of [{ extid: `${b.slug}-ext-visitor` }, { ruleid: String(b.ruleId) }] as Record<
        string,
        string
      >[]) {
        const filtered = await v1('/chat_history/getHistory/', params, a.key);
        expect(filtered.status).toBe(200);
        expect(filtered.json).toEqual([]);
      }
    });
  });

  it("transactions/getTransactions holds A's sales only, in json and csv", async () => {
    await writesNothing(async () => {
      const own = await ownIds('transaction', a.clientId);
      for (const chatted of [{}, { chatted: '1' }] as Record<string, string>[]) {
        const json = await v1('/transactions/getTransactions/', { ...period(), ...chatted }, a.key);
        expectNoneOfB(json, 'getTransactions');
        for (const id of v1Ids(json.json)) expect(own).toContain(id);
        expect(v1Ids(json.json)).toContain(a.ids.transaction);
        const csv = await v1('/transactions/getTransactions/', { ...period(), ...chatted, out: 'csv' }, a.key);
        expectNoneOfB(csv, 'getTransactions csv');
      }
      expect(v1Ids((await v1('/transactions/getTransactions/', period(), a.key)).json)).toEqual(own);
    });
  });

  it("satisfaction/getSatisfaction holds A's answers only; B's operator name finds nothing", async () => {
    await writesNothing(async () => {
      const json = await v1('/satisfaction/getSatisfaction/', period(), a.key);
      expectNoneOfB(json, 'getSatisfaction');
      expect(v1Ids(json.json)).toEqual(await ownIds('satisfaction', a.clientId));
      expect((await v1('/satisfaction/getSatisfaction/', {}, a.key)).json).toEqual(json.json);
      expectNoneOfB(
        await v1('/satisfaction/getSatisfaction/', { ...period(), out: 'csv' }, a.key),
        'getSatisfaction csv',
      );
      const byName = await v1('/satisfaction/getSatisfaction/', { ...period(), opname: 'Bravo operator' }, a.key);
      expect(byName.status).toBe(200);
      expect(byName.json).toEqual([]);
    });
  });

  it("operator_stats/getStats holds A's operators only, with A's figures; B's operator name finds nothing", async () => {
    // Part of the figures come from the statistics rollups: the projection follows the API calls before the reads.
    await t.context.statistics?.catchUp();
    await writesNothing(async () => {
      const json = await v1('/operator_stats/getStats/', period(), a.key);
      expectNoneOfB(json, 'getStats');
      expect(v1Ids(json.json)).toEqual(await ownOperators(a.clientId));
      // A's operator's figures are A's alone: one sale of A's (B's sales would add to the turnover and count).
      expect(Array.isArray(json.json) ? json.json[0] : undefined).toMatchObject({
        id: String(a.operator),
        sales_count: '1',
        turnover: (100 + 1 + 0.25).toFixed(2),
      });
      expectNoneOfB(await v1('/operator_stats/getStats/', { ...period(), out: 'csv' }, a.key), 'getStats csv');
      const byName = await v1('/operator_stats/getStats/', { ...period(), opname: 'Bravo operator' }, a.key);
      expect(byName.status).toBe(200);
      expect(byName.json).toEqual([]);
    });
  });
});

// ——— Last, because they give A rows carrying B's texts (which the v1 report checks above must not find) ———

describe("client A's own writes that name B's values touch nothing of B's", () => {
  it("a sale reported by A with B's buyer uid and email is not attributed to B's conversation", async () => {
    const bBefore = await snapshotOf(b.clientId);
    const answer = await t.api('POST', '/transaction', {
      key: a.key,
      json: {
        website_id: a.website,
        external_id: 'alpha-order-uid',
        amount: 42,
        visitor_uid: b.buyerUid,
        visitor_email: b.buyerEmail,
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({
      website_id: a.website,
      conversation_id: null,
      operator_id: null,
      visitor_uid: b.buyerUid,
    });
    const row = await t.store.db
      .selectFrom('sale')
      .selectAll()
      .where('id', '=', answer.body.data.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      client_id: a.clientId,
      website_id: a.website,
      visitor_id: null,
      conversation_id: null,
      operator_id: null,
    });
    expect(await snapshotOf(b.clientId)).toEqual(bBefore);
    // B's key never sees it, even through B's own conversation and operator.
    for (const filter of [`filters[conversation_id]=${b.closedConversation}`, `filters[operator_id]=${b.operator}`]) {
      expect(listIds(await t.api('GET', `/transaction?${filter}`, { key: b.key }))).toEqual([b.ids.transaction]);
    }
  });

  it("B's order id reported on A's website is A's own sale (never a 409 revealing B's)", async () => {
    const bBefore = await snapshotOf(b.clientId);
    const answer = await t.api('POST', '/transaction', {
      key: a.key,
      json: { website_id: a.website, external_id: `${b.slug}-order-1`, amount: 1 },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ external_id: `${b.slug}-order-1`, amount: 1, website_id: a.website });
    expect(answer.body.data.id).not.toBe(b.ids.transaction);
    expect(await snapshotOf(b.clientId)).toEqual(bBefore);
  });

  it("B's visitor unique id, in a visitor or a conversation of A, makes A's own visitor", async () => {
    const bBefore = await snapshotOf(b.clientId);
    const visitor = await t.api('POST', '/visitor', {
      key: a.key,
      json: { unique_id: b.sharedUid, website_id: [a.website] },
    });
    expect(visitor.status).toBe(200);
    expect(visitor.body.data.id).not.toBe(b.sharedVisitor);
    const conversation = await t.api('POST', '/conversation', {
      key: a.key,
      json: { website_id: a.website, visitor_uid: `${b.slug}-visitor` },
    });
    expect(conversation.status).toBe(200);
    expect(conversation.body.data.visitor_id).not.toBe(b.ids.visitor);
    const visitorRow = await t.store.db
      .selectFrom('visitor')
      .select('client_id')
      .where('id', '=', Number(conversation.body.data.visitor_id))
      .executeTakeFirstOrThrow();
    expect(visitorRow.client_id).toBe(a.clientId);
    expect(await snapshotOf(b.clientId)).toEqual(bBefore);
  });

  it("B's tag name is free for A (never a 409 revealing B's)", async () => {
    const bBefore = await snapshotOf(b.clientId);
    const answer = await t.api('POST', '/tag', { key: a.key, json: { name: `${b.label} tag` } });
    expect(answer.status).toBe(200);
    expect(answer.body.data.id).not.toBe(b.ids.tag);
    expect(await snapshotOf(b.clientId)).toEqual(bBefore);
  });

  it("an Odigo pick-up by A with the phone of B's pending call meeting leaves that meeting alone", async () => {
    const bBefore = await snapshotOf(b.clientId);
    const answer = await t.api('POST', '/odigocallback/pickup', {
      key: a.key,
      json: { operator_external_id: a.operatorExternalId, website_id: a.website, phone_number: b.meetingPhone },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ website_id: a.website, targeting_rule_id: null, skill_id: null });
    const opened = await t.store.db
      .selectFrom('conversation')
      .select(['client_id', 'visitor_id'])
      .where('id', '=', Number(answer.body.data.conversation_id))
      .executeTakeFirstOrThrow();
    expect(opened.client_id).toBe(a.clientId);
    expect(await snapshotOf(b.clientId)).toEqual(bBefore);
    expect((await t.api('GET', `/callmeeting/${b.ids.callmeeting}`, { key: b.key })).body.data.status).toBe('pending');
  });
});

describe('every tenant still has all its rows', () => {
  it.each(KINDS)("B reads its own %s, and the platform's isolation is not emptiness", async (kind) => {
    const answer = await t.api('GET', `/${kind}/${b.ids[kind]}`, { key: b.key });
    expect(answer.status).toBe(200);
    expect(listIds(await t.api('GET', `/${kind}?limit=100`, { key: b.key }))).toEqual(await ownIds(kind, b.clientId));
  });
});
